import { XMLValidator } from 'fast-xml-parser';
import { CxError } from './errors';
import { ComplexType, MemberDecl, QName, SchemaSet } from './schema';
import type { OperationModel } from './service-model';
import { runAtOnce, runInSlices } from './slices';
import { ResolvedTokenPlace, tokenElementName } from './token-placement';

const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

// Characters XML 1.0 cannot carry at all, and lone surrogate halves.
const ILLEGAL_XML =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export interface CallContext {
  service: string;
  method: string;
}

/** The caller's arguments as the operation's parameters, in either of the shapes `buildEnvelope` accepts. */
function normaliseArgs(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
  args: unknown,
  ctx: CallContext,
): Record<string, unknown> {
  if (args === undefined || args === null || args === '') args = {};
  if (typeof args !== 'object' || Array.isArray(args) || args instanceof Date || Buffer.isBuffer(args)) {
    throw new CxError(
      'CX_BAD_REQUEST',
      `The arguments for ${ctx.service}.${ctx.method} must be an object (msg.payload), not ${describe(args)}.`,
      ctx,
    );
  }
  const params = op.params.filter((p) => !(place.kind === 'parameter' && p === place.param));
  const names = new Set(params.map((p) => p.name));
  if (op.partAliases) args = byElementName(op.partAliases, args as Record<string, unknown>, ctx);
  const keys = Object.keys(args as object);
  refuseToken(keys, place, ctx);
  if (keys.length > 0 && keys.every((k) => names.has(k))) return args as Record<string, unknown>;
  const only = params.length === 1 ? params[0] : undefined;
  // Naming a parameter (`request`) means the operation shape, so any other key is a mistake at
  // that level, not a member of the request.
  const namesAParam = keys.some((k) => names.has(k));
  if (!namesAParam && only && schema.type(only.type)?.kind === 'complex' && !schema.arrayItem(only.type))
    return { [only.name]: args };
  if (keys.length === 0) return {};
  const unknown = keys.filter((k) => !names.has(k));
  throw new CxError(
    'CX_BAD_REQUEST',
    `${ctx.service}.${ctx.method} has no parameter ${unknown.map((k) => `"${k}"`).join(', ')}. Valid names: ${[...names].join(', ') || '(none)'}.`,
    { ...ctx, validNames: [...names] },
  );
}

/** A bare input's parts given by WSDL part name, renamed to their element names (README, Messages). */
function byElementName(
  aliases: Map<string, string>,
  args: Record<string, unknown>,
  ctx: CallContext,
): Record<string, unknown> {
  const keys = Object.keys(args);
  if (!keys.some((k) => aliases.has(k))) return args;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const target = aliases.get(k) ?? k;
    if (Object.prototype.hasOwnProperty.call(out, target))
      throw bad(`The request gives the part ${target} twice (by part name ${k} and by element name)`, ctx);
    out[target] = own(args, k, k, ctx);
  }
  return out;
}

/**
 * Writes the request envelope for the caller's arguments. `args` may mirror the operation
 * (`{ request: {...} }`), or, when there is one parameter besides the token, be that parameter's
 * members directly (`{ WorkOrderReference: 'WO1' }`). Members go out in the schema's
 * `xs:sequence` order whatever order the caller's object has (WCF silently drops a member out of
 * order), only names the schema defines are written (a key from a message never becomes raw XML),
 * and values are checked against their XSD type so that a typo fails here with a clear message
 * rather than as a DeserializationFailed fault from WCF.
 *
 * @throws CxError `CX_BAD_REQUEST` naming the member and what it must be.
 */
export function buildEnvelope(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
  token: string | undefined,
  rawArgs: unknown,
  ctx: CallContext,
  soapHeaders?: unknown,
): string {
  refuseUncallable(op, ctx);
  try {
    return runAtOnce(envelopeSteps(op, schema, place, token, rawArgs, ctx, soapHeaders));
  } catch (err) {
    throw unreadable(err, ctx);
  }
}

/**
 * The same, built in slices of a few ms with the event loop free between them: a request at the
 * caps (50,000 items, 200,000 elements) takes a second or more to write (README "Reliability and
 * security"). A small request is still written in one go, with no extra turn.
 */
