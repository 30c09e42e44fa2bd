import { CxError } from './errors';
import { ChoiceMark, ComplexType, MemberDecl, ParticleContext, QName, SchemaSet, XSD_NS, qkey } from './schema';
import { runAtOnce, runInSlices } from './slices';
import { XNode, childrenOf, firstChild, resolveQName } from './xml-dom';

export const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const SOAP11_BINDING_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';

/** Where a call's token goes, as found in the WSDL (the real place is not known: README "What is not known about real Cx"). */
export type TokenPlacement = 'member' | 'parameter' | 'header' | 'none';

export interface HeaderDecl {
  element: QName;
  /** The header as a member: its element name, namespace and type, for writing a flow's value. */
  member: MemberDecl;
}

/**
 * What an answer holds, as the WSDL declares it. `wrapper` is the body element of a wrapped answer
 * (DataContract operations, wrapped MessageContracts) whose children are `parts`; a bare answer
 * (an unwrapped MessageContract) has no wrapper and its parts sit directly in the Body.
 */
export interface OutputModel {
  wrapper?: QName;
  parts: MemberDecl[];
  /** Set when the only part is `<Operation>Result`: the answer is that part's value alone. */
  result?: MemberDecl;
  /** SOAP header parts of the answer (MessageContract `[MessageHeader]`). */
  headers: MemberDecl[];
}

export interface OperationModel {
  name: string;
  soapAction: string;
  /** The body wrapper element, e.g. tempuri `GetRepairWorkOrderDetails` (for a bare input, its first part). */
  wrapper: QName;
  /**
   * The wrapper's members in order: usually just `request`, sometimes `token` then `request`. For a
   * bare input, the body parts themselves, each a global element.
   */
  params: MemberDecl[];
  /**
   * A bare input (an unwrapped MessageContract, or one part of a simple type): `params` are written
   * straight into the Body, each as its own element, with no wrapper around them.
   */
  bare?: boolean;
  /** A bare input's WSDL part names that differ from their element names: part name -> element name. */
  partAliases?: Map<string, string>;
  headers: HeaderDecl[];
  /** What the answer holds; undefined for a one-way operation (no output message). */
  output?: OutputModel;
  /** Why the client cannot call this operation, when it cannot (it is still listed). */
  unsupported?: string;
  /**
   * Why the service's own WSDL makes this operation impossible to call (a soapAction HTTP cannot
   * carry): calling it is `CX_BAD_RESPONSE`, the server's fault, while the others stay usable.
   */
  invalid?: string;
}

/** What Node refuses in a header value (its own check): controls other than tab, and beyond U+00FF. */
const NOT_IN_A_HEADER = /[^\t\x20-\x7e\x80-\xff]/;

export interface ServiceModel {
  name: string;
  operations: Map<string, OperationModel>;
  schema: SchemaSet;
}

interface PartDecl {
  name: string;
  element?: QName;
  type?: QName;
}

/** Builds the service model from the WSDL documents (the main one plus wsdl:imports) and schemas. */
export function buildServiceModel(name: string, wsdlDocs: XNode[], schemaDocs: XNode[]): ServiceModel {
  return runAtOnce(modelSteps(name, wsdlDocs, schemaDocs));
}

/**
 * The same, in slices of a few ms with the event loop free between them: 8 MB of metadata (the
 * most a service may have) takes several hundred ms to build (README "Reliability and security").
 */
export function buildServiceModelInSlices(name: string, wsdlDocs: XNode[], schemaDocs: XNode[]): Promise<ServiceModel> {
  return runInSlices(modelSteps(name, wsdlDocs, schemaDocs));
}

/**
 * The most elements one top-level schema declaration may hold, its inline types included, and
 * how deeply they may nest. A step of the build reads one declaration whole, so these bound a
 * step (a WCF data contract has tens of members, nested a few levels).
 */
export const MAX_DECLARATION_NODES = 10000;
export const MAX_DECLARATION_DEPTH = 64;

