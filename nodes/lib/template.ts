import { MemberDecl, QName, SchemaSet, qkey } from './schema';
import type { OperationModel } from './service-model';
import { ResolvedTokenPlace, isTokenMember } from './token-placement';
import { TYPE_KEY } from './envelope';

/**
 * A request skeleton like SoapUI's: the operation's input with members in schema order, each leaf
 * showing its type (`string`, `int`, `guid`, `dateTime`, an enum's values), collections as a
 * one-item array, the types a member may take instead of its own as `$type: 'Base | Derived'`,
 * and the token left out (the client fills it in).
 */
/** The SOAP header parts of an operation, the token header left out. */
export function buildHeadersTemplate(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const h of op.headers) {
    if (place.kind === 'header' && h.element === place.header) continue;
    out[h.member.name] = skeleton(schema, h.member.type, place, new Set());
  }
  return out;
}

export function buildTemplate(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of op.params) {
    if (isTokenMember(place, p)) continue;
    out[p.name] = skeleton(schema, p.type, place, new Set());
  }
  return out;
}

function skeleton(schema: SchemaSet, type: QName, place: ResolvedTokenPlace, path: Set<string>): unknown {
  const item = schema.arrayItem(type);
  if (item) return [skeleton(schema, item.type, place, path)];
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
  for (const m of schema.membersOf(t) as MemberDecl[]) {
    if (isTokenMember(place, m)) continue;
    obj[m.name] = m.max > 1 ? [skeleton(schema, m.type, place, path)] : skeleton(schema, m.type, place, path);
  }
  if (t.attributes?.length)
    obj.$attributes = Object.fromEntries(t.attributes.map((a) => [a.name, schema.label(a.type)]));
  // xs:any content (IXmlSerializable, DataSet) travels as XML text.
  if (t.any) obj.$xml = 'xml';
  path.delete(key);
  return obj;
}
