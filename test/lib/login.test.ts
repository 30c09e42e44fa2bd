import assert from 'node:assert/strict';
import { loginArgs } from '../../nodes/lib/login';
import { buildServiceModel } from '../../nodes/lib/service-model';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';

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
