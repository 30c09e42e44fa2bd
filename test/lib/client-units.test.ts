import assert from 'node:assert/strict';
import { buildEnvelope } from '../../nodes/lib/envelope';
import { loginArgs } from '../../nodes/lib/login';
import { CxError } from '../../nodes/lib/errors';
import { Limiter } from '../../nodes/lib/limiter';
import { soapAnswerHandler } from '../../nodes/lib/response-reader';
import { buildTemplate } from '../../nodes/lib/template';
import { parseTokenExpiry } from '../../nodes/lib/token-expiry';
import { TokenManager } from '../../nodes/lib/token-manager';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { pinLocation } from '../../nodes/lib/wsdl-loader';
import { BASE_NS, MOD_NS, WSDL, XSD0, XSD1, XSD2, XSD3, XSD_SER, jobServiceModel } from '../helpers/wcf-fixture';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';

const model = jobServiceModel();
const ctx = (method: string) => ({ service: 'WSJobService', method });
const op = (name: string) => {
  const o = model.operations.get(name);
  assert.ok(o, `operation ${name}`);
  return o;
};
const envelope = (method: string, args: unknown, token = 'tok123') => {
  const place = resolveTokenPlace(op(method), model.schema, 'auto', 'Token', ctx(method));
  return buildEnvelope(op(method), model.schema, place, token, args, ctx(method));
};
const rejects = (fn: () => unknown, code: string, text?: RegExp) => {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CxError, String(e));
    assert.equal(e.code, code, e.message);
    if (text) assert.match(e.message, text);
    return true;
  });
};

function read(xml: string, method: string, opts: { status?: number; contentType?: string; chunk?: number } = {}) {
  const o = op(method);
  const h = soapAnswerHandler(model.schema, o.output?.result, { ...ctx(method), host: 'cx.test' });
  h.head(opts.status ?? 200, { 'content-type': opts.contentType ?? 'text/xml; charset=utf-8' });
  const buf = Buffer.from(xml, 'utf8');
  const step = opts.chunk ?? 7;
  for (let i = 0; i < buf.length; i += step) h.chunk(buf.subarray(i, i + step));
  return h.end();
}

const ENV = (body: string) =>
  `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>${body}</s:Body></s:Envelope>`;

