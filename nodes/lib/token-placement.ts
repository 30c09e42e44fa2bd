import { CxError } from './errors';
import { MemberDecl, QName, SchemaSet } from './schema';
import type { OperationModel } from './service-model';

/**
 * Where the token goes is not known for real Cx (README "What is not known about real Cx"), so it is read from each operation's
 * WSDL. The three WCF-typical shapes, tried in this order by `auto`:
 * - `header`: a SOAP header element declared in the binding (MessageContract `[MessageHeader]`);
 * - `parameter`: an operation parameter next to `request` (`<tem:token>`);
 * - `member`: a member of the request DataContract, often inherited from a base request type.
 * A connection setting forces one shape (and the element name) where the WSDL is ambiguous.
 */
export type TokenPlacementSetting = 'auto' | 'header' | 'parameter' | 'member' | 'none';

export type ResolvedTokenPlace =
  | { kind: 'header'; header: QName }
  | { kind: 'parameter'; param: MemberDecl }
  | { kind: 'member'; param: MemberDecl; member: MemberDecl }
  | { kind: 'none' };

export function resolveTokenPlace(
  op: OperationModel,
  schema: SchemaSet,
  setting: TokenPlacementSetting,
  tokenName: string,
  ctx: { service: string; method: string },
  log?: (message: string) => void,
): ResolvedTokenPlace {
  if (setting === 'none') return { kind: 'none' };
  const exact = (a: string) => a.toLowerCase() === tokenName.toLowerCase();
  // Another WCF service may call it `WSToken` or `SecurityToken`: in `auto`, a string whose name
  // ends in "token" is the second choice, after an exact match in any of the three shapes.
  const loose = (a: string) => /token$/i.test(a);
  const isText = (m: MemberDecl) => schema.type(m.type)?.kind !== 'complex' && !schema.arrayItem(m.type);
  const find = {
    header: (match: (a: string) => boolean): ResolvedTokenPlace | undefined => {
      const h = op.headers.find((x) => match(x.element.name));
      return h ? { kind: 'header', header: h.element } : undefined;
    },
    parameter: (match: (a: string) => boolean): ResolvedTokenPlace | undefined => {
      const p = op.params.find((x) => match(x.name) && isText(x));
      return p ? { kind: 'parameter', param: p } : undefined;
    },
    member: (match: (a: string) => boolean): ResolvedTokenPlace | undefined => {
      for (const p of op.params) {
        const t = schema.type(p.type);
        if (t?.kind !== 'complex') continue;
        const m = schema.membersOf(t).find((x) => match(x.name) && isText(x));
        if (m) return { kind: 'member', param: p, member: m };
      }
      return undefined;
    },
  };
  if (setting === 'auto') {
    const found = find.header(exact) ?? find.parameter(exact) ?? find.member(exact);
    if (found) return found;
    // The name-ends-in-token guess only when it points at one element: with two (`SecurityToken`
    // and `ConfirmationToken`, say) the token could overwrite a business member.
    const candidates = looseCandidates(op, schema, isText, loose);
    if (candidates.length !== 1) {
      if (candidates.length > 1)
        log?.(
          `${ctx.service}.${ctx.method}: no token element named ${tokenName}, and ${candidates.length} whose names end in "token" (${candidates.join(', ')}); none is used. Set the token placement and name on the Cx connection.`,
        );
      return { kind: 'none' };
    }
    const place = (find.header(loose) ?? find.parameter(loose) ?? find.member(loose)) as ResolvedTokenPlace;
    log?.(`${ctx.service}.${ctx.method}: the token goes in ${candidates[0]} (no element is named ${tokenName}).`);
    return place;
  }
  const place = find[setting](exact);
  if (!place) {
    throw new CxError(
      'CX_CONFIG',
      `The token placement is set to ${setting}, but ${ctx.service}.${ctx.method} declares no ${setting} with the configured token name. Set the placement to auto or correct the token name on the Cx connection.`,
      { ...ctx },
    );
  }
  return place;
}

/** Every element whose name ends in "token", as `header X`, `parameter X` or `member P.X`. */
function looseCandidates(
  op: OperationModel,
  schema: SchemaSet,
  isText: (m: MemberDecl) => boolean,
  loose: (a: string) => boolean,
): string[] {
  const out = op.headers.filter((h) => loose(h.element.name)).map((h) => `header ${h.element.name}`);
  for (const p of op.params) {
    if (loose(p.name) && isText(p)) out.push(`parameter ${p.name}`);
    const t = schema.type(p.type);
    if (t?.kind === 'complex')
      for (const m of schema.membersOf(t)) if (loose(m.name) && isText(m)) out.push(`member ${p.name}.${m.name}`);
  }
  return out;
}

/** The name of the element that carries the token, if the caller could name it in a payload. */
export function tokenElementName(place: ResolvedTokenPlace): string | undefined {
  if (place.kind === 'member') return place.member.name;
  if (place.kind === 'parameter') return place.param.name;
  if (place.kind === 'header') return place.header.name;
  return undefined;
}

/** Whether the token's place is something the caller should leave out of a template. */
export function isTokenMember(place: ResolvedTokenPlace, m: MemberDecl): boolean {
  return (place.kind === 'member' && place.member === m) || (place.kind === 'parameter' && place.param === m);
}
