import * as sax from 'sax';
import type { IncomingHttpHeaders } from 'node:http';
import { BodyDecoder, CharsetError } from './charset';
import { CxError, snippetOf } from './errors';
import type { ResponseHandler } from './http-transport';
import { parseRetryAfter } from './retry-policy';
import { MemberDecl, QName, SchemaSet } from './schema';
import { writeBounded } from './xml-dom';

export interface SoapFault {
  code: string;
  string: string;
  detail: string;
}

export interface SoapAnswer {
  status: number;
  /** The content of `<Operation>Result` as plain data (undefined for an empty answer). */
  result?: unknown;
  fault?: SoapFault;
}

interface Frame {
  local: string;
  type?: QName;
  member?: MemberDecl;
  /** Set for WCF collection types: the item element's declaration. */
  item?: MemberDecl;
  value?: Record<string, unknown> | unknown[];
  text: string;
  nil: boolean;
  hasChildren: boolean;
}

const MAX_DEPTH = 200;
/** Thrown from the parser's callbacks when a non-200 answer turns out to be a page, not SOAP. */
const NOT_SOAP = Symbol('not SOAP');
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
/** The most of a fault's code, text or detail kept: a few KB whatever the server sends. */
export const MAX_FAULT_TEXT_CHARS = 4096;
/** Characters XML 1.0 forbids even as character references (tab, LF and CR are allowed). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const SNIPPET_BYTES = 4096;

/**
 * Reads a SOAP answer as it arrives (sax, chunk by chunk), building the result with the types the
 * schema gives: nil as null, booleans and numbers typed, dateTimes kept as the text Cx sent,
 * `ArrayOf...` as arrays. Refuses DOCTYPEs; reports truncation; never lets an element name touch
 * `Object.prototype`. A non-SOAP answer (an IIS error page) becomes CX_HTTP with a short snippet;
 * only its first few KB are kept, and no regex ever runs over a large body.
 */
export function soapAnswerHandler(
  schema: SchemaSet | undefined,
  resultMember: MemberDecl | undefined,
  context: AnswerContext,
): ResponseHandler<SoapAnswer> {
  return new SoapAnswerReader(schema, resultMember, context);
}

/** Which call an answer belongs to, for the messages of the errors it may raise. */
export interface AnswerContext {
  service: string;
  method: string;
  host: string;
  /** The response wrapper the operation declares (`GetJobResponse` in tempuri); another one is refused. */
  wrapper?: QName;
}

/** The state of one answer being read; one instance per HTTP exchange. */
class SoapAnswerReader implements ResponseHandler<SoapAnswer> {
  private status = 0;
  private retryAfterMs?: number;
  private mode: 'xml' | 'other' = 'xml';
  /** The first few KB of the body, kept for the snippet of an error. */
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private decoder: BodyDecoder | undefined;
  private contentType = '';
  private readonly parser: sax.SAXParser;
  private started = false;
  private sawContent = false;
  private envelopeDone = false;
  /** Element depth. Positions: 1 Envelope, 2 Header/Body, 3 wrapper or Fault, 4 result. */
  private depth = 0;
  private soap12 = false;
  private inBody = false;
  private bodies = 0;
  /** Elements met directly in Body: one response (or one Fault) is what was asked for. */
  private bodyChildren = 0;
  /** In-scope prefixes of Envelope, Body and the response wrapper, for their namespaces. */
  private readonly scopes: Map<string, string>[] = [];
  private authenticate = '';
  private fault: Record<string, string> | undefined;
  /**
   * Element names from Fault down: SOAP 1.2 nests Code/Value (and Code/Subcode/Value, which must
   * not be glued to it) and Reason/Text (one per language: the first is kept).
   */
  private readonly faultPath: string[] = [];
  private reasonTexts = 0;
  private result: unknown;
  private resultSeen = false;
  private readonly stack: Frame[] = [];

