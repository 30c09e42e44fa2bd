import assert from 'node:assert/strict';
import { buildEnvelope, MAX_ARRAY_ITEMS } from '../../nodes/lib/envelope';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';
import { ctx, envelope, throwsCode } from '../helpers/job-service';
import { BASE_NS, MOD_NS, WSDL, XSD0, XSD1, XSD2, XSD3, XSD_SER } from '../helpers/wcf-fixture';

const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

describe('request envelopes', () => {
  it('writes members in schema order whatever order the object has, base type first', () => {
    const xml = envelope('GetJob', { Tags: ['a'], Since: '2026-11-28T09:00:00Z', JobReference: 'J1' });
    const order = ['Token', 'JobReference', 'Since', 'Tags'].map((n) => xml.indexOf(`:${n}>`));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      xml,
    );
    assert.ok(order.every((i) => i > 0));
    // The inherited Token is in the base type's namespace, the rest in the module's.
    const prefixOf = (ns: string) => new RegExp(`xmlns:(\\w+)="${ns.replace(/\./g, '\\.')}"`).exec(xml)?.[1];
    assert.match(xml, new RegExp(`<${prefixOf(BASE_NS)}:Token>tok123</`));
    assert.match(xml, new RegExp(`<${prefixOf(MOD_NS)}:JobReference>J1</`));
  });

  it('accepts the operation shape and the members shape alike', () => {
    assert.equal(envelope('GetJob', { request: { JobReference: 'J1' } }), envelope('GetJob', { JobReference: 'J1' }));
    throwsCode(
      () => envelope('GetJob', { request: { JobReference: 'J1' }, extra: 1 }),
      'CX_BAD_REQUEST',
      /no parameter "extra"\. Valid names: request/,
    );
  });

  it('puts the token in a declared header, or in the token parameter', () => {
    assert.match(envelope('ListJobs', { MaxRecords: 5 }), /<s:Header><n\d+:Token>tok123<\/n\d+:Token><\/s:Header>/);
    assert.match(envelope('Ping', { count: 2 }), /<n\d+:token>tok123<\/n\d+:token><n\d+:count>2</);
  });

  it('rejects a member the schema does not define, listing the valid names', () => {
    throwsCode(
      () => envelope('GetJob', { JobReference: 'J1', '<x>': 1 }),
      'CX_BAD_REQUEST',
      /Valid names, in order: JobReference, JobUid, Priority, Since, Tags\./,
    );
    throwsCode(() => envelope('GetJob', { __proto__x: 1 }), 'CX_BAD_REQUEST');
  });

  it('refuses a token given in the payload, in each of the three token places, and never lists it as valid', () => {
    const tokenGiven = /contains (Token|token): the pack adds the connection's token itself/;
    // member (inherited Token), in the members shape and in the operation shape
    const member = throwsCode(
      () => envelope('GetJob', { Token: 'mine', JobReference: 'J1' }),
      'CX_BAD_REQUEST',
      tokenGiven,
    );
    assert.equal(member.details.validNames, undefined);
    throwsCode(() => envelope('GetJob', { request: { token: 'mine' } }), 'CX_BAD_REQUEST', tokenGiven);
    // header and parameter
    throwsCode(() => envelope('ListJobs', { Token: 'mine', MaxRecords: 5 }), 'CX_BAD_REQUEST', tokenGiven);
    throwsCode(() => envelope('Ping', { token: 'mine', count: 2 }), 'CX_BAD_REQUEST', tokenGiven);
    // A wrong member lists the caller's names only.
    const wrong = throwsCode(() => envelope('GetJob', { Nope: 1 }), 'CX_BAD_REQUEST');
    assert.ok(!wrong.details.validNames?.includes('Token'), String(wrong.details.validNames));
    const notObject = throwsCode(() => envelope('GetJob', { request: 5 }), 'CX_BAD_REQUEST');
    assert.doesNotMatch(notObject.message, /Token/);
  });

  it('checks values against their XSD types', () => {
    throwsCode(() => envelope('ListJobs', { MaxRecords: 'ten' }), 'CX_BAD_REQUEST', /whole number/);
    throwsCode(() => envelope('GetJob', { JobUid: 'not-a-guid' }), 'CX_BAD_REQUEST', /GUID/);
    throwsCode(() => envelope('GetJob', { Priority: 'Whenever' }), 'CX_BAD_REQUEST', /Emergency, Routine/);
    throwsCode(() => envelope('GetJob', { Since: 'yesterday' }), 'CX_BAD_REQUEST', /ISO date-time/);
    throwsCode(() => envelope('GetJob', { JobReference: { nested: true } }), 'CX_BAD_REQUEST', /string/);
    throwsCode(() => envelope('GetJob', 'WO1'), 'CX_BAD_REQUEST', /must be an object/);
    throwsCode(() => envelope('GetJob', [1]), 'CX_BAD_REQUEST', /must be an object/);
    throwsCode(() => envelope('GetJob', { JobReference: 'a\u0001b' }), 'CX_BAD_REQUEST', /character XML cannot carry/);
  });

  it('sends Dates as ISO text and escapes markup, keeping non-BMP characters', () => {
    const xml = envelope('GetJob', { Since: new Date(Date.UTC(2026, 10, 28, 9)), JobReference: 'a<b>&]]>c 😀\r' });
    assert.match(xml, /:Since>2026-11-28T09:00:00.000Z</);
    assert.ok(xml.includes('a&lt;b&gt;&amp;]]&gt;c 😀&#13;'), xml);
  });

  it('writes collections as WCF arrays and nulls as i:nil', () => {
    const xml = envelope('GetJob', { Tags: ['x', 'y'], JobReference: null });
    assert.match(xml, /<(n\d+):Tags><(n\d+):string>x<\/\2:string><\2:string>y<\/\2:string><\/\1:Tags>/);
    assert.match(xml, /:JobReference i:nil="true"\/>/);
    assert.match(xml, /xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance"/);
  });
});

