import assert from 'node:assert/strict';
import { CxClient } from '../../nodes/lib';
import { XSD_NS } from '../../nodes/lib/schema';
import {
  MAX_DECLARATION_DEPTH,
  MAX_DECLARATION_NODES,
  WSDL_NS,
  buildServiceModel,
  buildServiceModelInSlices,
} from '../../nodes/lib/service-model';
import { XNode, childrenOf, parseXmlDocument } from '../../nodes/lib/xml-dom';
import { BIG_CONTRACTS_NS, bigWsdl, schemaWsdl } from '../helpers/big-wsdl';
import { HostileServer, reply, startHostile } from '../helpers/hostile-server';
import { PASSWORD, USER } from '../helpers/red';
import { MAX_STALL_MS, expectCode, longestStall, unhandledRejections } from '../helpers/reliability';
import { turnsDuring } from '../helpers/turns';

const MB = 1024 * 1024;
/** Just under the metadata cap (8 MB in total), leaving room for the envelope of the document. */
const ALMOST_ALL = 8 * MB - 64 * 1024;

const schemasOf = (doc: XNode) => childrenOf(doc, WSDL_NS, 'types').flatMap((t) => childrenOf(t, XSD_NS, 'schema'));

/**
 * The largest metadata a service may have is built into a model without holding the event loop,
 * and hostile shapes of it (huge declarations, deep nesting, long inheritance chains, hundreds of
 * thousands of bindings) end in a clear error or a model, never a stack overflow or a freeze.
 */