  constructor(
    private readonly schema: SchemaSet | undefined,
    private readonly resultMember: MemberDecl | undefined,
    private readonly context: AnswerContext,
  ) {
    this.parser = sax.parser(true, {
      trim: false,
      normalize: false,
      xmlns: false,
      position: false,
    } as sax.SAXOptions);
    this.parser.ondoctype = () => {
      if (this.status !== 200) throw NOT_SOAP;
      throw this.badResponse('contains a DOCTYPE, which SOAP forbids; refused');
    };
    this.parser.onopentag = (tag) => this.onOpenTag(tag.name, tag.attributes as Record<string, string>);
    this.parser.ontext = (text) => this.onText(text);
    this.parser.oncdata = this.parser.ontext;
    this.parser.onclosetag = () => this.onCloseTag();
  }

  head(s: number, headers: IncomingHttpHeaders): void {
    this.status = s;
    this.authenticate = String(headers['www-authenticate'] ?? '').slice(0, 256);
    // IIS and gateways may say when to come back; retries honour it (README "Retries, back-off and the queue").
    if (s === 503) this.retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
    const contentType = String(headers['content-type'] ?? '');
    this.contentType = contentType;
    // Only 200 and 500 carry SOAP from WCF; anything else, or HTML, is an error page.
    if ((s !== 200 && s !== 500) || /html/i.test(contentType.slice(0, 256))) this.mode = 'other';
    else this.decoder = this.decoding(() => new BodyDecoder(contentType));
  }

  chunk(data: Buffer): void {
    if (this.headBytes < SNIPPET_BYTES) {
      this.headChunks.push(data.subarray(0, SNIPPET_BYTES - this.headBytes));
      this.headBytes += Math.min(data.length, SNIPPET_BYTES - this.headBytes);
    }
    if (this.mode === 'other') return;
    const decoder = this.decoder as BodyDecoder;
    const text = this.decoding(() => decoder.write(data));
    if (!this.sawContent && text.trim() !== '') {
      this.sawContent = true;
      const start = text.slice(0, 256);
      // An error page labelled text/xml (IIS's 500 page): not SOAP, whatever its label says.
      if (
        !/^\s*</.test(start) ||
        (this.status !== 200 && /^\s*(<\?xml[^>]{0,200}>\s*)?<(!DOCTYPE|html)/i.test(start))
      ) {
        this.mode = 'other';
        return;
      }
    }
    this.writeSafely(text);
  }

  end(): SoapAnswer {
    const { service, method, host } = this.context;
    const status = this.status;
    if (this.mode === 'other') {
      if (status >= 300 && status < 400) {
        throw new CxError(
          'CX_HTTP',
          `Cx answered ${service}.${method} with a redirect (HTTP ${status}), which is not followed. Check the base URL (http or https, path).`,
          { service, method, status },
        );
      }
      if (status === 200) throw this.badResponse('is not XML', this.snippet());
      throw new CxError(
        'CX_HTTP',
        `${host} answered ${service}.${method} with HTTP ${status} and no SOAP message${statusHint(status, this.authenticate)}.`,
        { service, method, status, snippet: this.snippet(), sent: true, retryAfterMs: this.retryAfterMs },
      );
    }
    const decoder = this.decoder as BodyDecoder;
    this.writeSafely(this.decoding(() => decoder.end()));
    if ((this.mode as string) === 'other') return this.end(); // the rest turned out to be an error page
    try {
      this.parser.close();
    } catch (err) {
      throw err instanceof CxError ? err : this.badResponse('is cut short or malformed');
    }
    if (!this.started) throw this.badResponse('is empty');
    if (!this.envelopeDone) throw this.badResponse('is cut short (truncated XML)');
    if (this.bodies === 0) throw this.badResponse('is a SOAP envelope with no Body');
    if (this.bodyChildren === 0) throw this.badResponse(`has an empty Body, not the ${this.expected()} asked for`);
    const fault = this.fault;
    if (fault) {
      return {
        status,
        fault: this.soap12
          ? { code: capText(fault.code12), string: capText(fault.reason12), detail: capText(fault.detail) }
          : { code: capText(fault.faultcode), string: capText(fault.faultstring), detail: capText(fault.detail) },
      };
    }
    if (status !== 200)
      throw new CxError('CX_HTTP', `Cx answered ${service}.${method} with HTTP ${status} but no SOAP fault.`, {
        service,
        method,
        status,
        snippet: this.snippet(),
      });
    return { status, result: this.resultSeen ? this.result : undefined };
  }