describe('WSDL model of a WCF service', () => {
  it('reads operations, SOAPActions, parameters and declared headers', () => {
    assert.deepEqual([...model.operations.keys()].sort(), ['GetJob', 'ListJobs', 'Ping']);
    assert.equal(op('GetJob').soapAction, 'http://tempuri.org/IWSJobService/GetJob');
    assert.deepEqual(
      op('Ping').params.map((p) => p.name),
      ['token', 'count'],
    );
    assert.deepEqual(
      op('ListJobs').headers.map((h) => h.element.name),
      ['Token'],
    );
    assert.equal(op('GetJob').output?.result?.name, 'GetJobResult');
  });

  it('finds the token in each of the three WCF shapes', () => {
    assert.equal(resolveTokenPlace(op('GetJob'), model.schema, 'auto', 'Token', ctx('GetJob')).kind, 'member');
    assert.equal(resolveTokenPlace(op('ListJobs'), model.schema, 'auto', 'Token', ctx('ListJobs')).kind, 'header');
    assert.equal(resolveTokenPlace(op('Ping'), model.schema, 'auto', 'Token', ctx('Ping')).kind, 'parameter');
  });

  it('in auto, takes a string named like *Token when nothing is named exactly Token', () => {
    const wsdl = parseXmlDocument(WSDL.replace('element="tns:Token"', 'element="tns:SecurityToken"'), 'wsdl');
    const xsds = [
      XSD0.replace('name="Token"', 'name="SecurityToken"'),
      XSD1.replace('name="Token"', 'name="AuthToken"'),
      XSD2,
      XSD3,
      XSD_SER,
    ].map((x) => parseXmlDocument(x, 'xsd'));
    const m = buildServiceModel('WSJobService', [wsdl], xsds);
    const list = resolveTokenPlace(m.operations.get('ListJobs')!, m.schema, 'auto', 'Token', ctx('ListJobs'));
    assert.equal(list.kind === 'header' && list.header.name, 'SecurityToken');
    const get = resolveTokenPlace(m.operations.get('GetJob')!, m.schema, 'auto', 'Token', ctx('GetJob'));
    assert.equal(get.kind === 'member' && get.member.name, 'AuthToken');
    // An explicit setting stays exact.
    rejects(
      () => resolveTokenPlace(m.operations.get('ListJobs')!, m.schema, 'header', 'Token', ctx('ListJobs')),
      'CX_CONFIG',
    );
  });

  it('lets a setting force the placement, and says when the WSDL has no such place', () => {
    assert.equal(resolveTokenPlace(op('ListJobs'), model.schema, 'none', 'Token', ctx('ListJobs')).kind, 'none');
    rejects(
      () => resolveTokenPlace(op('ListJobs'), model.schema, 'member', 'Token', ctx('ListJobs')),
      'CX_CONFIG',
      /declares no such member/,
    );
  });

  it('pins WCF import locations to the configured service URL and refuses foreign hosts', () => {
    const svc = new URL('https://cx.example.org/cx/webservice/wsjobservice');
    const from = new URL('https://cx.example.org/cx/webservice/wsjobservice?wsdl');
    assert.equal(
      pinLocation('http://internal-host:8080/cx/webservice/wsjobservice?xsd=xsd0', from, svc, 'S').href,
      'https://cx.example.org/cx/webservice/wsjobservice?xsd=xsd0',
    );
    rejects(() => pinLocation('http://evil.example/steal.xsd', from, svc, 'S'), 'CX_BAD_RESPONSE', /another host/);
  });
});

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
    rejects(
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
    rejects(
      () => envelope('GetJob', { JobReference: 'J1', '<x>': 1 }),
      'CX_BAD_REQUEST',
      /Valid names, in order: Token, JobReference, JobUid, Priority, Since, Tags/,
    );
    rejects(() => envelope('GetJob', { __proto__x: 1 }), 'CX_BAD_REQUEST');
  });

  it('checks values against their XSD types', () => {
    rejects(() => envelope('ListJobs', { MaxRecords: 'ten' }), 'CX_BAD_REQUEST', /whole number/);
    rejects(() => envelope('GetJob', { JobUid: 'not-a-guid' }), 'CX_BAD_REQUEST', /GUID/);
    rejects(() => envelope('GetJob', { Priority: 'Whenever' }), 'CX_BAD_REQUEST', /Emergency, Routine/);
    rejects(() => envelope('GetJob', { Since: 'yesterday' }), 'CX_BAD_REQUEST', /ISO date-time/);
    rejects(() => envelope('GetJob', { JobReference: { nested: true } }), 'CX_BAD_REQUEST', /string/);
    rejects(() => envelope('GetJob', 'WO1'), 'CX_BAD_REQUEST', /must be an object/);
    rejects(() => envelope('GetJob', [1]), 'CX_BAD_REQUEST', /must be an object/);
    rejects(() => envelope('GetJob', { JobReference: 'a\u0001b' }), 'CX_BAD_REQUEST', /character XML cannot carry/);
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

  it('builds a template in schema order without the token', () => {
    const place = resolveTokenPlace(op('GetJob'), model.schema, 'auto', 'Token', ctx('GetJob'));
    const t = buildTemplate(op('GetJob'), model.schema, place) as { request: Record<string, unknown> };
    assert.deepEqual(Object.keys(t.request), ['JobReference', 'JobUid', 'Priority', 'Since', 'Tags']);
    assert.deepEqual(t.request, {
      JobReference: 'string',
      JobUid: 'guid',
      Priority: 'Emergency | Routine',
      Since: 'dateTime',
      Tags: ['string'],
    });
    const ping = buildTemplate(
      op('Ping'),
      model.schema,
      resolveTokenPlace(op('Ping'), model.schema, 'auto', 'Token', ctx('Ping')),
    );
    assert.deepEqual(ping, { count: 'int' });
  });
});

