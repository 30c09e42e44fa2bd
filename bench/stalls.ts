// The longest event-loop stall of the two long synchronous jobs the client does, at the sizes the
// README's "Reliability and security" allows: building the model of 8 MB of WSDL, and writing a
// request of 200,000 elements. Each once in one step and once in slices. Usage (after a build):
//   node dist/bench/stalls.js
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { MAX_ARRAY_ITEMS, buildEnvelope, buildEnvelopeInSlices } from '../nodes/lib/envelope';
import { XSD_NS } from '../nodes/lib/schema';
import { WSDL_NS, buildServiceModel, buildServiceModelInSlices } from '../nodes/lib/service-model';
import { resolveTokenPlace } from '../nodes/lib/token-placement';
import { XNode, childrenOf, parseXmlDocument } from '../nodes/lib/xml-dom';
import { bigWsdl } from '../test/helpers/big-wsdl';

const schemasOf = (doc: XNode) => childrenOf(doc, WSDL_NS, 'types').flatMap((t) => childrenOf(t, XSD_NS, 'schema'));

async function measure(label: string, work: () => unknown): Promise<void> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, 20));
  const started = performance.now();
  await work();
  const total = performance.now() - started;
  await new Promise((r) => setTimeout(r, 20));
  h.disable();
  console.log(
    `${label.padEnd(44)} total ${total.toFixed(0).padStart(5)} ms, longest stall ${(h.max / 1e6).toFixed(0)} ms`,
  );
}

const T = 'http://tempuri.org/';
const LINES_WSDL =
  `<wsdl:definitions targetNamespace="${T}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${T}" xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
  `<wsdl:types><xs:schema elementFormDefault="qualified" targetNamespace="${T}">` +
  '<xs:complexType name="Line"><xs:sequence><xs:element minOccurs="0" name="Code" type="xs:string"/><xs:element minOccurs="0" name="Qty" type="xs:decimal"/><xs:element minOccurs="0" name="Due" type="xs:dateTime"/></xs:sequence></xs:complexType>' +
  '<xs:complexType name="ArrayOfLine"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="Line" nillable="true" type="tns:Line"/></xs:sequence></xs:complexType>' +
  '<xs:element name="Put"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="Lines" type="tns:ArrayOfLine"/></xs:sequence></xs:complexType></xs:element>' +
  '<xs:element name="PutResponse"><xs:complexType><xs:sequence/></xs:complexType></xs:element></xs:schema></wsdl:types>' +
  '<wsdl:message name="In"><wsdl:part name="parameters" element="tns:Put"/></wsdl:message><wsdl:message name="Out"><wsdl:part name="parameters" element="tns:PutResponse"/></wsdl:message>' +
  '<wsdl:portType name="I"><wsdl:operation name="Put"><wsdl:input message="tns:In"/><wsdl:output message="tns:Out"/></wsdl:operation></wsdl:portType>' +
  '<wsdl:binding name="B" type="tns:I"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="Put"><soap:operation soapAction="Put" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation></wsdl:binding></wsdl:definitions>';

async function main(): Promise<void> {
  const big = bigWsdl('WSBig', 8 * 1024 * 1024 - 64 * 1024);
  const doc = parseXmlDocument(big.xml, 'WSDL');
  const schemas = schemasOf(doc);
  const what = `model of 8 MB of WSDL (${big.operations} ops)`;
  await measure(`${what}, at once`, () => buildServiceModel('WSBig', [doc], schemas));
  await measure(`${what}, in slices`, () => buildServiceModelInSlices('WSBig', [doc], schemas));

  const linesDoc = parseXmlDocument(LINES_WSDL, 'WSDL');
  const model = buildServiceModel('WSPut', [linesDoc], schemasOf(linesDoc));
  const op = model.operations.get('Put');
  if (!op) throw new Error('no operation');
  const ctx = { service: 'WSPut', method: 'Put' };
  const place = resolveTokenPlace(op, model.schema, 'none', 'Token', ctx);
  const args = {
    Lines: Array.from({ length: MAX_ARRAY_ITEMS - 1 }, (_, i) => ({ Code: `C${i}`, Qty: i + 0.5, Due: new Date() })),
  };
  await measure('request of 200,000 elements, at once', () =>
    buildEnvelope(op, model.schema, place, undefined, args, ctx),
  );
  await measure('request of 200,000 elements, in slices', () =>
    buildEnvelopeInSlices(op, model.schema, place, undefined, args, ctx),
  );
}

void main();
