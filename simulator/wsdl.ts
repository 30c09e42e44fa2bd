// WSDL and XSD in WCF's shape. `?wsdl` is the multi-file form: wsdl:types only imports
// ?xsd=xsd0 (tempuri wrappers), ?xsd=xsd1 (the standard Serialization schema) and one ?xsd=xsdN
// per DataContract namespace (plus the Serialization/Arrays one when primitive arrays are used).
// `?singleWsdl` has the same schemas inline. Locations are built from the request's Host header
// as WCF does.
import {
  ArrayType,
  DataContract,
  EnumType,
  NS,
  Operation,
  ServiceContract,
  TypeRef,
  arrayName,
  arrayNs,
  contractName,
  inputParams,
  isNillable,
  isPrimitive,
  itemName,
  soapAction,
} from './contract';
import { escapeAttr } from './xml-write';
import { SERIALIZATION_XSD } from './serialization-xsd';

type SchemaType = DataContract | EnumType | ArrayType;

interface SchemaPlan {
  /** namespaces in xsd order: xsd0, xsd1, ... */
  namespaces: string[];
  types: Map<string, SchemaType[]>;
}

const typeKey = (t: SchemaType): string => (t.kind === 'array' ? arrayName(t) : t.name);
const typeNs = (t: SchemaType): string => (t.kind === 'array' ? arrayNs(t) : t.ns);

export function planSchemas(svc: ServiceContract): SchemaPlan {
  const namespaces: string[] = [NS.tempuri, NS.ser];
  const types = new Map<string, SchemaType[]>();
  const add = (t: SchemaType): boolean => {
    const ns = typeNs(t);
    if (!namespaces.includes(ns)) namespaces.push(ns);
    const list = types.get(ns) ?? [];
    types.set(ns, list);
    if (list.some((x) => typeKey(x) === typeKey(t))) return false;
    list.push(t);
    return true;
  };
  const visit = (t: TypeRef): void => {
    if (isPrimitive(t)) return;
    if (!add(t)) return;
    if (t.kind === 'array') visit(t.item);
    else if (t.kind === 'contract') {
      if (t.base) visit(t.base);
      for (const m of t.members) visit(m.type);
    }
  };
  for (const op of svc.operations) {
    visit(op.request);
    visit(op.response);
  }
  return { namespaces, types };
}

/** Renders type references: xs: primitives, ser:guid, tns: own namespace, inline xmlns:qN otherwise (as WCF). */
class RefWriter {
  imports: string[] = [];
  private q = 0;
  constructor(private readonly ownNs: string) {}
  private need(ns: string): void {
    if (ns !== this.ownNs && !this.imports.includes(ns)) this.imports.push(ns);
  }
  /** [inline namespace attribute, qualified type name] */
  ref(t: TypeRef): [string, string] {
    if (isPrimitive(t)) {
      if (t === 'guid') {
        this.need(NS.ser);
        return ['', 'ser:guid'];
      }
      return ['', `xs:${t}`];
    }
    const ns = t.kind === 'array' ? arrayNs(t) : t.ns;
    const name = t.kind === 'array' ? arrayName(t) : t.name;
    if (ns === this.ownNs) return ['', `tns:${name}`];
    this.need(ns);
    const p = `q${++this.q}`;
    return [`xmlns:${p}="${escapeAttr(ns)}" `, `${p}:${name}`];
  }
}

function element(
  name: string,
  t: TypeRef,
  refs: RefWriter,
  opts: { optional: boolean; nillable: boolean; many?: boolean },
): string {
  const [decl, qname] = refs.ref(t);
  return (
    `<xs:element ${decl}${opts.optional ? 'minOccurs="0" ' : ''}${opts.many ? 'maxOccurs="unbounded" ' : ''}` +
    `name="${name}" ${opts.nillable ? 'nillable="true" ' : ''}type="${qname}"/>`
  );
}

