// Reads a request the way WCF's DataContractSerializer does: namespace-aware, members in
// xs:sequence order only (an out-of-order member is skipped and reads as absent), unknown
// members ignored, i:nil="true" as null, and a value of the wrong type is a deserialization error.
import * as sax from 'sax';
import { parseDateTime } from './clock';
import {
  ArrayType,
  DataContract,
  FlatMember,
  Member,
  NS,
  Primitive,
  TypeRef,
  arrayNs,
  flatMembers,
  isPrimitive,
  itemName,
} from './contract';

export interface XmlElement {
  ns: string;
  local: string;
  attrs: { ns: string; local: string; value: string }[];
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {}

const MAX_DEPTH = 256;

/** Parse a whole document into a small tree. Throws XmlSyntaxError on anything not well-formed, and on DTDs (WCF prohibits them). */
export function parseXml(text: string): XmlElement {
  const parser = sax.parser(true, { xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.onerror = (e) => {
    failure = failure ?? e;
    // sax wants the error cleared to continue; we stop at the first one anyway
    parser.error = null as unknown as Error;
  };
  parser.ondoctype = () => {
    failure = failure ?? new XmlSyntaxError('DTD is prohibited');
  };
  parser.onopentag = (tag) => {
    const t = tag as sax.QualifiedTag;
    const el: XmlElement = {
      ns: t.uri ?? '',
      local: t.local,
      text: '',
      children: [],
      attrs: Object.values(t.attributes).map((a) => ({ ns: a.uri ?? '', local: a.local, value: a.value })),
    };
    if (stack.length >= MAX_DEPTH) failure = failure ?? new XmlSyntaxError('too deep');
    if (stack.length) stack[stack.length - 1].children.push(el);
    else if (root) failure = failure ?? new XmlSyntaxError('more than one root');
    else root = el;
    stack.push(el);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  const addText = (s: string): void => {
    if (stack.length) stack[stack.length - 1].text += s;
  };
  parser.ontext = addText;
  parser.oncdata = addText;
  try {
    parser.write(text).close();
  } catch (e) {
    failure = failure ?? (e as Error);
  }
  if (failure || !root) throw new XmlSyntaxError(failure?.message ?? 'no root element');
  return root;
}

export const isNil = (el: XmlElement): boolean =>
  el.attrs.some((a) => a.ns === NS.xsi && a.local === 'nil' && /^\s*(true|1)\s*$/.test(a.value));

/** WCF's formatter failure; the dispatcher turns it into an a:DeserializationFailed fault. */
export class DeserializationError extends Error {}

const CLR_NAMES: Record<Primitive, string> = {
  string: 'String',
  int: 'Int32',
  long: 'Int64',
  boolean: 'Boolean',
  decimal: 'Decimal',
  double: 'Double',
  dateTime: 'DateTime',
  guid: 'Guid',
};

const INT = /^\s*[+-]?\d+\s*$/;
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;
const DOUBLE = /^\s*([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|-?INF|NaN)\s*$/;
const GUID = /^\s*\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?\s*$/;

function cannotParse(text: string, p: Primitive): DeserializationError {
  return new DeserializationError(`The value '${text}' cannot be parsed as the type '${CLR_NAMES[p]}'.`);
}

/** Primitive text to a JS value: numbers and decimals stay text where precision matters. */
export function readPrimitive(text: string, p: Primitive): unknown {
  switch (p) {
    case 'string':
      return text;
    case 'int': {
      if (!INT.test(text)) throw cannotParse(text, p);
      const n = Number(text);
      if (n < -2147483648 || n > 2147483647) throw cannotParse(text, p);
      return n;
    }
    case 'long':
      if (!INT.test(text)) throw cannotParse(text, p);
      return text.trim();
    case 'boolean': {
      const t = text.trim();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      throw cannotParse(text, p);
    }
    case 'decimal':
      if (!DECIMAL.test(text)) throw cannotParse(text, p);
      return text.trim();
    case 'double':
      if (!DOUBLE.test(text)) throw cannotParse(text, p);
      return Number(text.trim().replace('INF', 'Infinity'));
    case 'dateTime': {
      const ms = parseDateTime(text);
      if (ms === undefined) throw cannotParse(text, p);
      return ms;
    }
    case 'guid': {
      const m = GUID.exec(text);
      if (!m) throw new DeserializationError(`The value '${text}' cannot be parsed as the type 'Guid'.`);
      return m[1].toLowerCase();
    }
  }
}

function readValue(el: XmlElement, type: TypeRef): unknown {
  if (isNil(el)) return null;
  if (isPrimitive(type)) return readPrimitive(el.text, type);
  switch (type.kind) {
    case 'enum':
      if (!type.values.includes(el.text.trim())) {
        throw new DeserializationError(
          `Invalid enum value '${el.text}' cannot be deserialized into type '${type.name}'.`,
        );
      }
      return el.text.trim();
    case 'array':
      return readArray(el, type);
    case 'contract':
      return readContract(el, type);
  }
}

function readArray(el: XmlElement, type: ArrayType): unknown[] {
  const ns = arrayNs(type);
  const name = itemName(type);
  return el.children.filter((c) => c.ns === ns && c.local === name).map((c) => readValue(c, type.item));
}

/**
 * Walk the children with a cursor over the sequence: a member at or after the cursor is taken and
 * the cursor moves past it; a member earlier than the cursor (out of order) and any unknown element
 * are skipped. Skipping past a required member, or ending without it, is an error as in WCF.
 */
export function readMembers(el: XmlElement, members: FlatMember[]): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const taken = new Array<boolean>(members.length).fill(false);
  let cursor = 0;
  const missingRequired = (upTo: number, found?: XmlElement): void => {
    for (let i = cursor; i < upTo; i++) {
      if (members[i].required && !taken[i]) {
        const what = found
          ? `'Element' '${found.local}' from namespace '${found.ns}'`
          : `'EndElement' '${el.local}' from namespace '${el.ns}'`;
        throw new DeserializationError(`${what} is not expected. Expecting element '${members[i].name}'.`);
      }
    }
  };
  for (const child of el.children) {
    let index = -1;
    for (let i = cursor; i < members.length; i++) {
      if (members[i].name === child.local && members[i].ns === child.ns) {
        index = i;
        break;
      }
    }
    if (index < 0) continue;
    missingRequired(index, child);
    out[members[index].name] = readValue(child, members[index].type);
    taken[index] = true;
    cursor = index + 1;
  }
  missingRequired(members.length);
  return out;
}

export function readContract(el: XmlElement, dc: DataContract): Record<string, unknown> {
  return readMembers(el, flatMembers(dc));
}

/** Operation wrapper parameters live in the operation namespace (tempuri) and follow the same ordering rule. */
export function readParams(wrapper: XmlElement, params: Member[]): Record<string, unknown> {
  return readMembers(
    wrapper,
    params.map((p) => ({ ...p, ns: NS.tempuri })),
  );
}

export const childElements = (el: XmlElement, ns: string, local: string): XmlElement[] =>
  el.children.filter((c) => c.ns === ns && c.local === local);