describe('reading answers', () => {
  const jobAnswer = ENV(
    `<GetJobResponse xmlns="http://tempuri.org/"><GetJobResult xmlns:a="${MOD_NS}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">` +
      `<InvalidReason i:nil="true" xmlns="${BASE_NS}"/><IsValid xmlns="${BASE_NS}">true</IsValid>` +
      '<a:Job><a:Address><a:Line1>1 High St &amp; Co</a:Line1><a:PostCode i:nil="true"/></a:Address><a:Cost>20.00</a:Cost>' +
      '<a:Due>2026-06-01T19:00:16.5718655+01:00</a:Due><a:Reference>00123</a:Reference>' +
      '<a:Tasks><a:Task><a:Code>SOR1</a:Code><a:Quantity>1.50</a:Quantity></a:Task></a:Tasks><a:Visits>3</a:Visits></a:Job>' +
      '</GetJobResult></GetJobResponse>',
  );

  it('types values by the schema: nil, booleans, decimals, dateTimes kept, one-item arrays stay arrays', () => {
    const a = read(jobAnswer, 'GetJob');
    assert.deepEqual(a.result, {
      InvalidReason: null,
      IsValid: true,
      Job: {
        Address: { Line1: '1 High St & Co', PostCode: null },
        Cost: 20,
        Due: '2026-06-01T19:00:16.5718655+01:00',
        Reference: '00123',
        Tasks: [{ Code: 'SOR1', Quantity: 1.5 }],
        Visits: 3,
      },
    });
  });

  it('reads the same answer whatever the chunking', () => {
    assert.deepEqual(
      read(jobAnswer, 'GetJob', { chunk: 1 }).result,
      read(jobAnswer, 'GetJob', { chunk: 1 << 20 }).result,
    );
  });

  it('keeps a long past 2^53 as text and an empty collection as []', () => {
    assert.equal(
      read(
        ENV('<PingResponse xmlns="http://tempuri.org/"><PingResult>9007199254740993</PingResult></PingResponse>'),
        'Ping',
      ).result,
      '9007199254740993',
    );
    assert.deepEqual(
      read(
        ENV(`<ListJobsResponse xmlns="http://tempuri.org/"><ListJobsResult xmlns:a="${MOD_NS}"/></ListJobsResponse>`),
        'ListJobs',
      ).result,
      [],
    );
  });

  it('never lets element or attribute names reach Object.prototype', () => {
    const xml = ENV(
      `<GetJobResponse xmlns="http://tempuri.org/"><GetJobResult xmlns:a="${MOD_NS}" id="__proto__"><a:Job><a:__proto__><a:polluted>yes</a:polluted></a:__proto__><a:constructor>x</a:constructor></a:Job></GetJobResult></GetJobResponse>`,
    );
    const r = read(xml, 'GetJob').result as { Job: Record<string, unknown> };
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(r.Job), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(r.Job, '__proto__')?.value, { polluted: 'yes' });
  });

  it('reads SOAP 1.1 faults, SOAP 1.2 faults and faults without a faultstring', () => {
    const f11 = read(
      ENV(
        '<s:Fault><faultcode>s:Client</faultcode><faultstring xml:lang="en-GB">Exception Message:Access denied – Invalid token</faultstring></s:Fault>',
      ),
      'GetJob',
      { status: 500 },
    );
    assert.deepEqual(f11.fault, {
      code: 's:Client',
      string: 'Exception Message:Access denied – Invalid token',
      detail: '',
    });
    const f12 = read(
      '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value></s:Code><s:Reason><s:Text xml:lang="en">Bad thing</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>',
      'GetJob',
      { status: 500 },
    );
    assert.deepEqual(f12.fault, { code: 's:Sender', string: 'Bad thing', detail: '' });
    const bare = read(ENV('<s:Fault><faultcode>s:Server</faultcode></s:Fault>'), 'GetJob', { status: 500 });
    assert.equal(bare.fault?.code, 's:Server');
  });

  it('turns an IIS error page into CX_HTTP with a short snippet', () => {
    rejects(
      () =>
        read(
          '<html><head><title>Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>HTTP Error 503.</p></body></html>',
          'GetJob',
          { status: 503, contentType: 'text/html' },
        ),
      'CX_HTTP',
      /HTTP 503/,
    );
    try {
      read(`<html><body>${'x'.repeat(600000)}</body></html>`, 'GetJob', {
        status: 503,
        contentType: 'text/html',
        chunk: 65536,
      });
    } catch (e) {
      assert.ok((e as CxError).details.snippet!.length <= 201);
    }
  });

  it('refuses non-XML, truncated XML and DOCTYPEs with CX_BAD_RESPONSE', () => {
    rejects(() => read('this is not xml', 'GetJob'), 'CX_BAD_RESPONSE', /not XML/);
    rejects(() => read(jobAnswer.slice(0, jobAnswer.length - 40), 'GetJob'), 'CX_BAD_RESPONSE', /cut short|malformed/);
    rejects(
      () => read(`<!DOCTYPE lol [<!ENTITY a "aaaa">]>${ENV('<x>&a;</x>')}`, 'GetJob'),
      'CX_BAD_RESPONSE',
      /DOCTYPE/,
    );
    rejects(() => read('', 'GetJob'), 'CX_BAD_RESPONSE', /empty/);
  });
});

