import assert from 'node:assert/strict';
import { MAX_DERIVED_SKELETONS, buildOperationTemplates, buildTemplate } from '../../nodes/lib/template';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { ctx, model, op } from '../helpers/job-service';

describe('templates', () => {
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

describe('templates of derived types', () => {
  // A base with 70 derived types: one skeleton each up to the bound, then a note of how many more.
  const T = 'http://tempuri.org/';
  const derived = Array.from(
    { length: 70 },
    (_, i) =>
      `<xs:complexType name="D${i}"><xs:complexContent><xs:extension base="tns:Base"><xs:sequence>` +
      `<xs:element minOccurs="0" name="Extra${i}" type="xs:int"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>`,
  ).join('');
  const xsd = `<xs:schema elementFormDefault="qualified" targetNamespace="${T}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${T}">
    <xs:element name="Put"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="item" type="tns:Base"/></xs:sequence></xs:complexType></xs:element>
    <xs:complexType name="Base"><xs:sequence><xs:element minOccurs="0" name="Name" type="xs:string"/></xs:sequence></xs:complexType>${derived}</xs:schema>`;
  const wsdl = `<wsdl:definitions targetNamespace="${T}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${T}">
    <wsdl:message name="PutIn"><wsdl:part name="parameters" element="tns:Put"/></wsdl:message>
    <wsdl:portType name="P"><wsdl:operation name="Put"><wsdl:input message="tns:PutIn"/></wsdl:operation></wsdl:portType>
    <wsdl:binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Put"><soap:operation soapAction="urn:Put" style="document"/><wsdl:input><soap:body use="literal"/></wsdl:input></wsdl:operation></wsdl:binding></wsdl:definitions>`;
  const m = buildServiceModel('S', [parseXmlDocument(wsdl, 'wsdl')], [parseXmlDocument(xsd, 'xsd')]);
  const put = m.operations.get('Put');

  it(`lists each derived type's members, at most ${MAX_DERIVED_SKELETONS}, then says how many more`, () => {
    assert.ok(put);
    const t = buildOperationTemplates(put, m.schema, { kind: 'none' });
    const choices = t.derivedTypes['msg.payload.item'];
    assert.equal(Object.keys(choices).length, MAX_DERIVED_SKELETONS);
    assert.deepEqual(choices.D0, { $type: 'D0', Name: 'string', Extra0: 'int' });
    assert.deepEqual(t.derivedTypes.$more, { note: `${70 - MAX_DERIVED_SKELETONS} more derived types not shown` });
    assert.deepEqual(t.answer, { shape: 'none', payload: null });
    assert.deepEqual(t.soapHeaders, {});
  });
});
