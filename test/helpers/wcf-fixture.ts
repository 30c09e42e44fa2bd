import { buildServiceModel, ServiceModel } from '../../nodes/lib/service-model';
import { parseXmlDocument } from '../../nodes/lib/xml-dom';

/**
 * A small hand-written WCF-shaped service (not the simulator's), for unit tests of the schema
 * model, envelopes and response reading: inheritance across namespaces, a collection, an enum,
 * a nested type, a header-token operation and a token parameter.
 */
const BASE = 'http://schemas.datacontract.org/2004/07/Acme.Contracts';
const MOD = 'http://schemas.datacontract.org/2004/07/Acme.Contracts.Jobs';

export const WSDL = `<wsdl:definitions name="WSJobService" targetNamespace="http://tempuri.org/"
 xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
 xmlns:tns="http://tempuri.org/" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
 <wsdl:types><xsd:schema targetNamespace="http://tempuri.org/Imports">
  <xsd:import schemaLocation="http://internal-host:8080/cx/webservice/wsjobservice?xsd=xsd0" namespace="http://tempuri.org/"/>
 </xsd:schema></wsdl:types>
 <wsdl:message name="IWSJobService_GetJob_InputMessage"><wsdl:part name="parameters" element="tns:GetJob"/></wsdl:message>
 <wsdl:message name="IWSJobService_GetJob_OutputMessage"><wsdl:part name="parameters" element="tns:GetJobResponse"/></wsdl:message>
 <wsdl:message name="IWSJobService_ListJobs_InputMessage"><wsdl:part name="parameters" element="tns:ListJobs"/></wsdl:message>
 <wsdl:message name="IWSJobService_ListJobs_OutputMessage"><wsdl:part name="parameters" element="tns:ListJobsResponse"/></wsdl:message>
 <wsdl:message name="ListJobsRequest_Headers"><wsdl:part name="Token" element="tns:Token"/></wsdl:message>
 <wsdl:message name="IWSJobService_Ping_InputMessage"><wsdl:part name="parameters" element="tns:Ping"/></wsdl:message>
 <wsdl:message name="IWSJobService_Ping_OutputMessage"><wsdl:part name="parameters" element="tns:PingResponse"/></wsdl:message>
 <wsdl:portType name="IWSJobService">
  <wsdl:operation name="GetJob"><wsdl:input message="tns:IWSJobService_GetJob_InputMessage"/><wsdl:output message="tns:IWSJobService_GetJob_OutputMessage"/></wsdl:operation>
  <wsdl:operation name="ListJobs"><wsdl:input message="tns:IWSJobService_ListJobs_InputMessage"/><wsdl:output message="tns:IWSJobService_ListJobs_OutputMessage"/></wsdl:operation>
  <wsdl:operation name="Ping"><wsdl:input message="tns:IWSJobService_Ping_InputMessage"/><wsdl:output message="tns:IWSJobService_Ping_OutputMessage"/></wsdl:operation>
 </wsdl:portType>
 <wsdl:binding name="BasicHttpBinding_IWSJobService" type="tns:IWSJobService">
  <soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
  <wsdl:operation name="GetJob"><soap:operation soapAction="http://tempuri.org/IWSJobService/GetJob" style="document"/>
   <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="ListJobs"><soap:operation soapAction="http://tempuri.org/IWSJobService/ListJobs" style="document"/>
   <wsdl:input><soap:header message="tns:ListJobsRequest_Headers" part="Token" use="literal"/><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
  <wsdl:operation name="Ping"><soap:operation soapAction="http://tempuri.org/IWSJobService/Ping" style="document"/>
   <wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>
 </wsdl:binding>
 <wsdl:service name="WSJobService"><wsdl:port name="BasicHttpBinding_IWSJobService" binding="tns:BasicHttpBinding_IWSJobService">
  <soap:address location="http://internal-host:8080/cx/webservice/wsjobservice"/></wsdl:port></wsdl:service>
</wsdl:definitions>`;