function typeXsd(t: SchemaType, refs: RefWriter): string {
  const name = typeKey(t);
  let body: string;
  if (t.kind === 'enum') {
    body =
      `<xs:simpleType name="${name}"><xs:restriction base="xs:string">` +
      t.values.map((v) => `<xs:enumeration value="${escapeAttr(v)}"/>`).join('') +
      '</xs:restriction></xs:simpleType>';
  } else if (t.kind === 'array') {
    const nillable = isPrimitive(t.item) ? isNillable({ name: '', type: t.item }) : t.item.kind !== 'enum';
    body =
      `<xs:complexType name="${name}"><xs:sequence>` +
      element(itemName(t), t.item, refs, { optional: true, many: true, nillable }) +
      '</xs:sequence></xs:complexType>';
  } else {
    const seq =
      '<xs:sequence>' +
      t.members.map((m) => element(m.name, m.type, refs, { optional: !m.required, nillable: isNillable(m) })).join('') +
      '</xs:sequence>';
    if (t.base) {
      const [decl, qname] = refs.ref(t.base);
      body =
        `<xs:complexType name="${name}"><xs:complexContent mixed="false"><xs:extension ${decl}base="${qname}">` +
        `${seq}</xs:extension></xs:complexContent></xs:complexType>`;
    } else {
      body = `<xs:complexType name="${name}">${seq}</xs:complexType>`;
    }
  }
  // WCF emits a global element of the same name for every type
  return `${body}<xs:element name="${name}" nillable="true" type="tns:${name}"/>`;
}

/** Message-contract operations (token as a SOAP header) name their messages after the contract. */
const usesMessageContract = (op: Operation): boolean => op.tokenShape === 'header';

function tempuriXsd(svc: ServiceContract, refs: RefWriter): string {
  let out = '';
  let headerDeclared = false;
  for (const op of svc.operations) {
    const params = inputParams(op)
      .map((p) => element(p.name, p.type, refs, { optional: true, nillable: isNillable(p) }))
      .join('');
    out += `<xs:element name="${op.name}"><xs:complexType><xs:sequence>${params}</xs:sequence></xs:complexType></xs:element>`;
    out +=
      `<xs:element name="${op.name}Response"><xs:complexType><xs:sequence>` +
      element(`${op.name}Result`, op.response, refs, { optional: true, nillable: true }) +
      '</xs:sequence></xs:complexType></xs:element>';
    if (usesMessageContract(op) && !headerDeclared) {
      out += '<xs:element name="Token" nillable="true" type="xs:string"/>';
      headerDeclared = true;
    }
  }
  return out;
}

export type XsdLocator = (index: number) => string | undefined;

/** One schema document; `locate` gives schemaLocation for imports (undefined inside ?singleWsdl). */
export function schemaXsd(
  svc: ServiceContract,
  plan: SchemaPlan,
  index: number,
  locate: XsdLocator,
  root = true,
): string {
  const ns = plan.namespaces[index];
  if (ns === NS.ser) return root ? SERIALIZATION_XSD : SERIALIZATION_XSD.replace(/^<\?xml[^>]*\?>/, '');
  const refs = new RefWriter(ns);
  const body =
    ns === NS.tempuri ? tempuriXsd(svc, refs) : (plan.types.get(ns) ?? []).map((t) => typeXsd(t, refs)).join('');
  const imports = refs.imports
    .map((i) => {
      const loc = locate(plan.namespaces.indexOf(i));
      return `<xs:import ${loc ? `schemaLocation="${escapeAttr(loc)}" ` : ''}namespace="${escapeAttr(i)}"/>`;
    })
    .join('');
  const ser = refs.imports.includes(NS.ser) ? ` xmlns:ser="${NS.ser}"` : '';
  return (
    `${root ? '<?xml version="1.0" encoding="utf-8"?>' : ''}<xs:schema xmlns:tns="${escapeAttr(ns)}"${ser} ` +
    `elementFormDefault="qualified" targetNamespace="${escapeAttr(ns)}" xmlns:xs="${NS.xs}">${imports}${body}</xs:schema>`
  );
}

const WSDL_NAMESPACES =
  'xmlns:wsap="http://schemas.xmlsoap.org/ws/2004/08/addressing/policy" xmlns:wsa10="http://www.w3.org/2005/08/addressing" ' +
  'xmlns:tns="http://tempuri.org/" xmlns:msc="http://schemas.microsoft.com/ws/2005/12/wsdl/contract" ' +
  'xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wsx="http://schemas.xmlsoap.org/ws/2004/09/mex" ' +
  'xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata" ' +
  'xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" ' +
  'xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" ' +
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema"';