export async function buildEnvelopeInSlices(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
  token: string | undefined,
  rawArgs: unknown,
  ctx: CallContext,
  soapHeaders?: unknown,
): Promise<string> {
  refuseUncallable(op, ctx);
  try {
    return await runInSlices(envelopeSteps(op, schema, place, token, rawArgs, ctx, soapHeaders));
  } catch (err) {
    throw unreadable(err, ctx);
  }
}

/** An operation the WSDL reading marked as not callable, refused before anything is written or sent. */
function refuseUncallable(op: OperationModel, ctx: CallContext): void {
  if (op.invalid) {
    // Known when the WSDL was read: refused before a login or a byte is sent (README "Reliability and security").
    throw new CxError(
      'CX_BAD_RESPONSE',
      `${ctx.service}.${ctx.method} cannot be called: ${op.invalid}. Ask the Cx administrator to check the service's WSDL.`,
      { ...ctx, sent: false },
    );
  }
  if (op.unsupported) {
    throw new CxError(
      'CX_BAD_REQUEST',
      `${ctx.service}.${ctx.method} cannot be called by this client: ${op.unsupported}.`,
      { ...ctx },
    );
  }
}

/** A Proxy trap or a getter deep in the caller's data threw: the caller's input, never a crash. */
function unreadable(err: unknown, ctx: CallContext): CxError {
  if (err instanceof CxError) return err;
  return bad(`The arguments could not be read (${String((err as Error)?.message ?? err).slice(0, 200)})`, ctx);
}

/** Leaf text longer than this is escaped in pieces of it, with a pause between (a step stays short). */
const TEXT_PIECE = 16 * 1024;

/** Most items in one array of a request; more is refused (README "Reliability and security"). */
export const MAX_ARRAY_ITEMS = 50000;
/** Most elements in one request envelope, all arrays together. */
export const MAX_REQUEST_ELEMENTS = 200000;
/** Most characters of XML in one request (README "Reliability and security"). */
export const MAX_REQUEST_CHARS = 32 * 1024 * 1024;

/**
 * The envelope's writing, pausing (`yield`) every few elements and at each piece of long text.
 * Elements are written from an explicit stack of steps rather than by recursion: a request at the
 * caps can pause anywhere, nesting costs no call stack, and a small request pays for no generator
 * per element (one per element made a small call's envelope four times slower).
 */
function* envelopeSteps(
  op: OperationModel,
  schema: SchemaSet,
  place: ResolvedTokenPlace,
  token: string | undefined,
  rawArgs: unknown,
  ctx: CallContext,
  soapHeaders: unknown,
): Generator<void, string, void> {
  const args = normaliseArgs(op, schema, place, rawArgs, ctx);
  const w = new EnvelopeWriter(schema, place, ctx);
  const out = w.out;
  const body: string[] = [];
  // A bare input (README, Messages) has its parts straight in the Body.
  const wrapperTag = op.bare ? '' : w.prefix(op.wrapper.ns) + op.wrapper.name;
  const missingParams = op.params.filter(
    (p) =>
      required(p) &&
      args[p.name] === undefined &&
      !(place.kind === 'parameter' && p === place.param) &&
      !(place.kind === 'member' && place.param === p),
  );
  if (missingParams.length) throw missingError('The request', missingParams, ctx);
  checkChoices(op.params, args, 'The request', ctx);
  if (wrapperTag) out.push(`<${wrapperTag}>`);
  for (const p of op.params) {
    if (place.kind === 'parameter' && p === place.param) {
      if (token === undefined) yield* w.write(p, null, p.name, undefined);
      else out.push(tokenElement(w.prefix(p.ns) + p.name, token));
    } else {
      const carriesToken = place.kind === 'member' && place.param === p;
      let v = own(args, p.name, p.name, ctx);
      if (carriesToken && (v === undefined || v === null)) v = {};
      yield* w.write(p, v, p.name, carriesToken ? (token ?? '') : undefined);
    }
  }
  if (wrapperTag) out.push(`</${wrapperTag}>`);
  // One join, never a spread: a spread of 130,000 pieces overflows the call stack.
  body.push(out.join(''));
  out.length = 0;

  let header = '';
  if (place.kind === 'header' && token !== undefined) {
    const h = place.header;
    header = tokenElement(w.prefix(h.ns) + h.name, token);
  }
  // The operation's declared SOAP header parts (MessageContract headers), from the caller.
  const headerValues = headerArgs(op, place, soapHeaders, ctx);
  for (const h of op.headers) {
    if (place.kind === 'header' && h.element === place.header) continue;
    const v = headerValues[h.member.name];
    if (v !== undefined) yield* w.write(h.member, v, `soapHeaders.${h.member.name}`, undefined);
  }
  header += out.join('');
  const decls = [`xmlns:s="${SOAP11_NS}"`];
  if (w.usesXsi) decls.push(`xmlns:i="${XSI_NS}"`);
  for (const [ns, p] of w.prefixes) decls.push(`xmlns:${p}="${escapeAttr(ns)}"`);
  return `<s:Envelope ${decls.join(' ')}><s:Header>${header}</s:Header><s:Body>${body.join('')}</s:Body></s:Envelope>`;
}

