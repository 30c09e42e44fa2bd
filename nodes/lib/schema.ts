import { CxError } from './errors';

/**
 * The part of XML Schema that WCF's DataContractSerializer emits, as a plain model: complex types
 * with one `xs:sequence` (members in wire order), single inheritance through
 * `xs:complexContent/xs:extension` (base members first, in the base's own namespace), collections
 * as `ArrayOfX` types with one unbounded member, enums as restricted strings.
 */
export const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
export const SER_NS = 'http://schemas.microsoft.com/2003/10/Serialization/';

export interface QName {
  ns: string;
  name: string;
}

export interface MemberDecl {
  name: string;
  /** Namespace of the element on the wire (WCF schemas are elementFormDefault="qualified"). */
  ns: string;
  type: QName;
  min: number;
  max: number;
  nillable: boolean;
  /** Set for the elements of an `xs:choice`: at most one branch of a group may be sent. */
  choice?: ChoiceMark;
}

/**
 * Which `xs:choice` (numbered across the whole schema set) and which of its branches an element
 * belongs to. `required`: the choice may not be left out (its `minOccurs` is not 0, nothing around
 * it is optional, and every branch needs content), so one branch must be given.
 */
export interface ChoiceMark {
  group: number;
  branch: number;
  required?: boolean;
}

/** Where a particle sits while a schema is read: in which choice branch, and whether it may be absent. */
export interface ParticleContext {
  choice?: ChoiceMark;
  optional: boolean;
}

/** Most members the `xs:group` references of one schema set may expand to (a hostile schema stays bounded). */
export const MAX_GROUP_MEMBERS = 100000;

/** An attribute of a complex type (XmlSerializer-style services; DataContracts have none). */
export interface AttributeDecl {
  name: string;
  type: QName;
}

export interface ComplexType {
  kind: 'complex';
  ns: string;
  name: string;
  base?: QName;
  members: MemberDecl[];
  /** `xs:simpleContent`: the element's text has this type (attributes beside it). */
  simpleContent?: QName;
  attributes?: AttributeDecl[];
  /** `xs:any` content (IXmlSerializable, DataSet): kept as XML text under `$xml` when read. */
  any?: boolean;
}

export interface SimpleType {
  kind: 'simple';
  ns: string;
  name: string;
  base: QName;
  enumeration?: string[];
}

export type TypeDef = ComplexType | SimpleType;

/** How a leaf value is checked on the way out and typed on the way in. */
export type Primitive =
  'string' | 'int' | 'boolean' | 'decimal' | 'float' | 'dateTime' | 'guid' | 'char' | 'base64' | 'any';

export const qkey = (q: QName): string => `${q.ns}|${q.name}`;

const INT_TYPES = new Set([
  'int',
  'long',
  'short',
  'byte',
  'integer',
  'unsignedInt',
  'unsignedLong',
  'unsignedShort',
  'unsignedByte',
  'nonNegativeInteger',
  'positiveInteger',
  'negativeInteger',
  'nonPositiveInteger',
]);

export class SchemaSet {
  readonly types = new Map<string, TypeDef>();
  /** Global elements: their type (anonymous types get a synthetic name). */
  readonly elements = new Map<string, { name: string; ns: string; type: QName; nillable: boolean }>();
  /**
   * Members declared as `ref="..."`: their type is filled in by `resolveRefs()` once every schema
   * is loaded, since the referenced element may sit in a schema read later.
   */
  readonly pendingRefs: Array<{ member: MemberDecl; ref: QName }> = [];
  /**
   * Named `xs:group`s and `xs:attributeGroup`s, each as a reader that adds its content to a type
   * with the context of the schema that defines it (its namespace, its prefixes).
   */
  readonly groups = new Map<string, (into: ComplexType, ctx: ParticleContext) => void>();
  readonly attributeGroups = new Map<string, (into: ComplexType) => void>();
  /** `xs:group ref=` / `xs:attributeGroup ref=` met while reading: expanded by `resolveRefs()`. */
  private readonly pendingGroups: Array<{ type: ComplexType; index: number; ref: QName; ctx: ParticleContext }> = [];
  private readonly pendingAttributeGroups: Array<{ type: ComplexType; ref: QName }> = [];
  private groupsReady = false;
  private readonly expanding = new Set<string>();
  private groupMembers = 0;
  private choiceCount = 0;
  private directDerived?: Map<string, ComplexType[]>;
  private readonly derivedMemo = new Map<string, ComplexType[]>();