export const XSD0 = `<xs:schema elementFormDefault="qualified" targetNamespace="http://tempuri.org/" xmlns:xs="http://www.w3.org/2001/XMLSchema">
 <xs:import schemaLocation="http://internal-host:8080/cx/webservice/wsjobservice?xsd=xsd2" namespace="${MOD}"/>
 <xs:element name="GetJob"><xs:complexType><xs:sequence>
  <xs:element minOccurs="0" name="request" nillable="true" type="q1:GetJobRequest" xmlns:q1="${MOD}"/>
 </xs:sequence></xs:complexType></xs:element>
 <xs:element name="GetJobResponse"><xs:complexType><xs:sequence>
  <xs:element minOccurs="0" name="GetJobResult" nillable="true" type="q2:GetJobResponse" xmlns:q2="${MOD}"/>
 </xs:sequence></xs:complexType></xs:element>
 <xs:element name="ListJobs"><xs:complexType><xs:sequence>
  <xs:element minOccurs="0" name="request" nillable="true" type="q3:ListJobsRequest" xmlns:q3="${MOD}"/>
 </xs:sequence></xs:complexType></xs:element>
 <xs:element name="ListJobsResponse"><xs:complexType><xs:sequence>
  <xs:element minOccurs="0" name="ListJobsResult" nillable="true" type="q4:ArrayOfJob" xmlns:q4="${MOD}"/>
 </xs:sequence></xs:complexType></xs:element>
 <xs:element name="Token" nillable="true" type="xs:string"/>
 <xs:element name="Ping"><xs:complexType><xs:sequence>
  <xs:element minOccurs="0" name="token" nillable="true" type="xs:string"/>
  <xs:element minOccurs="0" name="count" type="xs:int"/>
 </xs:sequence></xs:complexType></xs:element>
 <xs:element name="PingResponse"><xs:complexType><xs:sequence>
  <xs:element minOccurs="0" name="PingResult" type="xs:long"/>
 </xs:sequence></xs:complexType></xs:element>
</xs:schema>`;

export const XSD1 = `<xs:schema elementFormDefault="qualified" targetNamespace="${BASE}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${BASE}">
 <xs:complexType name="WSRequestBase"><xs:sequence>
  <xs:element minOccurs="0" name="Token" nillable="true" type="xs:string"/>
 </xs:sequence></xs:complexType>
 <xs:element name="WSRequestBase" nillable="true" type="tns:WSRequestBase"/>
 <xs:complexType name="WSResponseBase"><xs:sequence>
  <xs:element minOccurs="0" name="InvalidReason" nillable="true" type="xs:string"/>
  <xs:element minOccurs="0" name="IsValid" type="xs:boolean"/>
 </xs:sequence></xs:complexType>
</xs:schema>`;