describe('reliability: building the model of the largest metadata', function () {
  this.timeout(60000);
  const rejections = unhandledRejections();
  let big: { xml: string; operations: number };
  let doc: XNode;

  before(() => {
    rejections.install();
    big = bigWsdl('WSBig', ALMOST_ALL);
    doc = parseXmlDocument(big.xml, 'WSDL');
  });
  after(() => {
    rejections.uninstall();
    assert.deepEqual(rejections.seen, [], 'no unhandled rejection');
  });

  it('8 MB of WSDL with thousands of operations is built in slices: the loop turns throughout', async () => {
    assert.ok(big.operations > 2500, `${big.operations} operations`);
    // Built at once this takes several hundred ms (more on a loaded machine); in slices of a few
    // ms the loop turns dozens of times while it runs. The count is a property of the code, not
    // of the machine's speed: a build in one step lets no turn run at all.
    const { value: model, turns } = await turnsDuring(() => buildServiceModelInSlices('WSBig', [doc], schemasOf(doc)));
    assert.ok(turns >= 10, `the loop turned ${turns} times during the build`);
    assert.equal(model.operations.size, big.operations);
    const once = buildServiceModel('WSBig', [doc], schemasOf(doc));
    assert.deepEqual([...model.operations.keys()], [...once.operations.keys()]);
    assert.deepEqual(model.operations.get('Op7'), once.operations.get('Op7'));
    const stall = await longestStall(() => buildServiceModelInSlices('WSBig', [doc], schemasOf(doc)));
    assert.ok(stall.stallMs < MAX_STALL_MS, `the event loop stalled for ${stall.stallMs} ms`);
  });

  describe('through the client', () => {
    let server: HostileServer;
    before(async () => {
      server = await startHostile((req, res) => {
        req.resume();
        reply(res, 200, 'text/xml; charset=utf-8', big.xml);
      });
    });
    after(() => server.close());

    it('lists every operation of an 8 MB WSDL without stalling the event loop', async () => {
      const c = new CxClient({ url: `${server.origin}/cx`, username: USER, password: PASSWORD });
      try {
        const { value, error, stallMs } = await longestStall(() => c.operations('WSBig'));
        assert.equal(error, undefined);
        assert.equal(value?.length, big.operations);
        assert.ok(stallMs < MAX_STALL_MS, `the event loop stalled for ${stallMs} ms`);
      } finally {
        c.close();
      }
    });
  });

  const build = (xml: string) => {
    const d = parseXmlDocument(xml, 'WSDL');
    return buildServiceModelInSlices('WSSchema', [d], schemasOf(d));
  };

  it(`a declaration of more than ${MAX_DECLARATION_NODES} elements is CX_BAD_RESPONSE naming it`, async () => {
    const member = '<xs:element minOccurs="0" name="F" type="xs:string"/>';
    await expectCode(
      build(
        schemaWsdl(`<xs:complexType name="Huge"><xs:sequence>${member.repeat(12000)}</xs:sequence></xs:complexType>`),
      ),
      'CX_BAD_RESPONSE',
      /"Huge" with more than 10000 elements/,
      /check the base URL/,
    );
    // The same count spread over inline types nested in one element.
    const inner = `<xs:element name="In"><xs:complexType><xs:sequence>${member.repeat(50)}</xs:sequence></xs:complexType></xs:element>`;
    await expectCode(
      build(
        schemaWsdl(
          `<xs:element name="Outer"><xs:complexType><xs:sequence>${inner.repeat(400)}</xs:sequence></xs:complexType></xs:element>`,
        ),
      ),
      'CX_BAD_RESPONSE',
      /"Outer" with more than 10000 elements/,
    );
  });

  it(`inline types nested more than ${MAX_DECLARATION_DEPTH} deep are CX_BAD_RESPONSE, not a stack overflow`, async () => {
    const open = '<xs:element name="E"><xs:complexType><xs:sequence>';
    const close = '</xs:sequence></xs:complexType></xs:element>';
    // 3,000 levels overflowed the reader's recursion (RangeError) before the bound.
    await expectCode(
      build(schemaWsdl(open.repeat(3000) + close.repeat(3000))),
      'CX_BAD_RESPONSE',
      /nested more than 64 deep/,
    );
    // Within the bound the type is read.
    const model = await build(schemaWsdl(open.repeat(10) + close.repeat(10)));
    assert.ok(model.schema.elements.has(`${BIG_CONTRACTS_NS}|E`));
  });

  it('200,000 empty bindings are read without a spread (no stack overflow)', async () => {
    const xml = schemaWsdl('').replace('<wsdl:binding ', `${'<wsdl:binding name="x"/>'.repeat(200000)}<wsdl:binding `);
    const model = await build(xml);
    assert.equal(model.operations.size, 0);
  });

  it('derived types of a 20,000-long extension chain and of a 20,000-wide fan-out are listed at once', async () => {
    const chain = Array.from(
      { length: 20000 },
      (_, i) =>
        `<xs:complexType name="C${i + 1}"><xs:complexContent><xs:extension base="m:C${i}"/></xs:complexContent></xs:complexType>`,
    );
    const fan = Array.from(
      { length: 20000 },
      (_, i) =>
        `<xs:complexType name="D${i}"><xs:complexContent><xs:extension base="m:Base"/></xs:complexContent></xs:complexType>`,
    );
    const model = await build(
      schemaWsdl(`<xs:complexType name="C0"/><xs:complexType name="Base"/>${chain.join('')}${fan.join('')}`),
    );
    // Recursion overflowed the stack on the chain; every type's list was built eagerly, each
    // copying its siblings', which took minutes on the fan-out.
    const down = model.schema.derivedOf({ ns: BIG_CONTRACTS_NS, name: 'C0' });
    assert.equal(down.length, 20000);
    assert.deepEqual(
      down.slice(0, 3).map((t) => t.name),
      ['C1', 'C2', 'C3'],
    );
    const wide = model.schema.derivedOf({ ns: BIG_CONTRACTS_NS, name: 'Base' });
    assert.equal(wide.length, 20000);
    assert.equal(wide[19999].name, 'D19999');
    assert.equal(model.schema.derivedOf({ ns: BIG_CONTRACTS_NS, name: 'C19999' }).length, 1);
  });
});