describe('TokenExpiry', () => {
  it('reads WCF local times with seven digits and an offset', () => {
    assert.equal(parseTokenExpiry('2023-06-01T19:00:16.5718655+01:00'), Date.UTC(2023, 5, 1, 18, 0, 16, 571));
    assert.equal(parseTokenExpiry('2023-12-01T19:00:00Z'), Date.UTC(2023, 11, 1, 19));
  });

  it('reads an expiry without offset as UK local time, summer and winter', () => {
    assert.equal(parseTokenExpiry('2023-06-01T19:00:00'), Date.UTC(2023, 5, 1, 18));
    assert.equal(parseTokenExpiry('2023-12-01T19:00:00'), Date.UTC(2023, 11, 1, 19));
  });

  it('gives undefined for what it cannot read', () => {
    assert.equal(parseTokenExpiry('soon'), undefined);
    assert.equal(parseTokenExpiry(null), undefined);
  });
});

describe('TokenManager', () => {
  const fakeClock = () => {
    let t = Date.UTC(2026, 10, 28, 9);
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('makes one login for a thousand concurrent callers', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}`, expiry: clock.now() + 600000 }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 60000,
    });
    const got = await Promise.all(Array.from({ length: 1000 }, () => tm.get()));
    assert.equal(logins, 1);
    assert.ok(got.every((g) => g.token === 't1'));
  });

  it('refreshes a margin before expiry, not before', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}`, expiry: clock.now() + 600000 }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 60000,
    });
    await tm.get();
    clock.advance(539000);
    assert.equal((await tm.get()).token, 't1');
    clock.advance(2000);
    assert.equal((await tm.get()).token, 't2');
  });

  it('uses a token without a readable expiry until it is invalidated; invalidation is by token', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}` }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 60000,
    });
    await tm.get();
    clock.advance(86400000);
    assert.equal((await tm.get()).token, 't1');
    tm.invalidate('t1');
    assert.equal((await tm.get()).token, 't2');
    tm.invalidate('t1'); // a late caller with the old token must not throw away the new one
    assert.equal((await tm.get()).token, 't2');
    assert.equal(logins, 2);
  });

  it('after a refused login, fails fast with the same error for the cool-down, then tries again', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(
      async () => {
        logins++;
        throw new CxError('CX_LOGIN_FAILED', 'Invalid login. Please try again.', {
          invalidReason: 'Invalid login. Please try again.',
        });
      },
      clock,
      { refreshMarginMs: 60000, cooldownMs: 60000 },
    );
    await assert.rejects(tm.get(), { code: 'CX_LOGIN_FAILED' });
    clock.advance(59000);
    await assert.rejects(tm.get(), { code: 'CX_LOGIN_FAILED', message: 'Invalid login. Please try again.' });
    assert.equal(logins, 1);
    clock.advance(2000);
    await assert.rejects(tm.get(), { code: 'CX_LOGIN_FAILED' });
    assert.equal(logins, 2);
  });

  it('does not cool down after a network failure', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(
      async () => {
        logins++;
        throw new CxError('CX_NETWORK', 'refused');
      },
      clock,
      { refreshMarginMs: 60000, cooldownMs: 60000 },
    );
    await assert.rejects(tm.get(), { code: 'CX_NETWORK' });
    await assert.rejects(tm.get(), { code: 'CX_NETWORK' });
    assert.equal(logins, 2);
  });

  it('caps the margin at half the token life so short tokens do not cause a login per call', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}`, expiry: clock.now() + 30000 }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 0,
    });
    await tm.get();
    await tm.get();
    assert.equal(logins, 1);
  });
});