  private onOpenTag(name: string, attrs: Record<string, string>): void {
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    const depth = ++this.depth;
    if (depth > MAX_DEPTH) throw this.badResponse('is nested too deeply');
    for (const k in attrs) if (XML_FORBIDDEN.test(attrs[k])) throw this.forbiddenCharacter();
    if (depth <= 3) this.scopes[depth - 1] = scopeOf(depth === 1 ? new Map() : this.scopes[depth - 2], attrs);
    const ns = depth <= 3 ? (this.scopes[depth - 1].get(colon < 0 ? '' : name.slice(0, colon)) ?? '') : '';
    if (depth === 1) {
      if (local !== 'Envelope') {
        if (this.status !== 200) throw NOT_SOAP;
        throw this.badResponse(`is not a SOAP envelope (root <${name.slice(0, 64)}>)`);
      }
      if (ns !== SOAP11_NS && ns !== SOAP12_NS)
        throw this.badResponse(`is an Envelope in the namespace "${ns.slice(0, 100)}", which is not SOAP 1.1 or 1.2`);
      this.started = true;
      this.soap12 = ns === SOAP12_NS;
      return;
    }
    const envelopeNs = this.soap12 ? SOAP12_NS : SOAP11_NS;
    if (depth === 2) {
      this.inBody = local === 'Body' && ns === envelopeNs;
      if (this.inBody && ++this.bodies > 1) throw this.badResponse('has two Body elements');
      return;
    }
    if (!this.inBody) return;
    if (depth === 3) {
      if (++this.bodyChildren > 1)
        throw this.badResponse(`holds more than one element in its Body (a second <${name.slice(0, 64)}>)`);
      if (local === 'Fault' && ns === envelopeNs) {
        this.fault = {};
        return;
      }
      const want = this.context.wrapper;
      if (want && (local !== want.name || ns !== want.ns))
        throw this.badResponse(`is <${local.slice(0, 64)}>, not the ${this.expected()} asked for`);
      return;
    }
    if (this.fault) {
      this.faultPath.push(local);
      if (this.faultPath.length === 2 && this.faultPath[0] === 'Reason' && local === 'Text') this.reasonTexts++;
      return;
    }
    if (depth === 4) {
      if (this.resultMember && local !== this.resultMember.name) return;
      if (this.resultSeen) throw this.badResponse(`holds two <${local.slice(0, 64)}> results`);
      this.resultSeen = true;
      this.stack.push(this.openFrame(local, this.resultMember?.type, this.resultMember, attrs));
      return;
    }
    if (this.stack.length === 0) return;
    const parent = this.stack[this.stack.length - 1];
    parent.hasChildren = true;
    let member: MemberDecl | undefined;
    if (parent.item) member = parent.item;
    else if (parent.type && this.schema) member = this.schema.memberIndex(parent.type)?.get(local);
    this.stack.push(this.openFrame(local, member?.type, member, attrs));
  }

  private onText(text: string): void {
    if (XML_FORBIDDEN.test(text)) throw this.forbiddenCharacter();
    if (this.fault) {
      const key = this.faultKey();
      // Kept up to the cap plus one character, so that capText can say it was cut.
      if (key) this.fault[key] = ((this.fault[key] ?? '') + text).slice(0, MAX_FAULT_TEXT_CHARS + 1);
    } else if (this.stack.length) this.stack[this.stack.length - 1].text += text;
  }

  private forbiddenCharacter(): CxError {
    return this.badResponse('contains a control character that XML forbids');
  }

