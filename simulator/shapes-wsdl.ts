// WSShapesService: the WCF shapes that Cx's own services may use and the other simulated services do
// not, published as WCF publishes them (multi-file ?wsdl, ?xsd=xsdN). Written out by hand from what
// WCF emits for these C# declarations:
//   int Divide(int dividend, int divisor, out int remainder, ref string note);      // out and ref
//   QuoteResponse GetQuote(QuoteRequest r);  // [MessageContract] request with two [MessageHeader]s,
//                                            // response IsWrapped=false (bare) with a header
//   string DescribeShape(Shape shape);       // [KnownType(Circle), KnownType(Square)]
//   Person[] GetPeople();                    // [DataContract(IsReference = true)]: z:Id / z:Ref
//   char NextChar(char c);                   // char travels as its UTF-16 code
//   string Hello(string name);               // answered in UTF-16 (textMessageEncoding)
//   OrderReply PlaceOrder(OrderRequest r);   // [MessageContract(IsWrapped = false)] request with three
//                                            // body members (one in another namespace), bare reply
import { NS } from './contract';
import { SERIALIZATION_XSD } from './serialization-xsd';

export const SHAPES_SERVICE = 'WSShapesService';
export const SHAPES_NS = `${NS.dcBase}.Shapes`;
export const ROUND_NS = `${NS.dcBase}.Shapes.Round`;
const T = NS.tempuri;
const CONTRACT = `I${SHAPES_SERVICE}`;

export const SHAPES_OPERATIONS = [
  'Divide',
  'GetQuote',
  'DescribeShape',
  'GetPeople',
  'NextChar',
  'Hello',
  'PlaceOrder',
] as const;
export const shapesAction = (op: string): string => `${T}${CONTRACT}/${op}`;

const wrapper = (name: string, members: string): string =>
  `<xs:element name="${name}"><xs:complexType><xs:sequence>${members}</xs:sequence></xs:complexType></xs:element>`;

const XSD0 = (loc: (i: number) => string): string =>
  `<?xml version="1.0" encoding="utf-8"?><xs:schema xmlns:tns="${T}" elementFormDefault="qualified" targetNamespace="${T}" xmlns:xs="${NS.xs}">` +
  `<xs:import schemaLocation="${loc(2)}" namespace="${SHAPES_NS}"/>` +
  `<xs:import schemaLocation="${loc(1)}" namespace="${NS.ser}"/>` +
  wrapper(
    'Divide',
    '<xs:element minOccurs="0" name="dividend" type="xs:int"/><xs:element minOccurs="0" name="divisor" type="xs:int"/>' +
      '<xs:element minOccurs="0" name="note" nillable="true" type="xs:string"/>',
  ) +
  wrapper(
    'DivideResponse',
    '<xs:element minOccurs="0" name="DivideResult" type="xs:int"/><xs:element minOccurs="0" name="remainder" type="xs:int"/>' +
      '<xs:element minOccurs="0" name="note" nillable="true" type="xs:string"/>',
  ) +
  // MessageContract: the wrapper is named after the message contract; headers are global elements
  wrapper('QuoteRequest', '<xs:element minOccurs="0" name="Symbol" nillable="true" type="xs:string"/>') +
  '<xs:element name="Account" nillable="true" type="xs:string"/>' +
  `<xs:element name="Trace" nillable="true" type="q1:TraceInfo" xmlns:q1="${SHAPES_NS}"/>` +
  '<xs:element name="Price" type="xs:decimal"/>' +
  '<xs:element name="Currency" nillable="true" type="xs:string"/>' +
  '<xs:element name="RequestId" nillable="true" type="xs:string"/>' +
  // Bare (IsWrapped = false) body members are global elements too, each its own part.
  '<xs:element name="Item" nillable="true" type="xs:string"/>' +
  '<xs:element name="Quantity" type="xs:int"/>' +
  '<xs:element name="Confirmation" nillable="true" type="xs:string"/>' +
  wrapper(
    'DescribeShape',
    `<xs:element minOccurs="0" name="shape" nillable="true" type="q2:Shape" xmlns:q2="${SHAPES_NS}"/>`,
  ) +
  wrapper(
    'DescribeShapeResponse',
    '<xs:element minOccurs="0" name="DescribeShapeResult" nillable="true" type="xs:string"/>',
  ) +
  wrapper('GetPeople', '') +
  wrapper(
    'GetPeopleResponse',
    `<xs:element minOccurs="0" name="GetPeopleResult" nillable="true" type="q3:ArrayOfPerson" xmlns:q3="${SHAPES_NS}"/>`,
  ) +
  wrapper('NextChar', `<xs:element minOccurs="0" name="c" type="q4:char" xmlns:q4="${NS.ser}"/>`) +
  wrapper('NextCharResponse', `<xs:element minOccurs="0" name="NextCharResult" type="q5:char" xmlns:q5="${NS.ser}"/>`) +
  wrapper('Hello', '<xs:element minOccurs="0" name="name" nillable="true" type="xs:string"/>') +
  wrapper('HelloResponse', '<xs:element minOccurs="0" name="HelloResult" nillable="true" type="xs:string"/>') +
  '</xs:schema>';