function messageNames(svc: ServiceContract, op: Operation): { input: string; output: string } {
  return usesMessageContract(op)
    ? { input: `${op.name}Request`, output: `${op.name}Response` }
    : {
        input: `${contractName(svc)}_${op.name}_InputMessage`,
        output: `${contractName(svc)}_${op.name}_OutputMessage`,
      };
}

/** `endpoint` is the service address, e.g. http://host:port/cx/webservice/wstokenservice. */
export function wsdl(svc: ServiceContract, endpoint: string, single: boolean): string {
  const plan = planSchemas(svc);
  const locate: XsdLocator = (i) => `${endpoint}?xsd=xsd${i}`;
  const types = single
    ? plan.namespaces.map((_, i) => schemaXsd(svc, plan, i, () => undefined, false)).join('')
    : `<xsd:schema targetNamespace="http://tempuri.org/Imports">` +
      plan.namespaces
        .map((ns, i) => `<xsd:import schemaLocation="${escapeAttr(locate(i) ?? '')}" namespace="${escapeAttr(ns)}"/>`)
        .join('') +
      '</xsd:schema>';
  const iface = contractName(svc);
  let messages = '';
  let portOps = '';
  let bindingOps = '';
  for (const op of svc.operations) {
    const names = messageNames(svc, op);
    const action = soapAction(svc, op);
    messages += `<wsdl:message name="${names.input}"><wsdl:part name="parameters" element="tns:${op.name}"/></wsdl:message>`;
    if (usesMessageContract(op)) {
      messages += `<wsdl:message name="${names.input}_Headers"><wsdl:part name="Token" element="tns:Token"/></wsdl:message>`;
    }
    messages += `<wsdl:message name="${names.output}"><wsdl:part name="parameters" element="tns:${op.name}Response"/></wsdl:message>`;
    const inName = usesMessageContract(op) ? ` name="${names.input}"` : '';
    const outName = usesMessageContract(op) ? ` name="${names.output}"` : '';
    portOps +=
      `<wsdl:operation name="${op.name}">` +
      `<wsdl:input wsaw:Action="${action}"${inName} message="tns:${names.input}"/>` +
      `<wsdl:output wsaw:Action="${action}Response"${outName} message="tns:${names.output}"/></wsdl:operation>`;
    const header = usesMessageContract(op)
      ? `<soap:header message="tns:${names.input}_Headers" part="Token" use="literal"/>`
      : '';
    bindingOps +=
      `<wsdl:operation name="${op.name}"><soap:operation soapAction="${action}" style="document"/>` +
      `<wsdl:input${inName}>${header}<soap:body use="literal"/></wsdl:input>` +
      `<wsdl:output${outName}><soap:body use="literal"/></wsdl:output></wsdl:operation>`;
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<wsdl:definitions ${WSDL_NAMESPACES} name="${svc.name}" targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">` +
    `<wsdl:types>${types}</wsdl:types>${messages}` +
    `<wsdl:portType name="${iface}">${portOps}</wsdl:portType>` +
    `<wsdl:binding name="BasicHttpBinding_${iface}" type="tns:${iface}">` +
    `<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps}</wsdl:binding>` +
    `<wsdl:service name="${svc.name}"><wsdl:port name="BasicHttpBinding_${iface}" binding="tns:BasicHttpBinding_${iface}">` +
    `<soap:address location="${escapeAttr(endpoint)}"/></wsdl:port></wsdl:service></wsdl:definitions>`
  );
}

/** ?xsd=xsdN, or undefined when N is out of range. */
export function xsd(svc: ServiceContract, endpoint: string, name: string): string | undefined {
  const m = /^xsd(\d+)$/.exec(name);
  if (!m) return undefined;
  const plan = planSchemas(svc);
  const i = Number(m[1]);
  if (i >= plan.namespaces.length) return undefined;
  return schemaXsd(svc, plan, i, (n) => `${endpoint}?xsd=xsd${n}`);
}
