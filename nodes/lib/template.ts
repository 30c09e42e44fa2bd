import { ComplexType, MemberDecl, QName, SchemaSet, qkey } from './schema';
import type { OperationModel } from './service-model';
import { ResolvedTokenPlace, isTokenMember } from './token-placement';
import { TYPE_KEY } from './envelope';

/**
 * Request skeletons like SoapUI's: the operation's input with members in schema order, each leaf
 * showing its type (`string`, `int`, `guid`, `dateTime`, an enum's values), collections as a
 * one-item array, the types a member may take instead of its own as `$type: 'Base | Derived'`,
 * and the token left out (the client fills it in).
 */

/** Everything the editor's Request template shows for one operation (README, Messages). */
export interface OperationTemplates {
  /** What to send as `msg.payload`. */
  payload: Record<string, unknown>;
  /** What to send as `msg.soapHeaders`: the operation's own header parts (`{}` when none). */
  soapHeaders: Record<string, unknown>;
  /**
   * For each member that takes derived types, by where it sits (`msg.payload.shape`), one skeleton
   * per derived type with every member that type has (base members first) and its `$type` set.
   */
  derivedTypes: Record<string, Record<string, unknown>>;
  /**
   * The answer: `msg.payload` as it comes out (`shape` "result": the value of `<Op>Result` alone;
   * "parts": every part by name; "none": a one-way operation, `null`), and the answer's header
   * parts as they come on `msg.cx.soapHeaders`.
   */
  answer: { shape: 'result' | 'parts' | 'none'; payload: unknown; soapHeaders?: Record<string, unknown> };
}

/** Most derived-type skeletons one template lists (a base with hundreds of derived types stays readable). */
export const MAX_DERIVED_SKELETONS = 60;

/** The derived types met while a skeleton is built, by path: `msg.payload.shape` -> { Circle: {...} }. */
type DerivedCollector = { found: Record<string, Record<string, unknown>>; count: number; more: number };

/** The SOAP header parts of an operation, the token header left out. */
export function buildHeadersTemplate(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
  derived?: DerivedCollector,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const h of op.headers) {
    if (place.kind === 'header' && h.element === place.header) continue;
    out[h.member.name] = skeleton(schema, h.member.type, place, new Set(), derived, `msg.soapHeaders.${h.member.name}`);
  }
  return out;
}

export function buildTemplate(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
  derived?: DerivedCollector,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of op.params) {
    if (isTokenMember(place, p)) continue;
    const v = skeleton(schema, p.type, place, new Set(), derived, `msg.payload.${p.name}`);
    out[p.name] = v;
  }
  return out;
}

/** The request skeletons (payload, SOAP headers, derived types) and the answer's shape. */
export function buildOperationTemplates(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
): OperationTemplates {
  const derived: DerivedCollector = { found: {}, count: 0, more: 0 };
  const payload = buildTemplate(op, schema, place, derived);
  const soapHeaders = buildHeadersTemplate(op, schema, place, derived);
  if (derived.more) derived.found.$more = { note: `${derived.more} more derived types not shown` };
  return { payload, soapHeaders, derivedTypes: derived.found, answer: answerTemplate(op, schema) };
}

function answerTemplate(op: OperationModel, schema: SchemaSet): OperationTemplates['answer'] {
  const out = op.output;
  if (!out) return { shape: 'none', payload: null };
  const none: ResolvedTokenPlace = { kind: 'none' };
  const value = (m: MemberDecl) => {
    const v = skeleton(schema, m.type, none, new Set());
    return m.max > 1 ? [v] : v;
  };
  const headers = out.headers.length ? Object.fromEntries(out.headers.map((h) => [h.name, value(h)])) : undefined;
  return {
    shape: out.result ? 'result' : 'parts',
    payload: out.result ? value(out.result) : Object.fromEntries(out.parts.map((p) => [p.name, value(p)])),
    ...(headers ? { soapHeaders: headers } : {}),
  };
}

function skeleton(
  schema: SchemaSet,
  type: QName,
  place: ResolvedTokenPlace,
  path: Set<string>,
  derivedOut?: DerivedCollector,
  where = '',
): unknown {
  const item = schema.arrayItem(type);
  if (item) return [skeleton(schema, item.type, place, path, derivedOut, `${where}[0]`)];
  const t = schema.type(type);
  if (t?.kind !== 'complex') return schema.label(type);
  if (t.simpleContent) {
    // Text with attributes: the plain value will do when no attribute is needed.
    if (!t.attributes?.length) return schema.label(t.simpleContent);
    return {
      $value: schema.label(t.simpleContent),
      $attributes: Object.fromEntries(t.attributes.map((a) => [a.name, schema.label(a.type)])),
    };
  }
  const key = qkey(type);
  // A type that contains itself (a parent work order, say) is shown once, not forever.
  if (path.has(key) || path.size > 8) return {};
  path.add(key);
  const obj: Record<string, unknown> = {};
  // A member that takes derived types (KnownType) lists them; set `$type` to one to send it.
  const derived = schema.derivedOf(type);
  if (derived.length) obj[TYPE_KEY] = [t.name, ...derived.map((d) => d.name)].join(' | ');
  const members = (of: ComplexType, into: Record<string, unknown>) => {
    for (const m of schema.membersOf(of) as MemberDecl[]) {
      if (isTokenMember(place, m)) continue;
      const at = `${where}.${m.name}`;
      into[m.name] =
        m.max > 1
          ? [skeleton(schema, m.type, place, path, derivedOut, `${at}[0]`)]
          : skeleton(schema, m.type, place, path, derivedOut, at);
    }
  };
  members(t, obj);
  // Each derived type's skeleton, with the members it adds, for the editor to show beside the request.
  if (derived.length && derivedOut && derivedOut.count >= MAX_DERIVED_SKELETONS) derivedOut.more += derived.length;
  else if (derived.length && derivedOut && !derivedOut.found[where]) {
    const choices: Record<string, unknown> = {};
    derivedOut.found[where] = choices;
    for (const d of derived) {
      if (derivedOut.count >= MAX_DERIVED_SKELETONS) {
        derivedOut.more++;
        continue;
      }
      derivedOut.count++;
      const dk = qkey(d);
      // `{namespace}Name` when another choice has the same name, as `$type` then needs it.
      const same = [t, ...derived].filter((x) => x.name === d.name).length > 1;
      const one: Record<string, unknown> = { [TYPE_KEY]: same ? `{${d.ns}}${d.name}` : d.name };
      if (!path.has(dk)) {
        path.add(dk);
        members(d, one);
        if (d.attributes?.length)
          one.$attributes = Object.fromEntries(d.attributes.map((a) => [a.name, schema.label(a.type)]));
        if (d.any) one.$xml = 'xml';
        path.delete(dk);
      }
      choices[one[TYPE_KEY] as string] = one;
    }
  }
  if (t.attributes?.length)
    obj.$attributes = Object.fromEntries(t.attributes.map((a) => [a.name, schema.label(a.type)]));
  // xs:any content (IXmlSerializable, DataSet) travels as XML text.
  if (t.any) obj.$xml = 'xml';
  path.delete(key);
  return obj;
}