/** The build, pausing (`yield`) after each schema declaration, message and operation. */
function* modelSteps(name: string, wsdlDocs: XNode[], schemaDocs: XNode[]): Generator<void, ServiceModel, void> {
  const schema = new SchemaSet();
  for (const doc of schemaDocs) yield* readSchema(schema, doc, name);
  // After every schema: a ref may point into a schema that was read later.
  schema.resolveRefs();
  yield;

  const messages = new Map<string, PartDecl[]>();
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
          type: p.attrs.type ? resolveQName(p, p.attrs.type) : undefined,
        })),
      );
      yield;
    }
    for (const pt of childrenOf(doc, WSDL_NS, 'portType')) {
      for (const op of childrenOf(pt, WSDL_NS, 'operation')) {
        const input = firstChild(op, WSDL_NS, 'input');
        const output = firstChild(op, WSDL_NS, 'output');
        portOps.set(op.attrs.name, {
          input: input?.attrs.message ? resolveQName(input, input.attrs.message) : undefined,
          output: output?.attrs.message ? resolveQName(output, output.attrs.message) : undefined,
        });
        yield;
      }
    }
    // No spread into push: a hostile WSDL may hold hundreds of thousands of them.
    for (const b of childrenOf(doc, WSDL_NS, 'binding')) bindings.push(b);
  }

  // WCF may publish a SOAP 1.2 binding next to the basicHttp one; Cx speaks SOAP 1.1.
  const binding = bindings.find((b) => firstChild(b, SOAP11_BINDING_NS, 'binding'));
  if (!binding) throw new CxError('CX_BAD_RESPONSE', `The WSDL of ${name} has no SOAP 1.1 binding.`);
  const bindingStyle = firstChild(binding, SOAP11_BINDING_NS, 'binding')?.attrs.style ?? 'document';

  const elementMember = (el: QName): MemberDecl => {
    const decl = schema.elements.get(qkey(el));
    return {
      name: el.name,
      ns: el.ns,
      type: decl?.type ?? { ns: XSD_NS, name: 'anyType' },
      min: 0,
      max: 1,
      nillable: decl?.nillable ?? true,
    };
  };
  /** Header parts named by `soap:header` in a binding input or output, and the part names they take. */
  // A message's parts by name, made once per message (a lookup per soap:header stays linear).
  const partIndex = new Map<string, Map<string, PartDecl>>();
  const partOf = (msg: QName, part: string | undefined): PartDecl | undefined => {
    const k = qkey(msg);
    let idx = partIndex.get(k);
    if (!idx) {
      idx = new Map();
      for (const p of messages.get(k) ?? []) if (!idx.has(p.name)) idx.set(p.name, p);
      partIndex.set(k, idx);
    }
    return part === undefined ? undefined : idx.get(part);
  };
  const headerParts = (node: XNode | undefined, own: QName | undefined) => {
    const members: MemberDecl[] = [];
    const names = new Set<string>();
    for (const h of node ? childrenOf(node, SOAP11_BINDING_NS, 'header') : []) {
      const msgName = resolveQName(h, h.attrs.message ?? '');
      const part = partOf(msgName, h.attrs.part);
      if (!part?.element) continue;
      members.push(elementMember(part.element));
      if (own && msgName.name === own.name && msgName.ns === own.ns) names.add(part.name);
    }
    return { members, names };
  };

  const operations = new Map<string, OperationModel>();
  for (const bop of childrenOf(binding, WSDL_NS, 'operation')) {
    yield;
    const opName = bop.attrs.name;
    const soapOp = firstChild(bop, SOAP11_BINDING_NS, 'operation');
    const port = portOps.get(opName);
    const soapAction = soapOp?.attrs.soapAction ?? '';
    const base = {
      name: opName,
      soapAction,
      ...(NOT_IN_A_HEADER.test(soapAction)
        ? { invalid: 'its soapAction holds characters an HTTP header cannot carry (a line break or control character)' }
        : {}),
    };
    if (!port?.input) {
      operations.set(opName, {
        ...base,
        wrapper: { ns: '', name: opName },
        params: [],
        headers: [],
        unsupported: 'its WSDL declares no input message',
      });
      continue;
    }
    const style = soapOp?.attrs.style ?? bindingStyle;
    const bindingInput = firstChild(bop, WSDL_NS, 'input');
    const bindingOutput = firstChild(bop, WSDL_NS, 'output');
    const inHeaders = headerParts(bindingInput, port.input);
    const inputParts = (messages.get(qkey(port.input)) ?? []).filter((p) => !inHeaders.names.has(p.name));
    const headers = inHeaders.members.map((member) => ({ element: { ns: member.ns, name: member.name }, member }));
    const outHeaders = port.output ? headerParts(bindingOutput, port.output) : undefined;
    const outputParts = port.output
      ? (messages.get(qkey(port.output)) ?? []).filter((p) => !outHeaders?.names.has(p.name))
      : undefined;

    if (style === 'rpc') {
      // RPC/literal: the wrapper is named after the operation in soap:body's namespace, and each
      // part is an unqualified child element of its `type`.
      const ns = bodyNamespace(bindingInput);
      const asMember = (p: PartDecl): MemberDecl =>
        p.element
          ? elementMember(p.element)
          : { name: p.name, ns: '', type: p.type ?? { ns: XSD_NS, name: 'anyType' }, min: 0, max: 1, nillable: true };
      operations.set(opName, {
        ...base,
        wrapper: { ns, name: opName },
        params: inputParts.map(asMember),
        headers,
        output: outputParts && {
          wrapper: { ns: bodyNamespace(bindingOutput) || ns, name: `${opName}Response` },
          parts: outputParts.map(asMember),
          headers: outHeaders?.members ?? [],
        },
      });
      continue;
    }
    const typed = inputParts.find((p) => !p.element);
    const bodyPart = inputParts.find((p) => p.element);
    const input = typed || !bodyPart?.element ? undefined : documentInput(schema, inputParts, elementMember);
    if (!input || typeof input === 'string') {
      operations.set(opName, {
        ...base,
        wrapper: bodyPart?.element ?? { ns: '', name: opName },
        params: [],
        headers,
        unsupported: typed
          ? `its input part "${typed.name}" is declared with type= in a document-style binding, which the client does not write`
          : (input ?? 'its input message has no body part'),
      });
      continue;
    }
    const output = outputParts && documentOutput(schema, opName, outputParts, outHeaders?.members ?? [], elementMember);
    operations.set(opName, { ...base, ...input, headers, output });
  }
  return { name, operations, schema };
}