const XSD2 = (loc: (i: number) => string): string =>
  `<?xml version="1.0" encoding="utf-8"?><xs:schema xmlns:tns="${SHAPES_NS}" xmlns:ser="${NS.ser}" elementFormDefault="qualified" targetNamespace="${SHAPES_NS}" xmlns:xs="${NS.xs}">` +
  `<xs:import schemaLocation="${loc(1)}" namespace="${NS.ser}"/>` +
  `<xs:import schemaLocation="${loc(3)}" namespace="${ROUND_NS}"/>` +
  '<xs:complexType name="TraceInfo"><xs:sequence><xs:element minOccurs="0" name="Caller" nillable="true" type="xs:string"/>' +
  '<xs:element name="Depth" type="xs:int"/></xs:sequence></xs:complexType>' +
  '<xs:element name="TraceInfo" nillable="true" type="tns:TraceInfo"/>' +
  '<xs:complexType name="Shape"><xs:sequence><xs:element minOccurs="0" name="Name" nillable="true" type="xs:string"/></xs:sequence></xs:complexType>' +
  '<xs:element name="Shape" nillable="true" type="tns:Shape"/>' +
  '<xs:complexType name="Square"><xs:complexContent mixed="false"><xs:extension base="tns:Shape"><xs:sequence>' +
  '<xs:element minOccurs="0" name="Side" type="xs:decimal"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>' +
  '<xs:element name="Square" nillable="true" type="tns:Square"/>' +
  '<xs:complexType name="ArrayOfPerson"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="Person" nillable="true" type="tns:Person"/></xs:sequence></xs:complexType>' +
  '<xs:element name="ArrayOfPerson" nillable="true" type="tns:ArrayOfPerson"/>' +
  '<xs:complexType name="Person"><xs:sequence><xs:element minOccurs="0" name="Manager" nillable="true" type="tns:Person"/>' +
  '<xs:element minOccurs="0" name="Name" nillable="true" type="xs:string"/></xs:sequence>' +
  '<xs:attribute ref="ser:Id"/><xs:attribute ref="ser:Ref"/></xs:complexType>' +
  '<xs:element name="Person" nillable="true" type="tns:Person"/>' +
  '</xs:schema>';

// The derived type in its own CLR namespace: base members stay in the base's namespace on the wire.
const XSD3 = (loc: (i: number) => string): string =>
  `<?xml version="1.0" encoding="utf-8"?><xs:schema xmlns:tns="${ROUND_NS}" elementFormDefault="qualified" targetNamespace="${ROUND_NS}" xmlns:xs="${NS.xs}">` +
  `<xs:import schemaLocation="${loc(2)}" namespace="${SHAPES_NS}"/>` +
  `<xs:complexType name="Circle"><xs:complexContent mixed="false"><xs:extension base="q1:Shape" xmlns:q1="${SHAPES_NS}"><xs:sequence>` +
  '<xs:element minOccurs="0" name="Radius" type="xs:decimal"/></xs:sequence></xs:extension></xs:complexContent></xs:complexType>' +
  '<xs:element name="Circle" nillable="true" type="tns:Circle"/>' +
  '</xs:schema>';

export function shapesXsd(endpoint: string, name: string): string | undefined {
  const loc = (i: number) => `${endpoint}?xsd=xsd${i}`;
  switch (name) {
    case 'xsd0':
      return XSD0(loc);
    case 'xsd1':
      return SERIALIZATION_XSD;
    case 'xsd2':
      return XSD2(loc);
    case 'xsd3':
      return XSD3(loc);
    default:
      return undefined;
  }
}

const msg = (name: string, parts: string): string => `<wsdl:message name="${name}">${parts}</wsdl:message>`;
const part = (name: string, element: string, prefix = 'tns'): string =>
  `<wsdl:part name="${name}" element="${prefix}:${element}"/>`;