describe('Limiter', () => {
  it('runs at most N at once, in arrival order, and rejects the queue on close', async () => {
    const lim = new Limiter(2);
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const task = (i: number) =>
      lim.run(
        () =>
          new Promise<number>((res) => {
            started.push(i);
            gates.push(() => res(i));
          }),
      );
    const all = [1, 2, 3, 4].map(task);
    assert.deepEqual(started, [1, 2]);
    gates.shift()!();
    await all[0];
    await new Promise(setImmediate);
    assert.deepEqual(started, [1, 2, 3]);
    lim.close();
    await assert.rejects(all[3], { code: 'CX_CLOSED' });
    gates.forEach((g) => g());
    assert.deepEqual(await Promise.all(all.slice(1, 3)), [2, 3]);
  });
});

describe('login arguments', () => {
  const loginModel = (members: string[]) => {
    const ns = 'http://schemas.datacontract.org/2004/07/Sec';
    const xsd0 = `<xs:schema elementFormDefault="qualified" targetNamespace="http://tempuri.org/" xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:element name="GetUserWSToken"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="request" nillable="true" type="q1:Req" xmlns:q1="${ns}"/></xs:sequence></xs:complexType></xs:element></xs:schema>`;
    const xsd1 = `<xs:schema elementFormDefault="qualified" targetNamespace="${ns}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <xs:complexType name="Req"><xs:sequence>${members.map((m) => `<xs:element minOccurs="0" name="${m}" nillable="true" type="xs:string"/>`).join('')}</xs:sequence></xs:complexType></xs:schema>`;
    const wsdl = `<wsdl:definitions targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="http://tempuri.org/">
      <wsdl:message name="In"><wsdl:part name="parameters" element="tns:GetUserWSToken"/></wsdl:message>
      <wsdl:portType name="I"><wsdl:operation name="GetUserWSToken"><wsdl:input message="tns:In"/></wsdl:operation></wsdl:portType>
      <wsdl:binding name="B" type="tns:I"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
      <wsdl:operation name="GetUserWSToken"><soap:operation soapAction="x"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation></wsdl:binding></wsdl:definitions>`;
    const m = buildServiceModel(
      'WSTokenService',
      [parseXmlDocument(wsdl, 'w')],
      [parseXmlDocument(xsd0, 'x'), parseXmlDocument(xsd1, 'x')],
    );
    return { m, op: m.operations.get('GetUserWSToken')! };
  };

  it('uses the member names the WSDL gives, whatever their case', () => {
    const a = loginModel(['Password', 'UserName']);
    assert.deepEqual(loginArgs(a.op, a.m, 'u', 'p'), { UserName: 'u', Password: 'p' });
    const b = loginModel(['LoginPassword', 'Username']);
    assert.deepEqual(loginArgs(b.op, b.m, 'u', 'p'), { Username: 'u', LoginPassword: 'p' });
  });
});

