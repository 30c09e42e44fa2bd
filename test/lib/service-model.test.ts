import assert from 'node:assert/strict';
import { buildEnvelope } from '../../nodes/lib/envelope';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { resolveTokenPlace } from '../../nodes/lib/token-placement';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';
import { model, op } from '../helpers/job-service';

describe('service model of a WCF WSDL', () => {
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

  it('reads operations across both documents', () => {
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