describe('request envelopes: odd input from flows', () => {
  const odd = () => {
    const xsds = [
      XSD0,
      XSD1,
      XSD2.replace('name="JobReference"', 'name="toString"').replace('name="Since"', 'name="valueOf"'),
      XSD3,
      XSD_SER,
    ];
    const m = buildServiceModel(
      'WSJobService',
      [parseXmlDocument(WSDL, 'wsdl')],
      xsds.map((x) => parseXmlDocument(x, 'xsd')),
    );
    const o = m.operations.get('GetJob')!;
    const place = resolveTokenPlace(o, m.schema, 'auto', 'Token', ctx('GetJob'));
    return (args: unknown) => buildEnvelope(o, m.schema, place, 'tok', args, ctx('GetJob'));
  };

  it('reads own properties only: members named toString or valueOf that the flow leaves out are not sent', () => {
    const xml = odd()({ JobUid: EMPTY_GUID });
    assert.doesNotMatch(xml, /native code|function/, xml);
    assert.doesNotMatch(xml, /:toString>|:valueOf>/, xml);
    assert.match(odd()({ toString: 'J1' }), /:toString>J1</);
  });

  it('functions, symbols and getters that throw are CX_BAD_REQUEST, never their source text', () => {
    throwsCode(
      () => envelope('GetJob', { JobReference: () => 'secret source' }),
      'CX_BAD_REQUEST',
      /JobReference must be a string value, not a function/,
    );
    throwsCode(() => envelope('GetJob', { JobReference: Symbol('s') }), 'CX_BAD_REQUEST', /not a symbol/);
    const getter = Object.defineProperty({}, 'JobReference', {
      enumerable: true,
      get() {
        throw new TypeError('boom');
      },
    });
    throwsCode(() => envelope('GetJob', getter), 'CX_BAD_REQUEST', /could not be read \(its getter threw: boom\)/);
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    throwsCode(() => envelope('GetJob', trap), 'CX_BAD_REQUEST', /could not be read \(trap\)/);
  });

  it('a huge array is refused beyond the documented cap, never a RangeError, and quickly', () => {
    const t0 = performance.now();
    throwsCode(
      () => envelope('GetJob', { Tags: Array.from({ length: 1_000_000 }, () => 'x') }),
      'CX_BAD_REQUEST',
      new RegExp(`1000000 items, more than the ${MAX_ARRAY_ITEMS}`),
    );
    assert.ok(performance.now() - t0 < 2000, 'refused before building anything');
    // Just under the cap: built with no spread (a spread of 130,000 pieces overflowed the stack).
    const xml = envelope('GetJob', { Tags: Array.from({ length: MAX_ARRAY_ITEMS }, (_, i) => `t${i}`) });
    assert.equal(xml.match(/:string>/g)?.length, MAX_ARRAY_ITEMS * 2);
  });
});
