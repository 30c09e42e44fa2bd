import { CxError } from './errors';
import { ComplexType, MemberDecl, QName, SchemaSet, XSD_NS, qkey } from './schema';
import { XNode, childrenOf, firstChild, resolveQName } from './xml-dom';

export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP11_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';

/** Where a call's token goes, as found in the WSDL (the real place is not known: README "What is not known about real Cx"). */
export type TokenPlacement = 'member' | 'parameter' | 'header' | 'none';

export interface HeaderDecl {
  element: QName;
}

export interface OperationModel {
  name: string;
  soapAction: string;
  /** The body wrapper element, e.g. tempuri `GetRepairWorkOrderDetails`. */
  wrapper: QName;
  /** The wrapper's members in order: usually just `request`, sometimes `token` then `request`. */
  params: MemberDecl[];
  headers: HeaderDecl[];
  /** The response wrapper and its result member (`GetUserWSTokenResult`). */
  output?: { wrapper: QName; result?: MemberDecl };
}

export interface ServiceModel {
  name: string;
  operations: Map<string, OperationModel>;
  schema: SchemaSet;
}

/** Builds the service model from the WSDL documents (the main one plus wsdl:imports) and schemas. */
export function buildServiceModel(name: string, wsdlDocs: XNode[], schemaDocs: XNode[]): ServiceModel {
  const schema = new SchemaSet();
  for (const doc of schemaDocs) readSchema(schema, doc);

  const messages = new Map<string, Array<{ name: string; element?: QName }>>();
  const portOps = new Map<string, { input?: QName; output?: QName }>();
  const bindings: XNode[] = [];
  for (const doc of wsdlDocs) {
    const tns = doc.attrs.targetNamespace ?? '';
    for (const m of childrenOf(doc, WSDL_NS, 'message')) {
      messages.set(
        qkey({ ns: tns, name: m.attrs.name }),
        childrenOf(m, WSDL_NS, 'part').map((p) => ({
          name: p.attrs.name,
          element: p.attrs.element ? resolveQName(p, p.attrs.element) : undefined,
        })),
      );
    }
    for (const pt of childrenOf(doc, WSDL_NS, 'portType')) {
      for (const op of childrenOf(pt, WSDL_NS, 'operation')) {
        const input = firstChild(op, WSDL_NS, 'input');
        const output = firstChild(op, WSDL_NS, 'output');
        portOps.set(op.attrs.name, {
          input: input?.attrs.message ? resolveQName(input, input.attrs.message) : undefined,
          output: output?.attrs.message ? resolveQName(output, output.attrs.message) : undefined,
        });
      }
    }
    bindings.push(...childrenOf(doc, WSDL_NS, 'binding'));
  }

  // WCF may publish a SOAP 1.2 binding next to the basicHttp one; Cx speaks SOAP 1.1.
  const binding = bindings.find((b) => firstChild(b, SOAP11_BINDING_NS, 'binding'));
  if (!binding) throw new CxError('CX_BAD_RESPONSE', `The WSDL of ${name} has no SOAP 1.1 binding.`);

  const operations = new Map<string, OperationModel>();
  for (const bop of childrenOf(binding, WSDL_NS, 'operation')) {
    const opName = bop.attrs.name;
    const soapOp = firstChild(bop, SOAP11_BINDING_NS, 'operation');
    const port = portOps.get(opName);
    if (!port?.input) continue;
    const inputParts = messages.get(qkey(port.input)) ?? [];
    const bindingInput = firstChild(bop, WSDL_NS, 'input');
    const headers: HeaderDecl[] = [];
    const headerParts = new Set<string>();
    for (const h of bindingInput ? childrenOf(bindingInput, SOAP11_BINDING_NS, 'header') : []) {
      const msg = messages.get(qkey(resolveQName(h, h.attrs.message ?? '')));
      const part = msg?.find((p) => p.name === h.attrs.part);
      if (part?.element) {
        headers.push({ element: part.element });
        if (h.attrs.message && resolveQName(h, h.attrs.message).name === port.input.name) headerParts.add(part.name);
      }
    }
    const bodyPart = inputParts.find((p) => p.element && !headerParts.has(p.name));
    if (!bodyPart?.element) continue;
    const wrapperEl = schema.elements.get(qkey(bodyPart.element));
    const wrapperType = wrapperEl && schema.type(wrapperEl.type);
    const params = wrapperType?.kind === 'complex' ? schema.membersOf(wrapperType) : [];

    let output: OperationModel['output'];
    const outParts = port.output ? (messages.get(qkey(port.output)) ?? []) : [];
    const outPart = outParts.find((p) => p.element);
    if (outPart?.element) {
      const outEl = schema.elements.get(qkey(outPart.element));
      const outType = outEl && schema.type(outEl.type);
      const members = outType?.kind === 'complex' ? schema.membersOf(outType) : [];
      output = { wrapper: outPart.element, result: members.find((m) => m.name === `${opName}Result`) ?? members[0] };
    }
    operations.set(opName, {
      name: opName,
      soapAction: soapOp?.attrs.soapAction ?? '',
      wrapper: bodyPart.element,
      params,
      headers,
      output,
    });
  }
  return { name, operations, schema };
}