export const XSD2 = `<xs:schema elementFormDefault="qualified" targetNamespace="${MOD}" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="${MOD}" xmlns:ser="http://schemas.microsoft.com/2003/10/Serialization/">
 <xs:import schemaLocation="http://internal-host:8080/cx/webservice/wsjobservice?xsd=xsd1" namespace="${BASE}"/>
 <xs:complexType name="GetJobRequest"><xs:complexContent mixed="false"><xs:extension base="q1:WSRequestBase" xmlns:q1="${BASE}"><xs:sequence>
  <xs:element minOccurs="0" name="JobReference" nillable="true" type="xs:string"/>
  <xs:element minOccurs="0" name="JobUid" type="ser:guid"/>
  <xs:element minOccurs="0" name="Priority" type="tns:Priority"/>
  <xs:element minOccurs="0" name="Since" type="xs:dateTime"/>
  <xs:element minOccurs="0" name="Tags" nillable="true" type="q2:ArrayOfstring" xmlns:q2="http://schemas.microsoft.com/2003/10/Serialization/Arrays"/>
 </xs:sequence></xs:extension></xs:complexContent></xs:complexType>
 <xs:simpleType name="Priority"><xs:restriction base="xs:string"><xs:enumeration value="Emergency"/><xs:enumeration value="Routine"/></xs:restriction></xs:simpleType>
 <xs:complexType name="ListJobsRequest"><xs:sequence>
  <xs:element minOccurs="0" name="From" type="xs:dateTime"/>
  <xs:element minOccurs="0" name="MaxRecords" type="xs:int"/>
 </xs:sequence></xs:complexType>
 <xs:complexType name="GetJobResponse"><xs:complexContent mixed="false"><xs:extension base="q3:WSResponseBase" xmlns:q3="${BASE}"><xs:sequence>
  <xs:element minOccurs="0" name="Job" nillable="true" type="tns:Job"/>
 </xs:sequence></xs:extension></xs:complexContent></xs:complexType>
 <xs:complexType name="Job"><xs:sequence>
  <xs:element minOccurs="0" name="Address" nillable="true" type="tns:Address"/>
  <xs:element minOccurs="0" name="Cost" type="xs:decimal"/>
  <xs:element minOccurs="0" name="Due" type="xs:dateTime"/>
  <xs:element minOccurs="0" name="Reference" nillable="true" type="xs:string"/>
  <xs:element minOccurs="0" name="Tasks" nillable="true" type="tns:ArrayOfTask"/>
  <xs:element minOccurs="0" name="Visits" type="xs:int"/>
 </xs:sequence></xs:complexType>
 <xs:complexType name="Address"><xs:sequence>
  <xs:element minOccurs="0" name="Line1" nillable="true" type="xs:string"/>
  <xs:element minOccurs="0" name="PostCode" nillable="true" type="xs:string"/>
 </xs:sequence></xs:complexType>
 <xs:complexType name="Task"><xs:sequence>
  <xs:element minOccurs="0" name="Code" nillable="true" type="xs:string"/>
  <xs:element minOccurs="0" name="Quantity" type="xs:decimal"/>
 </xs:sequence></xs:complexType>
 <xs:complexType name="ArrayOfTask"><xs:sequence>
  <xs:element minOccurs="0" maxOccurs="unbounded" name="Task" nillable="true" type="tns:Task"/>
 </xs:sequence></xs:complexType>
 <xs:complexType name="ArrayOfJob"><xs:sequence>
  <xs:element minOccurs="0" maxOccurs="unbounded" name="Job" nillable="true" type="tns:Job"/>
 </xs:sequence></xs:complexType>
</xs:schema>`;

export const XSD3 = `<xs:schema elementFormDefault="qualified" targetNamespace="http://schemas.microsoft.com/2003/10/Serialization/Arrays" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
 <xs:complexType name="ArrayOfstring"><xs:sequence>
  <xs:element minOccurs="0" maxOccurs="unbounded" name="string" nillable="true" type="xs:string"/>
 </xs:sequence></xs:complexType>
</xs:schema>`;

export const XSD_SER = `<xs:schema attributeFormDefault="qualified" elementFormDefault="qualified" targetNamespace="http://schemas.microsoft.com/2003/10/Serialization/" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="http://schemas.microsoft.com/2003/10/Serialization/">
 <xs:simpleType name="guid"><xs:restriction base="xs:string"><xs:pattern value="[\\da-fA-F]{8}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{12}"/></xs:restriction></xs:simpleType>
</xs:schema>`;

export function jobServiceModel(): ServiceModel {
  const wsdl = parseXmlDocument(WSDL, 'wsdl');
  const schemas = [XSD0, XSD1, XSD2, XSD3, XSD_SER].map((x) => parseXmlDocument(x, 'xsd'));
  return buildServiceModel('WSJobService', [wsdl], schemas);
}

export { BASE as BASE_NS, MOD as MOD_NS };
