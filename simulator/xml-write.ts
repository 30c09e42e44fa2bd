// Writes responses as WCF does: no XML declaration, s: for the envelope, the result element
// declaring xmlns:a (the result contract's namespace) and xmlns:i, further namespaces as b:, c:...
// declared on the first element whose children need them, i:nil="true" for nulls.
// The writer is a generator of chunks so that a 50,000-record list streams instead of being
// built as one giant string first.
import { formatLondon } from './clock';
import {
  ArrayType,
  DataContract,
  FlatMember,
  NS,
  Primitive,
  TypeRef,
  arrayNs,
  flatMembers,
  isPrimitive,
  itemName,
} from './contract';

export const CHUNK = 64 * 1024;

export function escapeText(s: string): string {
  // WCF writes \r as a character reference so that it survives end-of-line normalisation
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<>"\r\n\t]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

export function formatPrimitive(value: unknown, type: Primitive): string {
  switch (type) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'dateTime':
      return typeof value === 'number' ? formatLondon(value) : String(value);
    case 'decimal':
      return typeof value === 'number' ? value.toFixed(2) : String(value);
    case 'guid':
      return String(value).toLowerCase();
    default:
      return escapeText(String(value));
  }
}

type Scope = Map<string, string>; // namespace -> prefix in scope

interface Out {
  buf: string;
}

const LETTERS = 'abcdefghjklmnopqrtuvwxyz'; // not i (xsi) nor s (envelope)

function freePrefix(scope: Scope): string {
  const used = new Set(scope.values());
  for (let n = 0; ; n++) {
    const p = n < LETTERS.length ? LETTERS[n] : `${LETTERS[n % LETTERS.length]}${Math.floor(n / LETTERS.length)}`;
    if (!used.has(p)) return p;
  }
}

// Flattened members and child namespaces are asked for once per element; cache them per type.
const flatCache = new WeakMap<DataContract, FlatMember[]>();
const members = (dc: DataContract): FlatMember[] => {
  let m = flatCache.get(dc);
  if (!m) {
    m = flatMembers(dc);
    flatCache.set(dc, m);
  }
  return m;
};
const nsCache = new WeakMap<DataContract | ArrayType, string[]>();

/** Namespaces the children of an element of this type are written in. */
function childNamespaces(type: DataContract | ArrayType): string[] {
  let seen = nsCache.get(type);
  if (seen) return seen;
  seen = [];
  if (type.kind === 'array') seen.push(arrayNs(type));
  else for (const m of members(type)) if (!seen.includes(m.ns)) seen.push(m.ns);
  nsCache.set(type, seen);
  return seen;
}

/** Declare what the children need and is not yet in scope; returns the attribute text and the new scope. */
function declare(scope: Scope, namespaces: string[]): [string, Scope] {
  let attrs = '';
  let next = scope;
  for (const ns of namespaces) {
    if (next.has(ns)) continue;
    if (next === scope) next = new Map(scope);
    const p = freePrefix(next);
    next.set(ns, p);
    attrs += ` xmlns:${p}="${escapeAttr(ns)}"`;
  }
  return [attrs, next];
}

/** Leaf values (nil, primitives, enums) are written directly; only nested objects and arrays go through the generators. */
function leaf(qname: string, type: TypeRef, value: unknown): string | undefined {
  if (value === null || value === undefined) return `<${qname} i:nil="true"/>`;
  if (isPrimitive(type)) return `<${qname}>${formatPrimitive(value, type)}</${qname}>`;
  if (type.kind === 'enum') return `<${qname}>${escapeText(String(value))}</${qname}>`;
  return undefined;
}

function* writeElement(out: Out, qname: string, type: TypeRef, value: unknown, scope: Scope): Generator<string> {
  const simple = leaf(qname, type, value);
  if (simple !== undefined) {
    out.buf += simple;
  } else if (typeof type !== 'string' && type.kind === 'array') {
    const [attrs, inner] = declare(scope, childNamespaces(type));
    const itemQ = `${inner.get(arrayNs(type))}:${itemName(type)}`;
    out.buf += `<${qname}${attrs}>`;
    for (const item of value as Iterable<unknown>) {
      const s = leaf(itemQ, type.item, item);
      if (s !== undefined) out.buf += s;
      else yield* writeElement(out, itemQ, type.item, item, inner);
      if (out.buf.length >= CHUNK) {
        yield out.buf;
        out.buf = '';
      }
    }
    out.buf += `</${qname}>`;
  } else if (typeof type !== 'string' && type.kind === 'contract') {
    const [attrs, inner] = declare(scope, childNamespaces(type));
    out.buf += `<${qname}${attrs}>`;
    yield* writeMembers(out, type, value as Record<string, unknown>, inner);
    out.buf += `</${qname}>`;
  }
}

function* writeMembers(out: Out, dc: DataContract, value: Record<string, unknown>, scope: Scope): Generator<string> {
  for (const m of members(dc)) {
    const qname = `${scope.get(m.ns)}:${m.name}`;
    const v = value[m.name];
    const s = leaf(qname, m.type, v);
    if (s !== undefined) out.buf += s;
    else yield* writeElement(out, qname, m.type, v, scope);
  }
}

/** The whole response envelope for operation `op` whose result is `value` of contract `dc`. */
export function* writeResponse(op: string, dc: DataContract, value: Record<string, unknown>): Generator<string> {
  const scope: Scope = new Map([
    [NS.soap11, 's'],
    [NS.xsi, 'i'],
    [dc.ns, 'a'],
  ]);
  const [more, inner] = declare(scope, childNamespaces(dc));
  const out: Out = {
    buf:
      `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><${op}Response xmlns="${NS.tempuri}">` +
      `<${op}Result xmlns:a="${escapeAttr(dc.ns)}" xmlns:i="${NS.xsi}"${more}>`,
  };
  yield* writeMembers(out, dc, value, inner);
  out.buf += `</${op}Result></${op}Response></s:Body></s:Envelope>`;
  yield out.buf;
}

export function collect(chunks: Iterable<string>): string {
  let s = '';
  for (const c of chunks) s += c;
  return s;
}
