import { XMLParser } from 'fast-xml-parser';
import { CxError } from './errors';

/**
 * A small namespace-aware tree for WSDL and XSD documents. They are small and read once per
 * service, so a whole-document parse is fine here (responses, which can be large, are streamed:
 * see response-reader.ts). WCF declares prefixes inline (`xmlns:q1` on the element that uses
 * them), so every node keeps its own in-scope prefix map to resolve QName attribute values.
 */
export interface XNode {
  ns: string;
  local: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
  scope: ReadonlyMap<string, string>;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: false,
});

type RawNode = Record<string, unknown>;

export function parseXmlDocument(xml: string, what: string): XNode {
  // WSDL and XSD never need a DTD; refusing one closes the door on entity tricks.
  if (/<!DOCTYPE/i.test(xml)) {
    throw new CxError('CX_BAD_RESPONSE', `The ${what} contains a DOCTYPE, which a WCF service never sends; refused.`);
  }
  let raw: unknown;
  try {
    raw = parser.parse(xml, true);
  } catch (err) {
    throw new CxError(
      'CX_BAD_RESPONSE',
      `The ${what} is not well-formed XML (${(err as Error).message.split('\n')[0]}).`,
    );
  }
  const roots = (raw as RawNode[]).map((n) => toNode(n, new Map())).filter((n): n is XNode => n !== null);
  if (roots.length !== 1) throw new CxError('CX_BAD_RESPONSE', `The ${what} has no single root element.`);
  return roots[0];
}

function toNode(raw: RawNode, parentScope: ReadonlyMap<string, string>): XNode | null {
  const tag = Object.keys(raw).find((k) => k !== ':@');
  if (!tag || tag === '#text') return null;
  const attrs: Record<string, string> = Object.create(null);
  const rawAttrs = (raw[':@'] ?? {}) as Record<string, unknown>;
  let scope: Map<string, string> | ReadonlyMap<string, string> = parentScope;
  for (const [name, value] of Object.entries(rawAttrs)) {
    const v = String(value);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (scope === parentScope) scope = new Map(parentScope);
      (scope as Map<string, string>).set(name === 'xmlns' ? '' : name.slice(6), v);
    } else {
      attrs[name] = v;
    }
  }
  const [prefix, local] = splitName(tag);
  const node: XNode = { ns: scope.get(prefix) ?? '', local, attrs, children: [], text: '', scope };
  for (const child of (raw[tag] as RawNode[]) ?? []) {
    if ('#text' in child) node.text += String(child['#text']);
    else {
      const c = toNode(child, scope);
      if (c) node.children.push(c);
    }
  }
  return node;
}

function splitName(name: string): [string, string] {
  const i = name.indexOf(':');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

/** Resolves a QName attribute value (`q1:ArrayOfint`) with the prefixes in scope at `node`. */
export function resolveQName(node: XNode, value: string): { ns: string; name: string } {
  const [prefix, name] = splitName(value.trim());
  return { ns: node.scope.get(prefix) ?? (prefix === '' ? '' : prefix), name };
}

export function childrenOf(node: XNode, ns: string, local: string): XNode[] {
  return node.children.filter((c) => c.local === local && c.ns === ns);
}

export function firstChild(node: XNode, ns: string, local: string): XNode | undefined {
  return node.children.find((c) => c.local === local && c.ns === ns);
}
