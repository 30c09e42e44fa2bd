// A small declarative model of a WCF service contract: DataContract types, operations and where
// each operation expects its token. The WSDL/XSD generator, the request reader and the response
// writer all work from this model, so what the WSDL promises is what the wire does.

export const NS = {
  tempuri: 'http://tempuri.org/',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  xs: 'http://www.w3.org/2001/XMLSchema',
  ser: 'http://schemas.microsoft.com/2003/10/Serialization/',
  arrays: 'http://schemas.microsoft.com/2003/10/Serialization/Arrays',
  // WCF DataContract namespaces are http://schemas.datacontract.org/2004/07/<CLR namespace>
  dcBase: 'http://schemas.datacontract.org/2004/07/Civica.Housing.Cx.WebServices.Contracts.DataContracts',
} as const;

export const dcNamespace = (module: string): string => `${NS.dcBase}.${module}`;

/** XSD primitives as the DataContractSerializer maps CLR types (guid lives in the ser namespace). */
export type Primitive = 'string' | 'int' | 'long' | 'boolean' | 'decimal' | 'double' | 'dateTime' | 'guid';

export interface Member {
  name: string;
  type: TypeRef;
  /** Nullable<T> for value types; reference types (string, contracts, arrays) are always nillable. */
  nullable?: boolean;
  /** [DataMember(IsRequired = true)]: no minOccurs="0", and WCF refuses a request without it. */
  required?: boolean;
}

export interface DataContract {
  kind: 'contract';
  name: string;
  ns: string;
  base?: DataContract;
  members: Member[];
}

export interface EnumType {
  kind: 'enum';
  name: string;
  ns: string;
  values: string[];
}

export interface ArrayType {
  kind: 'array';
  item: Primitive | DataContract | EnumType;
}

export type TypeRef = Primitive | DataContract | EnumType | ArrayType;

/** A member with the namespace of the class that declares it (base members keep the base's namespace). */
export interface FlatMember extends Member {
  ns: string;
}

export type TokenShape = 'none' | 'member' | 'param' | 'header';

export interface OperationContext {
  now(): number;
  /** The user the token belongs to (undefined for login). */
  user?: string;
}

export interface Operation {
  name: string;
  tokenShape: TokenShape;
  request: DataContract;
  response: DataContract;
  // The handler gets the request as read off the wire (absent members are undefined, nil is null)
  // and returns a plain object for the response contract; arrays may be any iterable so that big
  // lists can be generated while they are written.
  handler(req: Record<string, unknown>, ctx: OperationContext): Record<string, unknown>;
}

export interface ServiceContract {
  /** e.g. WSTokenService; served at <base>/webservice/wstokenservice */
  name: string;
  operations: Operation[];
}

export const contractName = (svc: ServiceContract): string => `I${svc.name}`;
export const soapAction = (svc: ServiceContract, op: Operation): string =>
  `${NS.tempuri}${contractName(svc)}/${op.name}`;

export function contract(name: string, ns: string, members: Member[], base?: DataContract): DataContract {
  return { kind: 'contract', name, ns, members, base };
}

export const arrayOf = (item: ArrayType['item']): ArrayType => ({ kind: 'array', item });

/** Members in wire order: base class members first, each in its declaring class's namespace. */
export function flatMembers(dc: DataContract): FlatMember[] {
  const own = dc.members.map((m) => ({ ...m, ns: dc.ns }));
  return dc.base ? [...flatMembers(dc.base), ...own] : own;
}

export function isPrimitive(t: TypeRef): t is Primitive {
  return typeof t === 'string';
}

const VALUE_TYPES: ReadonlySet<Primitive> = new Set([
  'int',
  'long',
  'boolean',
  'decimal',
  'double',
  'dateTime',
  'guid',
]);

/** WCF marks reference-typed members (and Nullable<T>) nillable="true". */
export function isNillable(m: Member): boolean {
  if (m.nullable) return true;
  if (isPrimitive(m.type)) return !VALUE_TYPES.has(m.type);
  return m.type.kind !== 'enum';
}

/** ArrayOf<Item>: in the item's namespace for contracts and enums, in the Arrays namespace for primitives. */
export function arrayName(a: ArrayType): string {
  return `ArrayOf${isPrimitive(a.item) ? a.item : a.item.name}`;
}
export function arrayNs(a: ArrayType): string {
  return isPrimitive(a.item) ? NS.arrays : a.item.ns;
}
export function itemName(a: ArrayType): string {
  return isPrimitive(a.item) ? a.item : a.item.name;
}

/** Input wrapper parameters in order: the token parameter (when it is one) comes before request. */
export function inputParams(op: Operation): Member[] {
  const request: Member = { name: 'request', type: op.request };
  return op.tokenShape === 'param' ? [{ name: 'token', type: 'string' }, request] : [request];
}
