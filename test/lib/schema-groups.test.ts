// Schema shapes WCF's XmlSerializer services (and other SOAP 1.1 servers) publish beyond
// DataContracts: named xs:group / xs:attributeGroup references, used before they are defined and
// across schemas read later, and required xs:choices. README, Messages.
import assert from 'node:assert/strict';
import { buildEnvelope } from '../../nodes/lib/envelope';
import { soapAnswerHandler } from '../../nodes/lib/response-reader';
import { CxError } from '../../nodes/lib/errors';
import { MAX_GROUP_MEMBERS } from '../../nodes/lib/schema';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { buildTemplate } from '../../nodes/lib/template';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';
import { throwsCode } from '../helpers/job-service';

const T = 'http://tempuri.org/';
const DC3 = 'urn:acme:orders';
const DC4 = 'urn:acme:audit';
const WSDL = `<wsdl:definitions targetNamespace="${T}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
 xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${T}">
 <wsdl:message name="PlaceIn"><wsdl:part name="parameters" element="tns:Place"/></wsdl:message>
 <wsdl:message name="PlaceOut"><wsdl:part name="parameters" element="tns:PlaceResponse"/></wsdl:message>
 <wsdl:portType name="P"><wsdl:operation name="Place"><wsdl:input message="tns:PlaceIn"/><wsdl:output message="tns:PlaceOut"/></wsdl:operation></wsdl:portType>
 <wsdl:binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="Place"><soap:operation soapAction="urn:Place" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
 </wsdl:binding>
</wsdl:definitions>`;
const XSD_T = `<xs:schema elementFormDefault="qualified" targetNamespace="${T}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:q="${DC3}">
 <xs:element name="Place"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="order" type="q:Order"/></xs:sequence></xs:complexType></xs:element>
 <xs:element name="PlaceResponse"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="PlaceResult" type="q:Order"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>`;
// Groups referred to before their definition, one from a schema read after this one, one nested.
const XSD_ORDERS = `<xs:schema elementFormDefault="qualified" targetNamespace="${DC3}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${DC3}" xmlns:a="${DC4}">
 <xs:complexType name="Order"><xs:sequence>
  <xs:element name="Id" type="xs:int"/>
  <xs:group ref="tns:Lines"/>
  <xs:element minOccurs="0" name="Note" type="xs:string"/>
  <xs:choice minOccurs="0"><xs:element name="ByPost" type="xs:boolean"/><xs:element name="ByMail" type="xs:string"/></xs:choice>
  <xs:group ref="a:Audit"/>
 </xs:sequence><xs:attributeGroup ref="a:Stamp"/></xs:complexType>
 <xs:group name="Lines"><xs:sequence><xs:element name="Sku" type="xs:string"/><xs:element minOccurs="0" name="Qty" type="xs:int"/><xs:group ref="tns:Extra"/></xs:sequence></xs:group>
 <xs:group name="Extra"><xs:sequence><xs:element minOccurs="0" name="Gift" type="xs:boolean"/></xs:sequence></xs:group>
</xs:schema>`;
const XSD_AUDIT = `<xs:schema elementFormDefault="qualified" targetNamespace="${DC4}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${DC4}">
 <xs:group name="Audit"><xs:choice><xs:element name="Clerk" type="xs:string"/><xs:element name="Terminal" type="xs:int"/></xs:choice></xs:group>
 <xs:attributeGroup name="Stamp"><xs:attribute name="version" type="xs:int"/><xs:attributeGroup ref="tns:More"/></xs:attributeGroup>
 <xs:attributeGroup name="More"><xs:attribute name="source" type="xs:string"/></xs:attributeGroup>
</xs:schema>`;

const ctx = { service: 'Orders', method: 'Place' };

function modelOf(schemas: string[]) {
  const model = buildServiceModel(
    'Orders',
    [parseXmlDocument(WSDL, 'wsdl')],
    schemas.map((x) => parseXmlDocument(x, 'xsd')),
  );
  const op = model.operations.get('Place');
  assert.ok(op);
  return { model, op };
}