/** Elements written between two pauses; a pause costs the runner a look at the clock. */
const STEPS_PER_PAUSE = 32;

/** One step of the writing: an element's value, the next item of a list, a piece of text, or markup. */
type Step =
  | { kind: 'value'; m: MemberDecl; value: unknown; path: string; tokenHere: string | undefined; depth: number }
  | { kind: 'items'; m: MemberDecl; items: unknown[]; next: number; path: string; depth: number }
  | { kind: 'text'; text: string; next: number }
  | { kind: 'token'; m: MemberDecl; token: string }
  | { kind: 'raw'; text: string };

/** The state of one envelope's writing: its output, its namespace prefixes, the steps still to take. */
class EnvelopeWriter {
  readonly out: string[] = [];
  /** Characters written so far, to refuse a request over MAX_REQUEST_CHARS as soon as it gets there. */
  private chars = 0;
  readonly prefixes = new Map<string, string>();
  usesXsi = false;
  private elements = 0;
  private readonly steps: Step[] = [];

  constructor(
    private readonly schema: SchemaSet,
    private readonly place: ResolvedTokenPlace,
    private readonly ctx: CallContext,
  ) {}

  prefix(ns: string): string {
    if (ns === '') return '';
    let p = this.prefixes.get(ns);
    if (!p) {
      p = `n${this.prefixes.size}`;
      this.prefixes.set(ns, p);
    }
    return `${p}:`;
  }

  /** Writes one member's element and everything in it, pausing now and then. */
  *write(m: MemberDecl, value: unknown, path: string, tokenHere: string | undefined): Generator<void, void, void> {
    this.steps.push({ kind: 'value', m, value, path, tokenHere, depth: 0 });
    let taken = 0;
    let written = this.out.length;
    const count = () => {
      for (; written < this.out.length; written++) this.chars += this.out[written].length;
      if (this.chars > MAX_REQUEST_CHARS)
        throw bad(
          `The request is over ${MAX_REQUEST_CHARS / (1024 * 1024)} MB of XML; send less in one call (a server takes far less: WCF's maxReceivedMessageSize)`,
          this.ctx,
        );
    };
    while (this.steps.length) {
      count();
      const step = this.steps.pop() as Step;
      if (step.kind === 'raw') {
        this.out.push(step.text);
        continue;
      }
      if (step.kind === 'token') {
        this.out.push(tokenElement(this.prefix(step.m.ns) + step.m.name, step.token));
        continue;
      }
      if (step.kind === 'text') {
        // Escaping maps each character alone, so the text may be cut anywhere.
        this.out.push(escapeText(step.text.slice(step.next, step.next + TEXT_PIECE)));
        if (step.next + TEXT_PIECE < step.text.length) {
          step.next += TEXT_PIECE;
          this.steps.push(step);
        }
        taken = 0;
        yield;
        continue;
      }
      if (step.kind === 'items') {
        const i = step.next++;
        if (step.next < step.items.length) this.steps.push(step);
        this.value(step.m, step.items[i], `${step.path}[${i}]`, undefined, step.depth);
      } else {
        this.value(step.m, step.value, step.path, step.tokenHere, step.depth);
      }
      if (++taken >= STEPS_PER_PAUSE) {
        taken = 0;
        yield;
      }
    }
    count();
  }