/**
 * A document/literal input: one element part of a complex type is the wrapper, whose members the
 * flow gives; several parts (an unwrapped MessageContract), or one of a simple type or a
 * collection, are bare: each part its own element in the Body, given by its element name (or part name). A
 * string says why the client cannot write it.
 */
function documentInput(
  schema: SchemaSet,
  parts: PartDecl[],
  elementMember: (el: QName) => MemberDecl,
): Pick<OperationModel, 'wrapper' | 'params' | 'bare' | 'partAliases'> | string {
  const elements = parts.map((p) => p.element as QName);
  if (elements.length === 1) {
    const decl = schema.elements.get(qkey(elements[0]));
    const t = decl && schema.type(decl.type);
    // An undeclared element keeps the wrapper reading (nothing is known of its content).
    if (!decl || (t?.kind === 'complex' && !schema.arrayItem(decl.type)))
      return { wrapper: elements[0], params: t?.kind === 'complex' ? schema.membersOf(t) : [] };
  }
  const params = elements.map(elementMember);
  const names = params.map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    return `its bare input has two body parts named "${twice.slice(0, 100)}" (in different namespaces), which a payload cannot tell apart`;
  // A part may also be given by its WSDL part name where that differs from the element's.
  const aliases = new Map<string, string>();
  parts.forEach((p, i) => {
    if (p.name !== names[i] && !names.includes(p.name)) aliases.set(p.name, names[i]);
  });
  return { wrapper: elements[0], params, bare: true, ...(aliases.size ? { partAliases: aliases } : {}) };
}

/**
 * A document/literal answer: one element part whose type is a complex type is a wrapper, its
 * members the parts; anything else (several parts, or one simple-typed element) is bare, each part
 * an element directly in the Body.
 */
function documentOutput(
  schema: SchemaSet,
  opName: string,
  parts: PartDecl[],
  headers: MemberDecl[],
  elementMember: (el: QName) => MemberDecl,
): OutputModel {
  const elementParts = parts.filter((p) => p.element);
  if (elementParts.length === 1) {
    const el = elementParts[0].element as QName;
    const decl = schema.elements.get(qkey(el));
    const t = decl && schema.type(decl.type);
    if (decl && t?.kind === 'complex' && !schema.arrayItem(decl.type)) {
      const members = schema.membersOf(t);
      const only = members.length === 1 ? members[0] : undefined;
      return { wrapper: el, parts: members, result: only?.name === `${opName}Result` ? only : undefined, headers };
    }
  }
  return { parts: elementParts.map((p) => elementMember(p.element as QName)), headers };
}

