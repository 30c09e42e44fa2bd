// The WSDL model and answer reading for shapes real WCF (and other SOAP 1.1 servers) publish:
// element refs into a schema read later, type= parts, one-way operations, namespaces in answers.
import assert from 'node:assert/strict';
import { MAX_XML_CONTENT_CHARS, buildEnvelope } from '../../nodes/lib/envelope';
import { CxError } from '../../nodes/lib/errors';
import { soapAnswerHandler } from '../../nodes/lib/response-reader';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { buildTemplate } from '../../nodes/lib/template';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';

const DC = 'urn:acme:dc';
const DC2 = 'urn:acme:dc2';
const WSDL = `<wsdl:definitions targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
 xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="http://tempuri.org/" xmlns:xs="http://www.w3.org/2001/XMLSchema">
 <wsdl:message name="GetIn"><wsdl:part name="parameters" element="tns:Get"/></wsdl:message>
 <wsdl:message name="GetOut"><wsdl:part name="parameters" element="tns:GetResponse"/></wsdl:message>
 <wsdl:message name="FireIn"><wsdl:part name="parameters" element="tns:Fire"/></wsdl:message>
 <wsdl:message name="CalcIn"><wsdl:part name="a" type="xs:int"/><wsdl:part name="b" type="xs:int"/></wsdl:message>
 <wsdl:message name="CalcOut"><wsdl:part name="sum" type="xs:int"/></wsdl:message>
 <wsdl:message name="OddIn"><wsdl:part name="value" type="xs:string"/></wsdl:message>
 <wsdl:message name="BagIn"><wsdl:part name="parameters" element="tns:Bag"/></wsdl:message>
 <wsdl:message name="BagOut"><wsdl:part name="parameters" element="tns:BagResponse"/></wsdl:message>
 <wsdl:message name="PriceIn"><wsdl:part name="Price" element="tns:Price"/></wsdl:message>
 <wsdl:message name="PairIn"><wsdl:part name="amount" element="tns:Price"/><wsdl:part name="label" element="tns:Label"/></wsdl:message>
 <wsdl:portType name="P">
  <wsdl:operation name="Get"><wsdl:input message="tns:GetIn"/><wsdl:output message="tns:GetOut"/></wsdl:operation>
  <wsdl:operation name="Fire"><wsdl:input message="tns:FireIn"/></wsdl:operation>
  <wsdl:operation name="Calc"><wsdl:input message="tns:CalcIn"/><wsdl:output message="tns:CalcOut"/></wsdl:operation>
  <wsdl:operation name="Odd"><wsdl:input message="tns:OddIn"/></wsdl:operation>
  <wsdl:operation name="Bag"><wsdl:input message="tns:BagIn"/><wsdl:output message="tns:BagOut"/></wsdl:operation>
  <wsdl:operation name="SetPrice"><wsdl:input message="tns:PriceIn"/></wsdl:operation>
  <wsdl:operation name="SetPair"><wsdl:input message="tns:PairIn"/></wsdl:operation>
 </wsdl:portType>
 <wsdl:binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="Get"><soap:operation soapAction="urn:Get" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="Fire"><soap:operation soapAction="urn:Fire" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
  <wsdl:operation name="Calc"><soap:operation soapAction="urn:Calc" style="rpc"/><wsdl:input><soap:body use="literal" namespace="urn:calc"/></wsdl:input><wsdl:output><soap:body use="literal" namespace="urn:calc"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="Odd"><soap:operation soapAction="urn:Odd" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
  <wsdl:operation name="Bag"><soap:operation soapAction="urn:Bag" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="SetPrice"><soap:operation soapAction="urn:SetPrice" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
  <wsdl:operation name="SetPair"><soap:operation soapAction="urn:SetPair" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation>
 </wsdl:binding>
</wsdl:definitions>`;
// The wrapper schema comes first and refers to an element of a schema read after it.
const XSD_TEMPURI = `<xs:schema elementFormDefault="qualified" targetNamespace="http://tempuri.org/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:q="${DC}">
 <xs:element name="Get"><xs:complexType><xs:sequence><xs:element ref="q:Item"/><xs:element minOccurs="0" name="count" type="xs:long"/></xs:sequence></xs:complexType></xs:element>
 <xs:element name="GetResponse"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="GetResult" nillable="true" type="q:Item"/></xs:sequence></xs:complexType></xs:element>
 <xs:element name="Bag"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="bag" nillable="true" type="q:Bag"/></xs:sequence></xs:complexType></xs:element>
 <xs:element name="BagResponse"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="BagResult" nillable="true" type="q:Bag"/></xs:sequence></xs:complexType></xs:element>
 <xs:element name="Price" type="xs:decimal"/>
 <xs:element name="Label" nillable="true" type="xs:string"/>
 <xs:element name="Fire"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="what" nillable="true" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
</xs:schema>`;
const XSD_DC = `<xs:schema elementFormDefault="qualified" targetNamespace="${DC}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${DC}">
 <xs:complexType name="Item"><xs:sequence><xs:element minOccurs="0" name="Amount" type="xs:int"/><xs:element minOccurs="0" name="Name" nillable="true" type="xs:string"/></xs:sequence></xs:complexType>
 <xs:element name="Item" nillable="true" type="tns:Item"/>
 <xs:complexType name="Bag"><xs:sequence>
  <xs:choice><xs:element name="ById" type="xs:int"/><xs:sequence><xs:element name="First" type="xs:string"/><xs:element name="Last" type="xs:string"/></xs:sequence></xs:choice>
  <xs:element minOccurs="0" name="Price" nillable="true" type="tns:Money"/>
  <xs:element minOccurs="0" name="Blob" nillable="true" type="tns:Blob"/>
  <xs:element minOccurs="0" name="Map" nillable="true" type="tns:ArrayOfKeyValueOfstringstring"/>
 </xs:sequence></xs:complexType>
 <xs:complexType name="Money"><xs:simpleContent><xs:extension base="xs:decimal"><xs:attribute name="currency" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>
 <xs:complexType name="Blob"><xs:sequence><xs:any minOccurs="0" processContents="lax"/></xs:sequence></xs:complexType>
 <xs:complexType name="ArrayOfKeyValueOfstringstring"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="KeyValueOfstringstring"><xs:complexType><xs:sequence>
  <xs:element name="Key" nillable="true" type="xs:string"/><xs:element name="Value" nillable="true" type="xs:string"/></xs:sequence></xs:complexType></xs:element></xs:sequence></xs:complexType>
 <xs:complexType name="ApiFault"><xs:sequence><xs:element minOccurs="0" name="Code" type="xs:int"/></xs:sequence></xs:complexType>
 <xs:element name="ApiFault" nillable="true" type="tns:ApiFault"/>
 <xs:complexType name="Special"><xs:complexContent mixed="false"><xs:extension base="tns:Item"><xs:sequence><xs:element minOccurs="0" name="Level" type="xs:boolean"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
</xs:schema>`;
// A second type named Special in another namespace, with a member of another type: xsi:type must be read by namespace.
const XSD_DC2 = `<xs:schema elementFormDefault="qualified" targetNamespace="${DC2}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:q="${DC}">
 <xs:complexType name="Special"><xs:complexContent mixed="false"><xs:extension base="q:Item"><xs:sequence><xs:element minOccurs="0" name="Level" type="xs:string"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>
</xs:schema>`;