  /** Schedules the steps that follow what is written now, in reverse: the stack takes the last first. */
  private later(step: Step): void {
    this.steps.push(step);
  }

  /** One element: written whole when it is a leaf, else opened with its content scheduled. */
  private value(m: MemberDecl, value: unknown, path: string, tokenHere: string | undefined, depth: number): void {
    const { schema, place, ctx, out } = this;
    if (depth > 64) throw bad(`${path} is nested too deeply (a cycle in the payload?)`, ctx);
    if (++this.elements > MAX_REQUEST_ELEMENTS)
      throw bad(`The request has more than ${MAX_REQUEST_ELEMENTS} elements; send it in smaller calls`, ctx);
    const tag = this.prefix(m.ns) + m.name;
    if (value === undefined && tokenHere === undefined) return;
    if (value === null && tokenHere === undefined) {
      if (m.nillable) {
        this.usesXsi = true;
        out.push(`<${tag} i:nil="true"/>`);
      } else if (m.min > 0) {
        throw bad(`${path} cannot be null`, ctx);
      }
      return;
    }
    const item = schema.arrayItem(m.type);
    if (item) {
      const items = arrayValue(value, item, path, ctx);
      if (items.length > MAX_ARRAY_ITEMS)
        throw bad(
          `${path} has ${items.length} items, more than the ${MAX_ARRAY_ITEMS} one request may carry; send them in smaller calls`,
          ctx,
        );
      out.push(`<${tag}>`);
      this.later({ kind: 'raw', text: `</${tag}>` });
      if (items.length) this.later({ kind: 'items', m: item, items, next: 0, path, depth: depth + 1 });
      return;
    }
    const declared = schema.type(m.type);
    if (declared?.kind === 'complex' && declared.simpleContent) {
      // Text with attributes: a plain value, or `{ $value, $attributes }` (README, Messages).
      const obj =
        value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)
          ? (value as Record<string, unknown>)
          : { [VALUE_KEY]: value };
      const extra = Object.keys(obj).filter((k) => k !== VALUE_KEY && k !== ATTRIBUTES_KEY);
      if (extra.length) throw bad(`${path} takes only $value and $attributes, not ${extra.join(', ')}`, ctx);
      const text =
        obj[VALUE_KEY] === undefined
          ? ''
          : leafText(schema, declared.simpleContent, obj[VALUE_KEY], `${path}.$value`, ctx);
      out.push(`<${tag}${attributesText(declared, obj[ATTRIBUTES_KEY], path, ctx)}>${escapeText(text)}</${tag}>`);
      return;
    }
    if (declared?.kind === 'complex') {
      const obj = (value ?? {}) as Record<string, unknown>;
      // The token member is the pack's to fill: never one of the caller's names.
      const tokenMember = tokenHere !== undefined && place.kind === 'member' ? place.member : undefined;
      if (typeof obj !== 'object' || Array.isArray(obj) || obj instanceof Date) {
        throw bad(
          `${path} must be an object with members ${schema
            .membersOf(declared)
            .filter((x) => x !== tokenMember)
            .map((x) => x.name)
            .join(', ')}, not ${describe(value)}`,
          ctx,
        );
      }
      // KnownType polymorphism: `$type` names a type derived from the declared one, sent with xsi:type.
      const t = TYPE_KEY in obj ? chosenType(schema, declared, obj[TYPE_KEY], path, ctx) : declared;
      let typeAttr = '';
      if (t !== declared) {
        this.usesXsi = true;
        typeAttr = ` i:type="${this.prefix(t.ns)}${t.name}"`;
      }
      const members = schema.membersOf(t);
      const valid = members.filter((x) => x !== tokenMember).map((x) => x.name);
      if (tokenMember) refuseToken(Object.keys(obj), place, ctx);
      const known = new Set(valid);
      const unknown = Object.keys(obj).filter(
        (k) => !known.has(k) && k !== TYPE_KEY && k !== ATTRIBUTES_KEY && !(k === XML_KEY && t.any),
      );
      if (unknown.length) {
        throw new CxError(
          'CX_BAD_REQUEST',
          `${path} has no member ${unknown.map((k) => `"${k}"`).join(', ')} in ${ctx.service}.${ctx.method}. Valid names, in order: ${valid.join(', ')}.`,
          { ...ctx, validNames: valid },
        );
      }
      const missing = members.filter(
        (c) => required(c) && obj[c.name] === undefined && !(place.kind === 'member' && c === place.member),
      );
      if (missing.length) throw missingError(path, missing, ctx);
      checkChoices(members, obj, path, ctx);
      out.push(`<${tag}${typeAttr}${attributesText(t, obj[ATTRIBUTES_KEY], path, ctx)}>`);
      // Members are read (getters run) in schema order, then their steps go on the stack last first.
      const next: Step[] = [];
      for (const child of members) {
        if (tokenHere !== undefined && place.kind === 'member' && child === place.member) {
          next.push({ kind: 'token', m: child, token: tokenHere });
          continue;
        }
        const v = own(obj, child.name, `${path}.${child.name}`, ctx);
        if (child.max > 1 && Array.isArray(v) && v.length > MAX_ARRAY_ITEMS)
          throw bad(
            `${path}.${child.name} has ${v.length} items, more than the ${MAX_ARRAY_ITEMS} one request may carry; send them in smaller calls`,
            ctx,
          );
        const childPath = `${path}.${child.name}`;
        if (child.max > 1 && Array.isArray(v)) {
          if (v.length) next.push({ kind: 'items', m: child, items: v, next: 0, path: childPath, depth: depth + 1 });
        } else {
          next.push({ kind: 'value', m: child, value: v, path: childPath, tokenHere: undefined, depth: depth + 1 });
        }
      }
      if (t.any && obj[XML_KEY] !== undefined)
        next.push({ kind: 'raw', text: xmlContent(obj[XML_KEY], `${path}.$xml`, ctx) });
      next.push({ kind: 'raw', text: `</${tag}>` });
      for (let i = next.length - 1; i >= 0; i--) this.later(next[i]);
      return;
    }
    const text = leafText(schema, m.type, value, path, ctx);
    if (text.length <= TEXT_PIECE) {
      out.push(`<${tag}>${escapeText(text)}</${tag}>`);
      return;
    }
    out.push(`<${tag}>`);
    this.later({ kind: 'raw', text: `</${tag}>` });
    this.later({ kind: 'text', text, next: 0 });
  }
}