  // The model is immutable once loaded and these are asked on every element of every call:
  // memoised per QName object (the model reuses its QName objects).
  private readonly typeMemo = new WeakMap<QName, TypeDef | null>();
  private readonly membersMemo = new WeakMap<ComplexType, MemberDecl[]>();
  private readonly indexMemo = new WeakMap<QName, Map<string, MemberDecl> | null>();
  private readonly itemMemo = new WeakMap<QName, MemberDecl | null>();
  private readonly primMemo = new WeakMap<QName, Primitive | null>();

  /** A number for an `xs:choice`, unique in the schema set (a type may take choices from several schemas). */
  nextChoiceGroup(): number {
    return ++this.choiceCount;
  }

  /**
   * An `xs:group ref=` at this point of `type`: its elements go here, in order. Expanded once every
   * schema is loaded (the group may be defined later, or in a schema read later).
   */
  groupRef(type: ComplexType, ref: QName, ctx: ParticleContext): void {
    if (this.groupsReady) this.expandGroup(type, ref, ctx);
    else this.pendingGroups.push({ type, index: type.members.length, ref, ctx });
  }

  /** An `xs:attributeGroup ref=` of `type`: its attributes are added once every schema is loaded. */
  attributeGroupRef(type: ComplexType, ref: QName): void {
    if (this.groupsReady) this.expandAttributeGroup(type, ref);
    else this.pendingAttributeGroups.push({ type, ref });
  }

  private expandGroup(type: ComplexType, ref: QName, ctx: ParticleContext): void {
    const key = qkey(ref);
    const read = this.groups.get(key);
    // An unknown group, or one that contains itself: its content cannot be known, so it is kept as XML.
    if (!read || this.expanding.has(key) || this.expanding.size > 20) {
      type.any = true;
      return;
    }
    this.expanding.add(key);
    try {
      const before = type.members.length;
      read(type, ctx);
      this.groupMembers += type.members.length - before;
      if (this.groupMembers > MAX_GROUP_MEMBERS)
        throw new CxError(
          'CX_BAD_RESPONSE',
          `The service's schemas expand their xs:group references to more than ${MAX_GROUP_MEMBERS} members.`,
        );
    } finally {
      this.expanding.delete(key);
    }
  }

  private expandAttributeGroup(type: ComplexType, ref: QName): void {
    const key = qkey(ref);
    const read = this.attributeGroups.get(key);
    if (!read || this.expanding.has(`@${key}`) || this.expanding.size > 20) return;
    this.expanding.add(`@${key}`);
    try {
      read(type);
    } finally {
      this.expanding.delete(`@${key}`);
    }
  }

  /**
   * Expands group references, then gives each `ref` member the type of the element it names; call
   * after the last schema is read.
   */
  resolveRefs(): void {
    this.groupsReady = true;
    // Last reference of a type first, so that the earlier ones' positions still hold.
    const pending = this.pendingGroups.splice(0).reverse();
    for (const { type, index, ref, ctx } of pending) {
      const tail = type.members.splice(index);
      this.expandGroup(type, ref, ctx);
      type.members.push(...tail);
    }
    for (const { type, ref } of this.pendingAttributeGroups.splice(0)) this.expandAttributeGroup(type, ref);
    for (const { member, ref } of this.pendingRefs.splice(0)) {
      const target = this.elements.get(qkey(ref));
      if (target) {
        member.type = target.type;
        if (target.nillable) member.nillable = true;
      }
    }
  }

  /**
   * The complex types that extend `q`, directly or not (WCF KnownType polymorphism: a member of
   * type `q` may carry any of them, marked with xsi:type). Abstract bases included as declared.
   */
  derivedOf(q: QName): ComplexType[] {
    if (!this.directDerived) {
      const direct = new Map<string, ComplexType[]>();
      for (const t of this.types.values()) {
        if (t.kind !== 'complex' || !t.base) continue;
        const k = qkey(t.base);
        const list = direct.get(k);
        if (list) list.push(t);
        else direct.set(k, [t]);
      }
      this.directDerived = direct;
    }
    const key = qkey(q);
    let all = this.derivedMemo.get(key);
    if (!all) {
      // Only for the type asked, depth first in declaration order, without recursion: a hostile
      // schema's chain of thousands of extensions must neither overflow the stack nor cost the
      // square of its length (README "Reliability and security").
      const direct = this.directDerived;
      all = [];
      const seen = new Set([key]);
      const stack = [...(direct.get(key) ?? [])].reverse();
      for (let d = stack.pop(); d; d = stack.pop()) {
        const dk = qkey(d);
        if (seen.has(dk)) continue;
        seen.add(dk);
        all.push(d);
        const kids = direct.get(dk) ?? [];
        for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
      }
      this.derivedMemo.set(key, all);
    }
    return all;
  }

