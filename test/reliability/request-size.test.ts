import assert from 'node:assert/strict';
import {
  MAX_ARRAY_ITEMS,
  MAX_REQUEST_CHARS,
  MAX_REQUEST_ELEMENTS,
  buildEnvelope,
  buildEnvelopeInSlices,
} from '../../nodes/lib/envelope';
import { XSD_NS } from '../../nodes/lib/schema';
import { WSDL_NS, buildServiceModel } from '../../nodes/lib/service-model';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { childrenOf, parseXmlDocument } from '../../nodes/lib/xml-dom';
import { MAX_STALL_MS, expectCode, longestStall } from '../helpers/reliability';
import { turnsDuring } from '../helpers/turns';

const T = 'http://tempuri.org/';
/** One operation taking an array of three-member lines and a free text. */
const WSDL = `<wsdl:definitions targetNamespace="${T}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
 xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${T}" xmlns:xs="http://www.w3.org/2001/XMLSchema">
 <wsdl:types><xs:schema elementFormDefault="qualified" targetNamespace="${T}">
  <xs:complexType name="Line"><xs:sequence><xs:element minOccurs="0" name="Code" type="xs:string"/>
   <xs:element minOccurs="0" name="Qty" type="xs:decimal"/><xs:element minOccurs="0" name="Due" type="xs:dateTime"/></xs:sequence></xs:complexType>
  <xs:complexType name="ArrayOfLine"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="Line" nillable="true" type="tns:Line"/></xs:sequence></xs:complexType>
  <xs:element name="Put"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="Lines" type="tns:ArrayOfLine"/>
   <xs:element minOccurs="0" name="Note" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
  <xs:element name="PutResponse"><xs:complexType><xs:sequence/></xs:complexType></xs:element>
 </xs:schema></wsdl:types>
 <wsdl:message name="In"><wsdl:part name="parameters" element="tns:Put"/></wsdl:message>
 <wsdl:message name="Out"><wsdl:part name="parameters" element="tns:PutResponse"/></wsdl:message>
 <wsdl:portType name="I"><wsdl:operation name="Put"><wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>
 <wsdl:binding name="B" type="tns:I"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="Put"><soap:operation soapAction="${T}I/Put" style="document"/>
   <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding>
</wsdl:definitions>`;

const doc = parseXmlDocument(WSDL, 'WSDL');
const model = buildServiceModel(
  'WSPut',
  [doc],
  childrenOf(doc, WSDL_NS, 'types').flatMap((t) => childrenOf(t, XSD_NS, 'schema')),
);
const op = model.operations.get('Put');
assert.ok(op);
const ctx = { service: 'WSPut', method: 'Put' };
const place = resolveTokenPlace(op, model.schema, 'none', 'Token', ctx);
const inSlices = (args: unknown) => buildEnvelopeInSlices(op, model.schema, place, undefined, args, ctx);
const atOnce = (args: unknown) => buildEnvelope(op, model.schema, place, undefined, args, ctx);

/**
 * A request at the documented caps (README "Reliability and security") is written without holding
 * the event loop: in slices of a few ms, each element and each piece of long text a place to pause.
 */
describe('reliability: the largest request a flow may send', function () {
  this.timeout(60000);

  it(`${MAX_ARRAY_ITEMS} lines of three members (${MAX_REQUEST_ELEMENTS} elements) are written in slices`, async () => {
    const lines = Array.from({ length: MAX_ARRAY_ITEMS - 1 }, (_, i) => ({
      Code: `C${i}`,
      Qty: i + 0.5,
      Due: new Date(Date.UTC(2026, 0, 1, 0, 0, i % 60)),
    }));
    // Written at once this takes about a second (more on a loaded machine). The turn count is a
    // property of the code, not of the machine: a build in one step lets no turn run at all.
    const { value, stallMs } = await longestStall(() => turnsDuring(() => inSlices({ Lines: lines })));
    assert.ok(value, 'written');
    const { value: xml, turns } = value;
    assert.ok(turns >= 10, `the loop turned ${turns} times while the request was written`);
    assert.ok(stallMs < MAX_STALL_MS, `the event loop stalled for ${stallMs} ms`);
    assert.equal(xml.match(/<n0:Line>/g)?.length, MAX_ARRAY_ITEMS - 1);
    const last = atOnce({ Lines: lines.slice(-1) });
    const lastLine = last.slice(last.indexOf('<n0:Line>'), last.indexOf('</n0:Lines>'));
    assert.ok(xml.endsWith(`${lastLine}</n0:Lines></n0:Put></s:Body></s:Envelope>`), 'the last line is written whole');
    // One element more than the cap is refused, in slices too.
    await expectCode(
      inSlices({ Lines: [...lines, { Code: 'X', Qty: 1, Due: new Date() }] }),
      'CX_BAD_REQUEST',
      /more than 200000 elements/,
    );
  });

  it('a 1 MB text of characters to escape is escaped in pieces, with turns between them', async () => {
    const note = '<&'.repeat(512 * 1024);
    const { value: xml, turns } = await turnsDuring(() => inSlices({ Note: note }));
    assert.ok(turns >= 2, `the loop turned ${turns} times while the text was escaped`);
    const start = xml.indexOf('<n0:Note>') + '<n0:Note>'.length;
    assert.equal(xml.slice(start, start + 18), '&lt;&amp;&lt;&amp;');
    assert.equal(xml.length - atOnce({}).length, 512 * 1024 * 9 + '<n0:Note></n0:Note>'.length);
  });

  it(`a request over ${MAX_REQUEST_CHARS / (1024 * 1024)} MB of XML is CX_BAD_REQUEST, refused as it gets there`, async () => {
    // Far under the element caps: 40 lines, each with a 1 MB code.
    const code = 'x'.repeat(1024 * 1024);
    const lines = Array.from({ length: 40 }, () => ({ Code: code }));
    await expectCode(inSlices({ Lines: lines }), 'CX_BAD_REQUEST', /over 32 MB of XML; send less in one call/);
    assert.throws(() => atOnce({ Note: 'y'.repeat(MAX_REQUEST_CHARS + 1) }), /over 32 MB of XML/);
    // Just under the cap goes out whole.
    const xml = await inSlices({ Lines: lines.slice(0, 30) });
    assert.ok(xml.length > 30 * 1024 * 1024 && xml.length < MAX_REQUEST_CHARS);
  });

  it('a small request is written in one slice, as before', async () => {
    const { value: xml, turns } = await turnsDuring(() => inSlices({ Lines: [{ Code: 'A' }] }));
    // Normally no turn at all; one if a collection happened to pause this very slice.
    assert.ok(turns <= 1, `${turns} turns`);
    assert.equal(xml, atOnce({ Lines: [{ Code: 'A' }] }));
  });
});