/**
 * A payload that names the token's element is refused rather than silently overwritten: the pack
 * adds the connection's token itself (README "How the token is shared and renewed").
 */
function refuseToken(keys: string[], place: ResolvedTokenPlace, ctx: CallContext): void {
  const name = tokenElementName(place);
  const given = name === undefined ? undefined : keys.find((k) => k.toLowerCase() === name.toLowerCase());
  if (given === undefined) return;
  throw new CxError(
    'CX_BAD_REQUEST',
    `msg.payload for ${ctx.service}.${ctx.method} contains ${name}: the pack adds the connection's token itself. Remove ${name} from the payload.`,
    { ...ctx },
  );
}

/** The key of a payload object that chooses a derived type (README, Messages). */
export const TYPE_KEY = '$type';
/** simpleContent's text, attributes, and xs:any content as XML text (README, Messages). */
const VALUE_KEY = '$value';
const ATTRIBUTES_KEY = '$attributes';
const XML_KEY = '$xml';

/** At most one branch of each xs:choice may be given, and one must be when the choice is required. */
function checkChoices(members: MemberDecl[], obj: Record<string, unknown>, path: string, ctx: CallContext): void {
  const given = new Map<number, Map<number, string>>();
  for (const m of members) {
    if (!m.choice || !Object.prototype.hasOwnProperty.call(obj, m.name) || obj[m.name] === undefined) continue;
    const branches = given.get(m.choice.group) ?? new Map<number, string>();
    given.set(m.choice.group, branches);
    if (!branches.has(m.choice.branch)) branches.set(m.choice.branch, m.name);
  }
  for (const [group, branches] of given) {
    if (branches.size < 2) continue;
    const all = members.filter((m) => m.choice?.group === group).map((m) => m.name);
    throw bad(
      `${path} gives ${[...branches.values()].join(' and ')}, but only one of ${all.join(', ')} may be sent (xs:choice)`,
      ctx,
    );
  }
  const unmet = members.filter((m) => m.choice?.required && !given.has(m.choice.group));
  if (unmet.length) {
    const group = unmet[0].choice?.group;
    const branches = unmet.filter((m) => m.choice?.group === group).map((m) => m.name);
    throw new CxError(
      'CX_BAD_REQUEST',
      `${path} lacks a branch of a required xs:choice: give one of ${branches.join(', ')} (${ctx.service}.${ctx.method}); WCF refuses the call without it.`,
      { ...ctx, validNames: branches },
    );
  }
}