describe('schema groups and required choices', () => {
  const { model, op } = modelOf([XSD_T, XSD_ORDERS, XSD_AUDIT]);
  const env = (args: unknown) => buildEnvelope(op, model.schema, { kind: 'none' }, undefined, args, ctx);

  it('reads xs:group and xs:attributeGroup references, in place and in their own namespace, whatever the order', () => {
    const order = { ns: DC3, name: 'Order' };
    for (const schemas of [
      [XSD_T, XSD_ORDERS, XSD_AUDIT],
      [XSD_AUDIT, XSD_ORDERS, XSD_T],
    ]) {
      const { model: m } = modelOf(schemas);
      const t = m.schema.type(order);
      assert.ok(t?.kind === 'complex');
      assert.deepEqual(
        m.schema.membersOf(t).map((x) => `${x.ns === DC4 ? 'a:' : ''}${x.name}`),
        ['Id', 'Sku', 'Qty', 'Gift', 'Note', 'ByPost', 'ByMail', 'a:Clerk', 'a:Terminal'],
      );
      assert.deepEqual(
        t.attributes?.map((a) => a.name),
        ['version', 'source'],
      );
    }
    const xml = env({
      order: { Clerk: 'c', Note: 'n', Gift: true, Sku: 'A1', Id: 1, $attributes: { version: 2, source: 's' } },
    });
    assert.match(xml, /xmlns:n1="urn:acme:orders"/);
    assert.match(xml, /xmlns:n2="urn:acme:audit"/);
    assert.match(
      xml,
      /<n0:order version="2" source="s"><n1:Id>1<\/n1:Id><n1:Sku>A1<\/n1:Sku><n1:Gift>true<\/n1:Gift><n1:Note>n<\/n1:Note><n2:Clerk>c<\/n2:Clerk><\/n0:order>/,
    );
    assert.deepEqual(buildTemplate(op, model.schema, { kind: 'none' }), {
      order: {
        Id: 'int',
        Sku: 'string',
        Qty: 'int',
        Gift: 'boolean',
        Note: 'string',
        ByPost: 'boolean',
        ByMail: 'string',
        Clerk: 'string',
        Terminal: 'int',
        $attributes: { version: 'int', source: 'string' },
      },
    });
  });

  it("reads a group's members back from an answer", () => {
    const h = soapAnswerHandler(model.schema, op.output, { ...ctx, host: 'h' });
    h.head(200, { 'content-type': 'text/xml; charset=utf-8' });
    h.chunk(
      Buffer.from(
        `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><PlaceResponse xmlns="${T}">` +
          `<PlaceResult xmlns:o="${DC3}" xmlns:a="${DC4}"><o:Id>4</o:Id><o:Sku>B2</o:Sku><o:Qty>3</o:Qty><a:Terminal>9</a:Terminal></PlaceResult>` +
          '</PlaceResponse></s:Body></s:Envelope>',
      ),
    );
    assert.deepEqual(h.end().result, { Id: 4, Sku: 'B2', Qty: 3, Terminal: 9 });
  });

  it('refuses a required member that a group brings when it is left out', () => {
    throwsCode(() => env({ order: { Id: 1, Clerk: 'c' } }), 'CX_BAD_REQUEST', /lacks the required member Sku/);
  });

  it('refuses a required xs:choice with no branch given, naming its branches; an optional one may be left out', () => {
    const e = throwsCode(
      () => env({ order: { Id: 1, Sku: 'A' } }),
      'CX_BAD_REQUEST',
      /order lacks a branch of a required xs:choice: give one of Clerk, Terminal \(Orders\.Place\)/,
    );
    assert.deepEqual(e.details.validNames, ['Clerk', 'Terminal']);
    // ByPost | ByMail has minOccurs="0": nothing given is fine; two branches never are.
    assert.match(env({ order: { Id: 1, Sku: 'A', Terminal: 2 } }), /<n2:Terminal>2<\/n2:Terminal>/);
    throwsCode(
      () => env({ order: { Id: 1, Sku: 'A', Clerk: 'c', Terminal: 2 } }),
      'CX_BAD_REQUEST',
      /gives Clerk and Terminal, but only one of Clerk, Terminal may be sent/,
    );
  });

  it('bounds what group references may expand to, and takes a group that contains itself as XML content', () => {
    // Seven levels of ten references each: ten million members if expanded blindly.
    const levels = Array.from(
      { length: 7 },
      (_, i) =>
        `<xs:group name="G${i}"><xs:sequence>${
          i === 6
            ? Array.from({ length: 10 }, (_, j) => `<xs:element minOccurs="0" name="E${j}" type="xs:int"/>`).join('')
            : `<xs:group ref="tns:G${i + 1}"/>`.repeat(10)
        }</xs:sequence></xs:group>`,
    ).join('');
    const bomb = XSD_ORDERS.replace('<xs:group ref="tns:Lines"/>', '<xs:group ref="tns:G0"/>').replace(
      '</xs:schema>',
      `${levels}</xs:schema>`,
    );
    assert.throws(
      () => modelOf([XSD_T, bomb, XSD_AUDIT]),
      (e: unknown) =>
        e instanceof CxError && e.code === 'CX_BAD_RESPONSE' && e.message.includes(`more than ${MAX_GROUP_MEMBERS}`),
    );
    const loop = XSD_ORDERS.replace('<xs:group ref="tns:Extra"/>', '<xs:group ref="tns:Lines"/>');
    const { model: m } = modelOf([XSD_T, loop, XSD_AUDIT]);
    const t = m.schema.type({ ns: DC3, name: 'Order' });
    assert.ok(t?.kind === 'complex');
    assert.equal(t.any, true);
    assert.deepEqual(
      m.schema.membersOf(t).map((x) => x.name),
      ['Id', 'Sku', 'Qty', 'Note', 'ByPost', 'ByMail', 'Clerk', 'Terminal'],
    );
  });
});
