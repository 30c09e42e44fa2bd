import { CxError } from './errors';
import { MemberDecl, QName, SchemaSet } from './schema';
import type { OperationModel } from './service-model';

/**
 * Where the token goes is not known for real Cx (cx-facts), so it is read from each operation's
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

export function resolveTokenPlace(op: OperationModel, schema: SchemaSet, setting: TokenPlacementSetting, tokenName: string, ctx: { service: string; method: string }): ResolvedTokenPlace {
  const same = (a: string) => a.toLowerCase() === tokenName.toLowerCase();
  const find = {
    header: (): ResolvedTokenPlace | undefined => {
      const h = op.headers.find((x) => same(x.element.name));
      return h ? { kind: 'header', header: h.element } : undefined;
    },
    parameter: (): ResolvedTokenPlace | undefined => {
      const p = op.params.find((x) => same(x.name) && schema.type(x.type)?.kind !== 'complex');
      return p ? { kind: 'parameter', param: p } : undefined;
    },
    member: (): ResolvedTokenPlace | undefined => {
      for (const p of op.params) {
        const t = schema.type(p.type);
        if (t?.kind !== 'complex') continue;
        const m = schema.membersOf(t).find((x) => same(x.name));
        if (m) return { kind: 'member', param: p, member: m };
      }
      return undefined;
    },
  };
  if (setting === 'none') return { kind: 'none' };
  if (setting === 'auto') return find.header() ?? find.parameter() ?? find.member() ?? { kind: 'none' };
  const place = find[setting]();
  if (!place) {
    throw new CxError('CX_CONFIG',
      `The token placement is set to "${setting}" with the name "${tokenName}", but ${ctx.service}.${ctx.method} declares no such ${setting}. Set the placement to "auto" or correct the name.`,
      { ...ctx });
  }
  return place;
}

/** Whether the token's place is something the caller should leave out of a template. */
export function isTokenMember(place: ResolvedTokenPlace, m: MemberDecl): boolean {
  return (place.kind === 'member' && place.member === m) || (place.kind === 'parameter' && place.param === m);
}