/** The declared attributes given under `$attributes`, as attribute text. */
function attributesText(t: ComplexType, value: unknown, path: string, ctx: CallContext): string {
  if (value === undefined || value === null) return '';
  const declared = t.attributes ?? [];
  if (typeof value !== 'object' || Array.isArray(value))
    throw bad(`${path}.$attributes must be an object, not ${describe(value)}`, ctx);
  let out = '';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!declared.some((a) => a.name === k))
      throw new CxError(
        'CX_BAD_REQUEST',
        `${path} has no attribute "${k}" in ${ctx.service}.${ctx.method}. Valid names: ${declared.map((a) => a.name).join(', ') || '(none)'}.`,
        { ...ctx, validNames: declared.map((a) => a.name) },
      );
    if (v === undefined || v === null) continue;
    if (typeof v === 'object') throw bad(`${path}.$attributes.${k} must be text, not ${describe(v)}`, ctx);
    out += ` ${k}="${escapeAttr(String(v))}"`;
  }
  return out;
}

/** xs:any content from the flow: well-formed XML with no DTD, written as it is. */
/**
 * Longest `$xml` content a request may carry, characters: it is checked for well-formedness in one
 * step, which takes about 100 ms per MB (README "Reliability and security").
 */
export const MAX_XML_CONTENT_CHARS = 1024 * 1024;

function xmlContent(value: unknown, path: string, ctx: CallContext): string {
  if (typeof value !== 'string') throw bad(`${path} must be XML text, not ${describe(value)}`, ctx);
  if (value.length > MAX_XML_CONTENT_CHARS)
    throw bad(
      `${path} is ${value.length} characters of XML, more than the ${MAX_XML_CONTENT_CHARS} one request may carry; send it in smaller calls`,
      ctx,
    );
  if (/<!DOCTYPE|<!ENTITY/i.test(value) || /<\?xml\b/i.test(value))
    throw bad(`${path} must be XML content without a declaration or DTD`, ctx);
  if (XMLValidator.validate(`<x>${value}</x>`) !== true) throw bad(`${path} is not well-formed XML`, ctx);
  return value;
}

/** WCF marks a member required (IsRequired) with minOccurs 1 and, for a value type, not nillable. */
const required = (m: MemberDecl): boolean => m.min > 0 && !m.nillable;

function missingError(path: string, missing: MemberDecl[], ctx: CallContext): CxError {
  const names = missing.map((m) => m.name);
  return new CxError(
    'CX_BAD_REQUEST',
    `${path} lacks ${names.length > 1 ? 'the required members' : 'the required member'} ${names.join(', ')} (${ctx.service}.${ctx.method}); WCF refuses the call without ${names.length > 1 ? 'them' : 'it'}.`,
    { ...ctx, validNames: names },
  );
}