describe('a WCF WSDL split by contract namespace (?wsdl importing ?wsdl=wsdl0)', () => {
  // What WCF serves when the ServiceContract has its own Namespace: the binding and service in
  // tempuri, the portType, messages and types in the contract's namespace, imported.
  const CONTRACT = 'http://civica.co.uk/cx/2023';
  const main = `<wsdl:definitions name="WSSplit" targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:i0="${CONTRACT}">
    <wsdl:import namespace="${CONTRACT}" location="http://internal/cx/webservice/wssplit?wsdl=wsdl0"/>
    <wsdl:binding name="BasicHttpBinding_IWSSplit" type="i0:IWSSplit"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
      <wsdl:operation name="Ping"><soap:operation soapAction="${CONTRACT}/IWSSplit/Ping" style="document"/>
        <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
    </wsdl:binding></wsdl:definitions>`;
  const wsdl0 = `<wsdl:definitions targetNamespace="${CONTRACT}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="${CONTRACT}">
    <wsdl:types><xsd:schema targetNamespace="${CONTRACT}/Imports" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
      <xsd:import schemaLocation="http://internal/cx/webservice/wssplit?xsd=xsd0" namespace="${CONTRACT}"/></xsd:schema></wsdl:types>
    <wsdl:message name="IWSSplit_Ping_InputMessage"><wsdl:part name="parameters" element="tns:Ping"/></wsdl:message>
    <wsdl:message name="IWSSplit_Ping_OutputMessage"><wsdl:part name="parameters" element="tns:PingResponse"/></wsdl:message>
    <wsdl:portType name="IWSSplit"><wsdl:operation name="Ping"><wsdl:input message="tns:IWSSplit_Ping_InputMessage"/><wsdl:output message="tns:IWSSplit_Ping_OutputMessage"/></wsdl:operation></wsdl:portType>
  </wsdl:definitions>`;
  const xsd0 = `<xs:schema elementFormDefault="qualified" targetNamespace="${CONTRACT}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
    <xs:element name="Ping"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="token" nillable="true" type="xs:string"/><xs:element minOccurs="0" name="text" nillable="true" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="PingResponse"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="PingResult" nillable="true" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema>`;

  it('pins the imported WSDL onto the service URL and reads operations across both documents', () => {
    const svc = new URL('https://cx.example.org/cx/webservice/wssplit');
    assert.equal(
      pinLocation('http://internal/cx/webservice/wssplit?wsdl=wsdl0', new URL(`${svc.href}?wsdl`), svc, 'WSSplit').href,
      `${svc.href}?wsdl=wsdl0`,
    );
    const m = buildServiceModel(
      'WSSplit',
      [parseXmlDocument(main, 'w'), parseXmlDocument(wsdl0, 'w0')],
      [parseXmlDocument(xsd0, 'x')],
    );
    const ping = m.operations.get('Ping')!;
    assert.equal(ping.soapAction, `${CONTRACT}/IWSSplit/Ping`);
    assert.deepEqual(ping.wrapper, { ns: CONTRACT, name: 'Ping' });
    const place = resolveTokenPlace(ping, m.schema, 'auto', 'Token', { service: 'WSSplit', method: 'Ping' });
    assert.equal(place.kind, 'parameter');
    const xml = buildEnvelope(ping, m.schema, place, 't0k', { text: 'hi' }, { service: 'WSSplit', method: 'Ping' });
    assert.ok(xml.includes(`="${CONTRACT}"`), xml);
    assert.match(xml, /<n\d+:Ping><n\d+:token>t0k<\/n\d+:token><n\d+:text>hi<\/n\d+:text><\/n\d+:Ping>/);
  });
});