  /** The member of a complex type that an element `{ns}local` on the wire stands for. */
  memberFor(q: QName, ns: string, local: string): MemberDecl | undefined {
    const m = this.memberIndex(q)?.get(local);
    if (m && m.ns === ns) return m;
    if (!m) return undefined;
    // Two members with one local name (a base member repeated in a derived namespace): by namespace.
    const t = this.type(q);
    return t?.kind === 'complex' ? this.membersOf(t).find((x) => x.name === local && x.ns === ns) : undefined;
  }

  type(q: QName): TypeDef | undefined {
    let t = this.typeMemo.get(q);
    if (t === undefined) {
      t = this.types.get(qkey(q)) ?? null;
      this.typeMemo.set(q, t);
    }
    return t ?? undefined;
  }

  /** All members of a complex type in wire order: the base type's first, recursively. */
  membersOf(t: ComplexType, depth = 0): MemberDecl[] {
    let all = this.membersMemo.get(t);
    if (!all) {
      const base = t.base && depth <= 20 ? this.type(t.base) : undefined;
      all = base?.kind === 'complex' ? [...this.membersOf(base, depth + 1), ...t.members] : t.members;
      this.membersMemo.set(t, all);
    }
    return all;
  }

  /** The members of a complex type by element name (undefined for simple or unknown types). */
  memberIndex(q: QName): Map<string, MemberDecl> | undefined {
    let idx = this.indexMemo.get(q);
    if (idx === undefined) {
      const t = this.type(q);
      idx = t?.kind === 'complex' ? new Map(this.membersOf(t).map((m) => [m.name, m])) : null;
      this.indexMemo.set(q, idx);
    }
    return idx ?? undefined;
  }

  /**
   * A WCF collection (`ArrayOfWorkOrder`, `ArrayOfstring`) is a complex type whose only member
   * repeats. Values of such a type are plain arrays in JS.
   */
  arrayItem(q: QName): MemberDecl | undefined {
    let item = this.itemMemo.get(q);
    if (item === undefined) {
      item = this.findArrayItem(q) ?? null;
      this.itemMemo.set(q, item);
    }
    return item ?? undefined;
  }

  private findArrayItem(q: QName): MemberDecl | undefined {
    const t = this.type(q);
    if (!t || t.kind !== 'complex' || t.base) return undefined;
    if (t.members.length === 1 && t.members[0].max > 1) return t.members[0];
    return undefined;
  }

  primitiveOf(q: QName): Primitive | undefined {
    let p = this.primMemo.get(q);
    if (p === undefined) {
      p = this.findPrimitive(q, 0) ?? null;
      this.primMemo.set(q, p);
    }
    return p ?? undefined;
  }

  private findPrimitive(q: QName, depth: number): Primitive | undefined {
    if (q.ns === SER_NS) {
      if (q.name === 'guid') return 'guid';
      if (q.name === 'char') return 'char';
      if (q.name === 'duration') return 'string';
      if (q.name === 'anyType') return 'any';
    }
    if (q.ns === XSD_NS) {
      if (INT_TYPES.has(q.name)) return 'int';
      if (q.name === 'boolean') return 'boolean';
      if (q.name === 'decimal') return 'decimal';
      if (q.name === 'double' || q.name === 'float') return 'float';
      if (q.name === 'dateTime') return 'dateTime';
      if (q.name === 'base64Binary') return 'base64';
      if (q.name === 'anyType') return 'any';
      return 'string';
    }
    const t = this.type(q);
    if (t?.kind === 'simple' && depth < 20) return this.findPrimitive(t.base, depth + 1) ?? 'string';
    return undefined;
  }

  /** A short type label for templates and error messages: `string`, `int`, `guid`, `Address`. */
  label(q: QName): string {
    const t = this.type(q);
    if (t?.kind === 'simple' && t.enumeration?.length) return t.enumeration.join(' | ');
    const p = this.primitiveOf(q);
    if (p === 'int' || p === 'float') return q.name;
    if (p) return p === 'any' ? 'any' : p === 'base64' ? 'base64Binary' : p;
    return q.name;
  }
}