/** The type named by `$type`: the declared one or one derived from it (by name, or `{namespace}Name`). */
function chosenType(
  schema: SchemaSet,
  declared: ComplexType,
  choice: unknown,
  path: string,
  ctx: CallContext,
): ComplexType {
  const options = [declared, ...schema.derivedOf({ ns: declared.ns, name: declared.name })];
  const names = options.map((o) => o.name);
  if (typeof choice === 'string') {
    const m = /^\{([^}]*)\}(.+)$/.exec(choice.trim());
    const found = options.filter((o) => (m ? o.ns === m[1] && o.name === m[2] : o.name === choice.trim()));
    if (found.length === 1) return found[0];
    if (found.length > 1)
      throw bad(
        `${path}.$type "${choice}" names types in ${found.length} namespaces; write it as {namespace}${found[0].name}`,
        ctx,
      );
  }
  throw new CxError(
    'CX_BAD_REQUEST',
    `${path}.$type must name ${declared.name} or a type derived from it (${names.join(', ')}), not ${describe(choice)} (${ctx.service}.${ctx.method}).`,
    { ...ctx, validNames: names.slice(0, 200) },
  );
}

/** The caller's SOAP header values: an object whose keys are the operation's header parts. */
function headerArgs(
  op: OperationModel,
  place: ResolvedTokenPlace,
  soapHeaders: unknown,
  ctx: CallContext,
): Record<string, unknown> {
  if (soapHeaders === undefined || soapHeaders === null) return {};
  const names = op.headers
    .filter((h) => !(place.kind === 'header' && h.element === place.header))
    .map((h) => h.member.name);
  if (typeof soapHeaders !== 'object' || Array.isArray(soapHeaders) || soapHeaders instanceof Date) {
    throw bad(
      `The SOAP headers (msg.soapHeaders) must be an object with ${names.join(', ') || 'no'} members, not ${describe(soapHeaders)}`,
      ctx,
    );
  }
  const unknown = Object.keys(soapHeaders).filter((k) => !names.includes(k));
  if (unknown.length) {
    const token = place.kind === 'header' && unknown.includes(place.header.name);
    throw new CxError(
      'CX_BAD_REQUEST',
      `${ctx.service}.${ctx.method} has no SOAP header ${unknown.map((k) => `"${k}"`).join(', ')} to set${token ? ' (the token header is filled in by the connection)' : ''}. Valid names: ${names.join(', ') || '(none)'}.`,
      { ...ctx, validNames: names },
    );
  }
  return soapHeaders as Record<string, unknown>;
}

/** The token is the client's, not the caller's: escaped, but not checked as a caller's value. */
function tokenElement(tag: string, token: string): string {
  return `<${tag}>${escapeText(token)}</${tag}>`;
}

function arrayValue(value: unknown, item: MemberDecl, path: string, ctx: CallContext): unknown[] {
  if (Array.isArray(value)) return value;
  // Also accept the wire shape `{ WorkOrder: [...] }` that a copied result has.
  if (
    value &&
    typeof value === 'object' &&
    Object.keys(value).length === 1 &&
    Object.prototype.hasOwnProperty.call(value, item.name)
  ) {
    const inner = own(value as Record<string, unknown>, item.name, path, ctx);
    return Array.isArray(inner) ? inner : [inner];
  }
  throw bad(`${path} must be an array of ${item.name}, not ${describe(value)}`, ctx);
}

