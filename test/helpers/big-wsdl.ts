// WCF-shaped metadata as large as a service may have (README "Reliability and security": 8 MB in
// total), for the tests that bound the event loop and the heap while a service model is built.

const TEMPURI = 'http://tempuri.org/';
const CONTRACTS = 'http://schemas.datacontract.org/2004/07/Big.Contracts';

const open = (name: string) =>
  `<wsdl:definitions name="${name}" targetNamespace="${TEMPURI}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" ` +
  `xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:tns="${TEMPURI}" ` +
  `xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:m="${CONTRACTS}">`;

/**
 * One WSDL of about `bytes` characters: as many operations as fit, each with a request and a
 * response type of `members` members extending a common base, their wrapper elements, messages,
 * portType and binding entries. `soapAction(i)` overrides an operation's SOAPAction.
 */
export function bigWsdl(
  name: string,
  bytes: number,
  opts: { members?: number; soapAction?: (i: number) => string | undefined } = {},
): { xml: string; operations: number } {
  const members = Array.from(
    { length: opts.members ?? 10 },
    (_, i) => `<xs:element minOccurs="0" name="F${i}" nillable="true" type="xs:string"/>`,
  ).join('');
  const types: string[] = [
    '<xs:complexType name="Base"><xs:sequence><xs:element minOccurs="0" name="Token" nillable="true" type="xs:string"/></xs:sequence></xs:complexType>',
  ];
  const elements: string[] = [];
  const messages: string[] = [];
  const portType: string[] = [];
  const binding: string[] = [];
  let size = 0;
  let n = 0;
  for (; size < bytes; n++) {
    const op = `Op${n}`;
    const type = (suffix: string) =>
      `<xs:complexType name="${op}${suffix}"><xs:complexContent mixed="false"><xs:extension base="m:Base">` +
      `<xs:sequence>${members}</xs:sequence></xs:extension></xs:complexContent></xs:complexType>`;
    const parts = [
      type('Request') + type('Response'),
      `<xs:element name="${op}"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="request" nillable="true" type="m:${op}Request"/></xs:sequence></xs:complexType></xs:element>` +
        `<xs:element name="${op}Response"><xs:complexType><xs:sequence><xs:element minOccurs="0" name="${op}Result" nillable="true" type="m:${op}Response"/></xs:sequence></xs:complexType></xs:element>`,
      `<wsdl:message name="I_${op}_In"><wsdl:part name="parameters" element="tns:${op}"/></wsdl:message>` +
        `<wsdl:message name="I_${op}_Out"><wsdl:part name="parameters" element="tns:${op}Response"/></wsdl:message>`,
      `<wsdl:operation name="${op}"><wsdl:input message="tns:I_${op}_In"/><wsdl:output message="tns:I_${op}_Out"/></wsdl:operation>`,
      `<wsdl:operation name="${op}"><soap:operation soapAction="${opts.soapAction?.(n) ?? `${TEMPURI}I${name}/${op}`}" style="document"/>` +
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>',
    ];
    types.push(parts[0]);
    elements.push(parts[1]);
    messages.push(parts[2]);
    portType.push(parts[3]);
    binding.push(parts[4]);
    for (const p of parts) size += p.length;
  }
  const xml =
    open(name) +
    `<wsdl:types><xs:schema elementFormDefault="qualified" targetNamespace="${CONTRACTS}">${types.join('')}</xs:schema>` +
    `<xs:schema elementFormDefault="qualified" targetNamespace="${TEMPURI}">${elements.join('')}</xs:schema></wsdl:types>` +
    messages.join('') +
    `<wsdl:portType name="I${name}">${portType.join('')}</wsdl:portType>` +
    `<wsdl:binding name="B" type="tns:I${name}"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>${binding.join('')}</wsdl:binding>` +
    '</wsdl:definitions>';
  return { xml, operations: n };
}

/** A WSDL whose one schema holds `body` (declarations), with an empty SOAP 1.1 binding. */
export function schemaWsdl(body: string): string {
  return (
    open('WSSchema') +
    `<wsdl:types><xs:schema elementFormDefault="qualified" targetNamespace="${CONTRACTS}">${body}</xs:schema></wsdl:types>` +
    '<wsdl:binding name="B" type="tns:I"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/></wsdl:binding></wsdl:definitions>'
  );
}

export const BIG_CONTRACTS_NS = CONTRACTS;