function bodyNamespace(node: XNode | undefined): string {
  const body = node && firstChild(node, SOAP11_BINDING_NS, 'body');
  return body?.attrs.namespace ?? '';
}

/**
 * Refuses a top-level schema declaration too large or too deep to read in one step (see
 * MAX_DECLARATION_NODES), counting its elements without recursion.
 */
function checkDeclaration(node: XNode, service: string): void {
  const stack: [XNode, number][] = [[node, 1]];
  let count = 0;
  while (stack.length) {
    const [n, depth] = stack.pop() as [XNode, number];
    if (++count > MAX_DECLARATION_NODES || depth > MAX_DECLARATION_DEPTH) {
      const what =
        count > MAX_DECLARATION_NODES
          ? `more than ${MAX_DECLARATION_NODES} elements`
          : `elements nested more than ${MAX_DECLARATION_DEPTH} deep`;
      throw new CxError(
        'CX_BAD_RESPONSE',
        `A schema of ${service} declares "${String(node.attrs.name).slice(0, 100)}" with ${what}; refused. A WCF service's types are far smaller: check the base URL and the service name.`,
        { service },
      );
    }
    for (const c of n.children) stack.push([c, depth + 1]);
  }
}

function* readSchema(set: SchemaSet, doc: XNode, service: string): Generator<void, void, void> {
  const tns = doc.attrs.targetNamespace ?? '';
  // WCF always emits elementFormDefault="qualified"; honour "unqualified" for other servers.
  const qualified = doc.attrs.elementFormDefault === 'qualified';
  let anon = 0;
  const readComplex = (node: XNode, name: string): ComplexType => {
    const t: ComplexType = { kind: 'complex', ns: tns, name, members: [] };
    let body: XNode | undefined = node;
    const content = firstChild(node, XSD_NS, 'complexContent');
    const simple = firstChild(node, XSD_NS, 'simpleContent');
    if (content) {
      const ext = firstChild(content, XSD_NS, 'extension') ?? firstChild(content, XSD_NS, 'restriction');
      if (ext?.attrs.base) {
        const base = resolveQName(ext, ext.attrs.base);
        if (!(base.ns === XSD_NS && base.name === 'anyType')) t.base = base;
      }
      body = ext;
    } else if (simple) {
      const ext = firstChild(simple, XSD_NS, 'extension') ?? firstChild(simple, XSD_NS, 'restriction');
      t.simpleContent = ext?.attrs.base ? resolveQName(ext, ext.attrs.base) : { ns: XSD_NS, name: 'string' };
      body = ext;
    }
    if (body) readParticles(body, t, { optional: false });
    if (body) readAttributes(body, t);
    return t;
  };
  /** Declared attributes, and `xs:attributeGroup ref=`s (expanded once every schema is loaded). */
  const readAttributes = (node: XNode, t: ComplexType): void => {
    const attributes = childrenOf(node, XSD_NS, 'attribute').filter((a) => a.attrs.name);
    if (attributes.length)
      t.attributes = [
        ...(t.attributes ?? []),
        ...attributes.map((a) => ({
          name: a.attrs.name,
          type: a.attrs.type ? resolveQName(a, a.attrs.type) : { ns: XSD_NS, name: 'string' },
        })),
      ];
    for (const g of childrenOf(node, XSD_NS, 'attributeGroup'))
      if (g.attrs.ref) set.attributeGroupRef(t, resolveQName(g, g.attrs.ref));
  };
  const optionalHere = (n: XNode, ctx: ParticleContext): boolean => ctx.optional || n.attrs.minOccurs === '0';
  /** Elements of sequences, alls, choices and groups, in order; a choice's branches are marked. */
  const readParticles = (node: XNode, t: ComplexType, ctx: ParticleContext): void => {
    for (const c of node.children) if (c.ns === XSD_NS) readParticle(c, t, ctx);
  };
  const readParticle = (c: XNode, t: ComplexType, ctx: ParticleContext): void => {
    if (c.local === 'element') {
      // DataSet: `<xs:element ref="xs:schema"/><xs:any/>` is XML content, not a member.
      if (c.attrs.ref && resolveQName(c, c.attrs.ref).ns === XSD_NS) {
        t.any = true;
        return;
      }
      const m = readMember(c);
      if (ctx.choice) m.choice = ctx.choice;
      // An element of a branch, or of a sequence that may be absent, is never required on its own.
      if (ctx.choice || ctx.optional) m.min = 0;
      t.members.push(m);
    } else if (c.local === 'sequence' || c.local === 'all')
      readParticles(c, t, { ...ctx, optional: optionalHere(c, ctx) });
    // A choice inside a branch of another is never required: the outer branch may be another.
    else if (c.local === 'choice') readChoice(c, t, optionalHere(c, ctx) || ctx.choice !== undefined);
    else if (c.local === 'group' && c.attrs.ref)
      set.groupRef(t, resolveQName(c, c.attrs.ref), { ...ctx, optional: optionalHere(c, ctx) });
    else if (c.local === 'any') t.any = true;
  };
  /** Whether a branch of a choice needs content of its own (so that giving nothing is not that branch). */
  const branchDemands = (c: XNode): boolean => {
    if (c.attrs.minOccurs === '0') return false;
    if (c.local === 'element') return true;
    if (c.local === 'sequence' || c.local === 'all')
      return childrenOf(c, XSD_NS, 'element').some((e) => e.attrs.minOccurs !== '0');
    return false;
  };
  const readChoice = (node: XNode, t: ComplexType, optional: boolean): void => {
    const group = set.nextChoiceGroup();
    const marks: ChoiceMark[] = [];
    let demands = true;
    for (const c of node.children) {
      if (c.ns !== XSD_NS || c.local === 'annotation') continue;
      const mark: ChoiceMark = { group, branch: marks.length };
      marks.push(mark);
      if (!branchDemands(c)) demands = false;
      readParticle(c, t, { choice: mark, optional: true });
    }
    // README, Messages: a required choice with no branch given is refused before sending.
    if (!optional && demands && marks.length) for (const m of marks) m.required = true;
  };
  const readMember = (el: XNode): MemberDecl => {
    const min = el.attrs.minOccurs === undefined ? 1 : Number(el.attrs.minOccurs);
    const max =
      el.attrs.maxOccurs === 'unbounded' ? Infinity : el.attrs.maxOccurs === undefined ? 1 : Number(el.attrs.maxOccurs);
    if (el.attrs.ref) {
      const ref = resolveQName(el, el.attrs.ref);
      const member: MemberDecl = {
        name: ref.name,
        ns: ref.ns,
        type: { ns: XSD_NS, name: 'anyType' },
        min,
        max,
        nillable: el.attrs.nillable === 'true',
      };
      // The element may be in a schema read later: typed once every schema is in (resolveRefs).
      set.pendingRefs.push({ member, ref });
      return member;
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
    yield;
    if (node.attrs.name) checkDeclaration(node, service);
    if (node.local === 'group' && node.attrs.name) {
      // Read where it is used, once every schema is loaded, in this schema's namespace and prefixes.
      set.groups.set(qkey({ ns: tns, name: node.attrs.name }), (into, ctx) => readParticles(node, into, ctx));
    } else if (node.local === 'attributeGroup' && node.attrs.name) {
      set.attributeGroups.set(qkey({ ns: tns, name: node.attrs.name }), (into) => readAttributes(node, into));
    } else if (node.local === 'complexType' && node.attrs.name) {
      set.types.set(qkey({ ns: tns, name: node.attrs.name }), readComplex(node, node.attrs.name));
    } else if (node.local === 'simpleType' && node.attrs.name) {
      set.types.set(qkey({ ns: tns, name: node.attrs.name }), readSimple(node, node.attrs.name));
    }
  }
  // Elements after types: an anonymous wrapper type is named after its element.
  for (const node of childrenOf(doc, XSD_NS, 'element')) {
    if (!node.attrs.name) continue;
    yield;
    const m = readMember(node);
    set.elements.set(qkey({ ns: tns, name: m.name }), { name: m.name, ns: tns, type: m.type, nillable: m.nillable });
  }
}