const model = buildServiceModel(
  'Acme',
  [parseXmlDocument(WSDL, 'wsdl')],
  [XSD_TEMPURI, XSD_DC, XSD_DC2].map((x) => parseXmlDocument(x, 'xsd')),
);
const ctx = (method: string) => ({ service: 'Acme', method });
const op = (name: string) => {
  const o = model.operations.get(name);
  assert.ok(o, name);
  return o;
};
const env = (method: string, args: unknown) =>
  buildEnvelope(op(method), model.schema, { kind: 'none' }, undefined, args, ctx(method));
function read(method: string, xml: string, status = 200) {
  const h = soapAnswerHandler(model.schema, op(method).output, { ...ctx(method), host: 'h' });
  h.head(status, { 'content-type': 'text/xml; charset=utf-8' });
  const buf = Buffer.from(xml);
  for (let i = 0; i < buf.length; i += 5) h.chunk(buf.subarray(i, i + 5));
  return h.end();
}
const S = 'http://schemas.xmlsoap.org/soap/envelope/';

describe('WSDL shapes beyond the Cx services (model and answers)', () => {
  it('types an element ref into a schema read later (not anyType)', () => {
    const item = op('Get').params[0];
    assert.deepEqual(item.type, { ns: DC, name: 'Item' });
    assert.match(env('Get', { Item: { Amount: 3 } }), /<n1:Item><n1:Amount>3<\/n1:Amount><\/n1:Item>/);
  });

  it('supports rpc operations with type= parts, and lists a document one it cannot write, failing it clearly', () => {
    assert.deepEqual([...model.operations.keys()].sort(), ['Bag', 'Calc', 'Fire', 'Get', 'Odd', 'SetPair', 'SetPrice']);
    assert.match(env('Calc', { a: 1, b: 2 }), /<s:Body><n0:Calc><a>1<\/a><b>2<\/b><\/n0:Calc><\/s:Body>/);
    assert.match(env('Calc', { a: 1, b: 2 }), /xmlns:n0="urn:calc"/);
    const r = read(
      'Calc',
      `<s:Envelope xmlns:s="${S}"><s:Body><c:CalcResponse xmlns:c="urn:calc"><sum>3</sum></c:CalcResponse></s:Body></s:Envelope>`,
    );
    assert.deepEqual(r.result, { sum: 3 });
    assert.throws(
      () => env('Odd', { value: 'x' }),
      (e: unknown) =>
        e instanceof CxError && e.code === 'CX_BAD_REQUEST' && /type= in a document-style binding/.test(e.message),
    );
  });

  it('writes a bare input of one simple-typed part as that element alone in the Body', () => {
    assert.deepEqual(buildTemplate(op('SetPrice'), model.schema, { kind: 'none' }), { Price: 'decimal' });
    assert.match(env('SetPrice', { Price: '1.50' }), /<s:Body><n0:Price>1.50<\/n0:Price><\/s:Body>/);
    assert.throws(
      () => env('SetPrice', { Price: 'cheap' }),
      (e: unknown) => e instanceof CxError && e.code === 'CX_BAD_REQUEST' && /Price must be a number/.test(e.message),
    );
  });

  it('takes the parts of a bare input by element name or by WSDL part name, written in declared order', () => {
    const body = /<s:Body><n0:Price>2<\/n0:Price><n0:Label>x<\/n0:Label><\/s:Body>/;
    assert.match(env('SetPair', { Label: 'x', Price: 2 }), body);
    assert.match(env('SetPair', { label: 'x', amount: 2 }), body);
    assert.throws(
      () => env('SetPair', { amount: 2, Price: 3 }),
      (e: unknown) =>
        e instanceof CxError && e.code === 'CX_BAD_REQUEST' && /gives the part Price twice/.test(e.message),
    );
  });

  it('takes an empty 202 as the success of a one-way operation', () => {
    assert.equal(op('Fire').output, undefined);
    const h = soapAnswerHandler(model.schema, undefined, { ...ctx('Fire'), host: 'h' });
    h.head(202, {});
    assert.equal(h.end().result, undefined);
  });

  it('reads answers with namespaces resolved: rebound prefixes, default namespace, xsi:type by namespace', () => {
    const r = read(
      'Get',
      `<s:Envelope xmlns:s="${S}"><s:Body><GetResponse xmlns="http://tempuri.org/">` +
        `<GetResult xmlns:a="${DC2}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="a:Special">` +
        `<Amount xmlns="${DC}">7</Amount><a:Name xmlns:a="${DC}">n</a:Name><a:Level>high</a:Level>` +
        `</GetResult></GetResponse></s:Body></s:Envelope>`,
    );
    // Level is text: the Special of DC2, not the boolean Special of DC
    assert.deepEqual(r.result, { Amount: 7, Name: 'n', Level: 'high' });
  });

  it('keeps an empty numeric element as empty text, never 0; writes a large whole number without an exponent', () => {
    const r = read(
      'Get',
      `<s:Envelope xmlns:s="${S}"><s:Body><GetResponse xmlns="http://tempuri.org/"><GetResult xmlns:a="${DC}"><a:Amount/></GetResult></GetResponse></s:Body></s:Envelope>`,
    );
    assert.deepEqual(r.result, { Amount: '' });
    assert.match(env('Get', { Item: null, count: 1e21 }), /<n0:count>1000000000000000000000<\/n0:count>/);
  });

  it('fails a z:Ref to an object the answer does not hold with CX_BAD_RESPONSE', () => {
    assert.throws(
      () =>
        read(
          'Get',
          `<s:Envelope xmlns:s="${S}"><s:Body><GetResponse xmlns="http://tempuri.org/"><GetResult xmlns:z="http://schemas.microsoft.com/2003/10/Serialization/" z:Ref="i9"/></GetResponse></s:Body></s:Envelope>`,
        ),
      (e: unknown) => e instanceof CxError && e.code === 'CX_BAD_RESPONSE' && /z:Ref="i9"/.test(e.message),
    );
  });

  it('fails a z:Ref to an object inside itself (a cycle) with CX_BAD_RESPONSE, never a silent null', () => {
    assert.throws(
      () =>
        read(
          'Get',
          `<s:Envelope xmlns:s="${S}"><s:Body><GetResponse xmlns="http://tempuri.org/">` +
            `<GetResult xmlns:a="${DC}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns:z="http://schemas.microsoft.com/2003/10/Serialization/" z:Id="i1">` +
            `<a:Amount>1</a:Amount><a:Name z:Ref="i1" i:nil="true"/></GetResult></GetResponse></s:Body></s:Envelope>`,
        ),
      (e: unknown) =>
        e instanceof CxError && e.code === 'CX_BAD_RESPONSE' && /inside itself \(z:Ref="i1", a cycle\)/.test(e.message),
    );
  });

  it('sends at most one branch of an xs:choice, a branch being one element or a sequence', () => {
    assert.match(env('Bag', { bag: { ById: 4 } }), /<n1:ById>4<\/n1:ById>/);
    assert.match(env('Bag', { bag: { First: 'a', Last: 'b' } }), /<n1:First>a<\/n1:First><n1:Last>b<\/n1:Last>/);
    assert.throws(
      () => env('Bag', { bag: { ById: 4, Last: 'b' } }),
      (e: unknown) =>
        e instanceof CxError && e.code === 'CX_BAD_REQUEST' && /only one of ById, First, Last/.test(e.message),
    );
    // The choice is required (minOccurs 1, every branch needs content): nothing given is refused before sending.
    assert.throws(
      () => env('Bag', { bag: { Price: 2 } }),
      (e: unknown) =>
        e instanceof CxError &&
        e.code === 'CX_BAD_REQUEST' &&
        /bag lacks a branch of a required xs:choice: give one of ById, First, Last/.test(e.message),
    );
  });

  it('writes and reads simpleContent with attributes as { $value, $attributes }', () => {
    assert.match(
      env('Bag', { bag: { ById: 1, Price: { $value: '1.5', $attributes: { currency: 'EUR' } } } }),
      /<n1:Price currency="EUR">1.5<\/n1:Price>/,
    );
    assert.match(env('Bag', { bag: { ById: 1, Price: 2 } }), /<n1:Price>2<\/n1:Price>/);
    const r = read(
      'Bag',
      `<s:Envelope xmlns:s="${S}"><s:Body><BagResponse xmlns="http://tempuri.org/"><BagResult xmlns:a="${DC}">` +
        `<a:Price currency="GBP">12.50</a:Price></BagResult></BagResponse></s:Body></s:Envelope>`,
    );
    assert.deepEqual(r.result, { Price: { $value: 12.5, $attributes: { currency: 'GBP' } } });
  });

  it('keeps xs:any content (IXmlSerializable, DataSet) as XML text under $xml, namespaces declared', () => {
    const r = read(
      'Bag',
      `<s:Envelope xmlns:s="${S}"><s:Body><BagResponse xmlns="http://tempuri.org/"><BagResult xmlns:a="${DC}">` +
        `<a:Blob><x:thing xmlns:x="urn:x" n="1">t &amp; u<x:y/></x:thing></a:Blob></BagResult></BagResponse></s:Body></s:Envelope>`,
    );
    const xml = (r.result as Record<string, Record<string, string>>).Blob.$xml;
    assert.match(xml, /^<x:thing xmlns:x="urn:x" n="1"[^>]*>t &amp; u<x:y><\/x:y><\/x:thing>$/);
    assert.match(xml, /xmlns:a="urn:acme:dc"/);
    assert.match(
      env('Bag', { bag: { ById: 1, Blob: { $xml: '<z:q xmlns:z="urn:z"/>' } } }),
      /<n1:Blob><z:q xmlns:z="urn:z"\/><\/n1:Blob>/,
    );
    assert.throws(() => env('Bag', { bag: { ById: 1, Blob: { $xml: '<open>' } } }), /not well-formed/);
    // Checked in one step: bounded, refused before the check (README "Reliability and security").
    const huge = '<a>&amp;</a>'.repeat(MAX_XML_CONTENT_CHARS / 12 + 1);
    assert.throws(
      () => env('Bag', { bag: { ById: 1, Blob: { $xml: huge } } }),
      /Blob.\$xml is 1048584 characters of XML, more than the 1048576 one request may carry/,
    );
  });

  it('reads a dictionary (ArrayOfKeyValueOf...) as an array of { Key, Value }, and writes it so', () => {
    assert.match(
      env('Bag', { bag: { ById: 1, Map: [{ Key: 'k', Value: 'v' }] } }),
      /<n1:Map><n1:KeyValueOfstringstring><n1:Key>k<\/n1:Key><n1:Value>v<\/n1:Value><\/n1:KeyValueOfstringstring><\/n1:Map>/,
    );
    const r = read(
      'Bag',
      `<s:Envelope xmlns:s="${S}"><s:Body><BagResponse xmlns="http://tempuri.org/"><BagResult xmlns:a="${DC}">` +
        `<a:Map><a:KeyValueOfstringstring><a:Key>k</a:Key><a:Value>v</a:Value></a:KeyValueOfstringstring></a:Map></BagResult></BagResponse></s:Body></s:Envelope>`,
    );
    assert.deepEqual(r.result, { Map: [{ Key: 'k', Value: 'v' }] });
  });

  it('keeps a fault detail as data, typed when the schema declares it', () => {
    const r = read(
      'Bag',
      `<s:Envelope xmlns:s="${S}"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>no</faultstring>` +
        `<detail><ApiFault xmlns="${DC}"><Code>7</Code></ApiFault></detail></s:Fault></s:Body></s:Envelope>`,
      500,
    );
    assert.equal(r.fault?.string, 'no');
    assert.deepEqual(r.faultData, { ApiFault: { Code: 7 } });
  });
});