  /** What the operation answers with, for messages: `<GetJobResponse>`. */
  private expected(): string {
    const w = this.context.wrapper;
    return w ? `<${w.name}>` : `response of ${this.context.method}`;
  }

  private onCloseTag(): void {
    if (this.depth === 1) this.envelopeDone = true;
    if (this.fault && this.depth > 3) this.faultPath.pop();
    if (this.stack.length && this.depth >= 4) {
      const frame = this.stack.pop() as Frame;
      const value = finish(frame, this.schema);
      if (this.stack.length === 0) this.result = value;
      else place(this.stack[this.stack.length - 1], frame, value);
    }
    this.depth--;
  }

  private openFrame(
    local: string,
    type: QName | undefined,
    member: MemberDecl | undefined,
    attrs: Record<string, string>,
  ): Frame {
    let t = type;
    const xsiType = attrs['i:type'] ?? attrs['xsi:type'] ?? findAttr(attrs, 'type');
    if (xsiType && this.schema) t = findTypeByLocalName(this.schema, xsiType.split(':').pop() ?? '') ?? t;
    const nil = (attrs['i:nil'] ?? attrs['xsi:nil'] ?? findAttr(attrs, 'nil')) === 'true';
    const item = t && this.schema ? this.schema.arrayItem(t) : undefined;
    return { local, type: t, member, item, text: '', nil, hasChildren: false };
  }

  /** Where text under Fault belongs: faultcode, faultstring, detail (1.1); Code, Reason, Detail (1.2). */
  private faultKey(): string | undefined {
    const [top, second] = this.faultPath;
    if (!top) return undefined;
    if (/^detail$/i.test(top)) return 'detail';
    if (!this.soap12) return this.faultPath.length === 1 ? top : undefined;
    if (this.faultPath.length !== 2) return undefined;
    if (top === 'Code' && second === 'Value') return 'code12';
    if (top === 'Reason' && second === 'Text' && this.reasonTexts === 1) return 'reason12';
    return undefined;
  }

  private writeSafely(text: string): void {
    if (!text) return;
    try {
      writeBounded(this.parser, text, (what) => this.badResponse(`contains ${what}; refused`));
    } catch (err) {
      if (err === NOT_SOAP) {
        // An error page (a 500 from IIS labelled text/xml): read on as a page, for its snippet.
        this.mode = 'other';
        return;
      }
      if (err instanceof CxError) throw err;
      throw this.badResponse(`is not well-formed XML (${String((err as Error).message).split('\n')[0]})`);
    }
  }

  /** Runs a decoder step; bytes the charset cannot carry are CX_BAD_RESPONSE, never U+FFFD. */
  private decoding<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (err instanceof CharsetError) throw this.badResponse(err.why);
      throw err;
    }
  }

  private snippet(): string {
    return snippetOf(decodeForSnippet(Buffer.concat(this.headChunks), this.contentType));
  }

  private badResponse(why: string, snippet?: string): CxError {
    const { service, method } = this.context;
    return new CxError(
      'CX_BAD_RESPONSE',
      `The answer from Cx to ${service}.${method} ${why}. If it persists, check what sits between this machine and Cx (proxy, firewall).`,
      { service, method, status: this.status, ...(snippet === undefined ? {} : { snippet }) },
    );
  }
}

/** The start of a body as text for an error's snippet: its own charset when it can be read, else byte by byte. */
export function decodeForSnippet(head: Buffer, contentType: string): string {
  try {
    // write() only: the head may end inside a character.
    return new BodyDecoder(contentType).write(head);
  } catch {
    return head.toString('latin1');
  }
}

/** The prefixes in scope: the parent's plus this element's xmlns declarations. */
function scopeOf(parent: Map<string, string>, attrs: Record<string, string>): Map<string, string> {
  let scope = parent;
  for (const k in attrs) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (scope === parent) scope = new Map(parent);
      scope.set(k === 'xmlns' ? '' : k.slice(6), attrs[k]);
    }
  }
  return scope;
}