export function shapesWsdl(endpoint: string): string {
  const imports = [T, NS.ser, SHAPES_NS, ROUND_NS]
    .map((ns, i) => `<xsd:import schemaLocation="${endpoint}?xsd=xsd${i}" namespace="${ns}"/>`)
    .join('');
  const plain = ['Divide', 'DescribeShape', 'GetPeople', 'NextChar', 'Hello'];
  let messages = '';
  let portOps = '';
  let bindingOps = '';
  for (const op of plain) {
    messages +=
      msg(`${CONTRACT}_${op}_InputMessage`, part('parameters', op)) +
      msg(`${CONTRACT}_${op}_OutputMessage`, part('parameters', `${op}Response`));
    portOps +=
      `<wsdl:operation name="${op}"><wsdl:input wsaw:Action="${shapesAction(op)}" message="tns:${CONTRACT}_${op}_InputMessage"/>` +
      `<wsdl:output wsaw:Action="${shapesAction(op)}Response" message="tns:${CONTRACT}_${op}_OutputMessage"/></wsdl:operation>`;
    bindingOps +=
      `<wsdl:operation name="${op}"><soap:operation soapAction="${shapesAction(op)}" style="document"/>` +
      '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output></wsdl:operation>';
  }
  messages +=
    msg('QuoteRequest', part('parameters', 'QuoteRequest')) +
    msg('QuoteRequest_Headers', part('Account', 'Account') + part('Trace', 'Trace')) +
    msg('QuoteResponse', part('Price', 'Price') + part('Currency', 'Currency')) +
    msg('QuoteResponse_Headers', part('RequestId', 'RequestId')) +
    msg('OrderRequest', part('Item', 'Item') + part('Quantity', 'Quantity') + part('TraceInfo', 'TraceInfo', 'q1')) +
    msg('OrderReply', part('Confirmation', 'Confirmation'));
  portOps +=
    `<wsdl:operation name="GetQuote"><wsdl:input wsaw:Action="${shapesAction('GetQuote')}" name="QuoteRequest" message="tns:QuoteRequest"/>` +
    `<wsdl:output wsaw:Action="${shapesAction('GetQuote')}Response" name="QuoteResponse" message="tns:QuoteResponse"/></wsdl:operation>`;
  bindingOps +=
    `<wsdl:operation name="GetQuote"><soap:operation soapAction="${shapesAction('GetQuote')}" style="document"/>` +
    '<wsdl:input name="QuoteRequest"><soap:header message="tns:QuoteRequest_Headers" part="Account" use="literal"/>' +
    '<soap:header message="tns:QuoteRequest_Headers" part="Trace" use="literal"/><soap:body use="literal"/></wsdl:input>' +
    '<wsdl:output name="QuoteResponse"><soap:header message="tns:QuoteResponse_Headers" part="RequestId" use="literal"/>' +
    '<soap:body use="literal"/></wsdl:output></wsdl:operation>';
  portOps +=
    `<wsdl:operation name="PlaceOrder"><wsdl:input wsaw:Action="${shapesAction('PlaceOrder')}" name="OrderRequest" message="tns:OrderRequest"/>` +
    `<wsdl:output wsaw:Action="${shapesAction('PlaceOrder')}Response" name="OrderReply" message="tns:OrderReply"/></wsdl:operation>`;
  bindingOps +=
    `<wsdl:operation name="PlaceOrder"><soap:operation soapAction="${shapesAction('PlaceOrder')}" style="document"/>` +
    '<wsdl:input name="OrderRequest"><soap:body use="literal"/></wsdl:input>' +
    '<wsdl:output name="OrderReply"><soap:body use="literal"/></wsdl:output></wsdl:operation>';
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions name="${SHAPES_SERVICE}" targetNamespace="${T}" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" ` +
    'xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" ' +
    `xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl" xmlns:tns="${T}" xmlns:q1="${SHAPES_NS}">` +
    `<wsdl:types><xsd:schema targetNamespace="${T}Imports">${imports}</xsd:schema></wsdl:types>${messages}` +
    `<wsdl:portType name="${CONTRACT}">${portOps}</wsdl:portType>` +
    `<wsdl:binding name="BasicHttpBinding_${CONTRACT}" type="tns:${CONTRACT}">` +
    `<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps}</wsdl:binding>` +
    `<wsdl:service name="${SHAPES_SERVICE}"><wsdl:port name="BasicHttpBinding_${CONTRACT}" binding="tns:BasicHttpBinding_${CONTRACT}">` +
    `<soap:address location="${endpoint}"/></wsdl:port></wsdl:service></wsdl:definitions>`
  );
}