function leafText(schema: SchemaSet, type: QName, value: unknown, path: string, ctx: CallContext): string {
  const prim = schema.primitiveOf(type) ?? 'string';
  const def = schema.type(type);
  if (typeof value === 'function' || typeof value === 'symbol') {
    // Never its source text or description: a flow's mistake, said as such.
    throw bad(`${path} must be a ${schema.label(type)} value, not ${describe(value)}`, ctx);
  }
  if (typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    throw bad(`${path} must be a ${schema.label(type)} value, not ${describe(value)}`, ctx);
  }
  let text: string;
  switch (prim) {
    case 'int':
      // BigInt: a whole number past 1e21 would otherwise be written with an exponent.
      if (typeof value === 'number' && Number.isInteger(value)) text = BigInt(value).toString();
      else if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) text = value.trim();
      else if (typeof value === 'bigint') text = value.toString();
      else throw bad(`${path} must be a whole number (${type.name}), not ${describe(value)}`, ctx);
      break;
    case 'decimal':
    case 'float':
      if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
      // A numeric string keeps every digit (money): no float round trip.
      else if (typeof value === 'string' && NUMERIC.test(value.trim())) text = value.trim();
      else if (typeof value === 'bigint') text = value.toString();
      else throw bad(`${path} must be a number (${type.name}), not ${describe(value)}`, ctx);
      // xs:decimal has no exponent (.NET refuses 1e-7 for a decimal): written out in full.
      if (prim === 'decimal' && /e/i.test(text)) {
        const plain = withoutExponent(text);
        if (plain === undefined) throw bad(`${path} is too large or too small for a decimal (${text})`, ctx);
        text = plain;
      }
      break;
    case 'boolean':
      if (value === true || value === 'true' || value === 1 || value === '1') text = 'true';
      else if (value === false || value === 'false' || value === 0 || value === '0') text = 'false';
      else throw bad(`${path} must be true or false, not ${describe(value)}`, ctx);
      break;
    case 'dateTime':
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime()))
          throw bad(
            `${path} is an invalid Date; use a valid Date or an ISO date-time such as 2026-11-28T09:00:00Z`,
            ctx,
          );
        text = value.toISOString();
      } else if (typeof value === 'string' && ISO_DATE.test(value.trim())) text = value.trim();
      else if (typeof value === 'number' && Number.isFinite(value)) text = new Date(value).toISOString();
      else throw bad(`${path} must be an ISO date-time such as 2026-11-28T09:00:00Z, not ${describe(value)}`, ctx);
      break;
    case 'guid':
      if (typeof value === 'string' && GUID.test(value.trim())) text = value.trim();
      else
        throw bad(`${path} must be a GUID such as 00000000-0000-0000-0000-000000000000, not ${describe(value)}`, ctx);
      break;
    case 'char':
      // WCF sends a char as its UTF-16 code.
      if (typeof value === 'string' && value.length === 1) text = String(value.charCodeAt(0));
      else if (typeof value === 'number' && Number.isInteger(value)) text = String(value);
      else throw bad(`${path} must be a single character, not ${describe(value)}`, ctx);
      break;
    case 'base64':
      text = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
      break;
    default:
      if (value instanceof Date) text = value.toISOString();
      else if (Buffer.isBuffer(value)) throw bad(`${path} must be text, not a Buffer`, ctx);
      else text = String(value);
  }
  if (def?.kind === 'simple' && def.enumeration && !def.enumeration.includes(text)) {
    throw bad(`${path} must be one of ${def.enumeration.join(', ')}, not ${describe(value)}`, ctx);
  }
  if (ILLEGAL_XML.test(text))
    throw bad(
      `${path} contains a character XML cannot carry (a control character or a broken surrogate pair); fix the value by removing it`,
      ctx,
    );
  return text;
}

/** `1.5e-7` as `0.00000015`, exactly, by moving the point in the text; undefined past 60 places. */
export function withoutExponent(text: string): string | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text.trim());
  if (!m) return text;
  const exp = Number(m[4]);
  if (Math.abs(exp) > 60) return undefined;
  const intPart = m[2] || '0';
  const digits = intPart + (m[3] ?? '');
  let point = intPart.length + exp;
  let d = digits;
  if (point <= 0) {
    d = '0'.repeat(1 - point) + d;
    point = 1;
  } else if (point > d.length) d = d + '0'.repeat(point - d.length);
  const whole = d.slice(0, point).replace(/^0+(?=\d)/, '');
  const frac = d.slice(point).replace(/0+$/, '');
  return `${m[1] === '-' ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

function bad(message: string, ctx: CallContext): CxError {
  return new CxError('CX_BAD_REQUEST', `${message} (${ctx.service}.${ctx.method}).`, { ...ctx });
}

/**
 * A member of the caller's object: own properties only (a member the schema names `constructor`
 * or `toString` left out is absent, never Object.prototype's function), and a getter that throws
 * is the caller's error.
 */
function own(obj: Record<string, unknown>, key: string, path: string, ctx: CallContext): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) return undefined;
  try {
    return obj[key];
  } catch (err) {
    throw bad(
      `${path} could not be read (its getter threw: ${String((err as Error)?.message ?? err).slice(0, 100)})`,
      ctx,
    );
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/** Escapes text content; `\r` as a reference, since XML parsers otherwise fold it away. */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