/** Server text for an error: trimmed, at most MAX_FAULT_TEXT_CHARS, with a note when cut. */
function capText(text: string | undefined): string {
  const t = (text ?? '').trim();
  return t.length > MAX_FAULT_TEXT_CHARS
    ? `${t.slice(0, MAX_FAULT_TEXT_CHARS)}… (cut at ${MAX_FAULT_TEXT_CHARS} characters)`
    : t;
}

/** What an HTTP status without a SOAP message means for the user, and what to do. */
function statusHint(status: number, authenticate: string): string {
  if (status === 401 && /\b(NTLM|Negotiate)\b/i.test(authenticate))
    return ' (the server asks for Windows authentication, NTLM or Negotiate, which this pack does not do: ask the Cx administrator to allow anonymous access to the Cx web services, which authenticate by Cx token, or for an address that does)';
  if (status === 401 || status === 403)
    return ' (access refused by the web server before Cx: check the base URL, and ask the Cx administrator whether this machine may call the web services)';
  if (status === 413)
    return " (the request is over the server's size limit, WCF's maxReceivedMessageSize or IIS's request limit: send less in one call, or ask the Cx administrator to raise the limit)";
  if (status === 503) return ' (service unavailable: Cx or IIS is down or restarting; try again later)';
  if (status === 404) return ' (check the base URL)';
  if (status >= 500)
    return ' (an error page from the web server: try again later, and if it persists ask the Cx administrator, quoting the snippet)';
  return '';
}

function findAttr(attrs: Record<string, string>, local: string): string | undefined {
  for (const k in attrs) if (k.endsWith(`:${local}`) && !k.startsWith('xmlns')) return attrs[k];
  return undefined;
}

function findTypeByLocalName(schema: SchemaSet, name: string): QName | undefined {
  for (const t of schema.types.values()) if (t.name === name) return { ns: t.ns, name: t.name };
  return undefined;
}

function finish(frame: Frame, schema: SchemaSet | undefined): unknown {
  if (frame.nil) return null;
  if (frame.item) return frame.value ?? [];
  if (frame.value) return frame.value;
  const prim = frame.type && schema ? schema.primitiveOf(frame.type) : undefined;
  const text = frame.text;
  if (!prim) {
    // A complex type with no members on the wire is an empty object; an element the schema does
    // not know is kept as its text.
    if (frame.type && schema?.type(frame.type)?.kind === 'complex') return {};
    return frame.hasChildren ? {} : text;
  }
  switch (prim) {
    case 'int': {
      const n = Number(text);
      // long values past 2^53 stay text rather than silently lose digits.
      return Number.isSafeInteger(n) ? n : text;
    }
    case 'boolean':
      return text.trim() === 'true' || text.trim() === '1';
    case 'decimal':
    case 'float': {
      const t = text.trim();
      if (t === 'INF') return Infinity;
      if (t === '-INF') return -Infinity;
      const n = Number(t);
      return t === '' || Number.isNaN(n) ? text : n;
    }
    default:
      return text;
  }
}

function place(parent: Frame, frame: Frame, value: unknown) {
  if (parent.item) {
    ((parent.value ??= []) as unknown[]).push(value);
    return;
  }
  const obj = (parent.value ??= {}) as Record<string, unknown>;
  const repeated = frame.member ? frame.member.max > 1 : Object.prototype.hasOwnProperty.call(obj, frame.local);
  if (repeated) {
    const existing = Object.prototype.hasOwnProperty.call(obj, frame.local) ? obj[frame.local] : undefined;
    if (Array.isArray(existing)) existing.push(value);
    else if (existing === undefined && frame.member) setOwn(obj, frame.local, [value]);
    else setOwn(obj, frame.local, [existing, value]);
    return;
  }
  setOwn(obj, frame.local, value);
}

/** Assigns as an own property even for `__proto__`, so a response cannot reach any prototype. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown) {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}