function readSchema(set: SchemaSet, doc: XNode): void {
  const tns = doc.attrs.targetNamespace ?? '';
  // WCF always emits elementFormDefault="qualified"; honour "unqualified" for other servers.
  const qualified = doc.attrs.elementFormDefault === 'qualified';
  let anon = 0;
  const readComplex = (node: XNode, name: string): ComplexType => {
    const t: ComplexType = { kind: 'complex', ns: tns, name, members: [] };
    let body: XNode | undefined = node;
    const content = firstChild(node, XSD_NS, 'complexContent');
    if (content) {
      const ext = firstChild(content, XSD_NS, 'extension') ?? firstChild(content, XSD_NS, 'restriction');
      if (ext?.attrs.base) {
        const base = resolveQName(ext, ext.attrs.base);
        if (!(base.ns === XSD_NS && base.name === 'anyType')) t.base = base;
      }
      body = ext;
    }
    const seq =
      body &&
      (firstChild(body, XSD_NS, 'sequence') ?? firstChild(body, XSD_NS, 'all') ?? firstChild(body, XSD_NS, 'choice'));
    for (const el of seq ? childrenOf(seq, XSD_NS, 'element') : []) t.members.push(readMember(el));
    return t;
  };
  const readMember = (el: XNode): MemberDecl => {
    const min = el.attrs.minOccurs === undefined ? 1 : Number(el.attrs.minOccurs);
    const max =
      el.attrs.maxOccurs === 'unbounded' ? Infinity : el.attrs.maxOccurs === undefined ? 1 : Number(el.attrs.maxOccurs);
    if (el.attrs.ref) {
      const ref = resolveQName(el, el.attrs.ref);
      const target = set.elements.get(qkey(ref));
      return {
        name: ref.name,
        ns: ref.ns,
        type: target?.type ?? { ns: XSD_NS, name: 'anyType' },
        min,
        max,
        nillable: el.attrs.nillable === 'true',
      };
    }
    let type: QName;
    if (el.attrs.type) type = resolveQName(el, el.attrs.type);
    else {
      const inline = firstChild(el, XSD_NS, 'complexType');
      const inlineSimple = firstChild(el, XSD_NS, 'simpleType');
      const synthetic = `${el.attrs.name}#${++anon}`;
      if (inline) set.types.set(qkey({ ns: tns, name: synthetic }), readComplex(inline, synthetic));
      else if (inlineSimple) set.types.set(qkey({ ns: tns, name: synthetic }), readSimple(inlineSimple, synthetic));
      type = inline || inlineSimple ? { ns: tns, name: synthetic } : { ns: XSD_NS, name: 'anyType' };
    }
    return { name: el.attrs.name, ns: qualified ? tns : '', type, min, max, nillable: el.attrs.nillable === 'true' };
  };
  const readSimple = (node: XNode, name: string) => {
    const r = firstChild(node, XSD_NS, 'restriction');
    const list = firstChild(node, XSD_NS, 'list');
    const base = r?.attrs.base ? resolveQName(r, r.attrs.base) : { ns: XSD_NS, name: 'string' };
    const enums = r ? childrenOf(r, XSD_NS, 'enumeration').map((e) => e.attrs.value) : [];
    return {
      kind: 'simple' as const,
      ns: tns,
      name,
      base: list ? { ns: XSD_NS, name: 'string' } : base,
      enumeration: enums.length ? enums : undefined,
    };
  };

  for (const node of doc.children) {
    if (node.ns !== XSD_NS) continue;
    if (node.local === 'complexType' && node.attrs.name) {
      set.types.set(qkey({ ns: tns, name: node.attrs.name }), readComplex(node, node.attrs.name));
    } else if (node.local === 'simpleType' && node.attrs.name) {
      set.types.set(qkey({ ns: tns, name: node.attrs.name }), readSimple(node, node.attrs.name));
    }
  }
  // Elements after types: an anonymous wrapper type is named after its element.
  for (const node of childrenOf(doc, XSD_NS, 'element')) {
    if (!node.attrs.name) continue;
    const m = readMember(node);
    set.elements.set(qkey({ ns: tns, name: m.name }), { name: m.name, ns: tns, type: m.type, nillable: m.nillable });
  }
}
