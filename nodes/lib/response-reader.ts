import type { IncomingHttpHeaders } from 'node:http';
import { BodyDecoder, CharsetError } from './charset';
import { CxError, MAX_FAULT_TEXT_CHARS, capText, snippetOf } from './errors';
import type { ResponseHandler } from './http-transport';
import { parseRetryAfter } from './retry-policy';
import { MemberDecl, Primitive, QName, SER_NS, SchemaSet, qkey } from './schema';
import type { OutputModel } from './service-model';
import { XmlSyntaxError, XmlTokenizer } from './xml-tokenizer';

export interface SoapFault {
  code: string;
  string: string;
  detail: string;
}

export interface SoapAnswer {
  status: number;
  /**
   * The answer as plain data: the content of `<Operation>Result` when that is the answer's only
   * part, else an object with every part by name (undefined for an empty answer).
   */
  result?: unknown;
  /** The answer's SOAP header parts by name, when the operation declares any. */
  headers?: Record<string, unknown>;
  fault?: SoapFault;
  /** The fault's detail as data (elements by name, typed when the schema declares them). */
  faultData?: unknown;
}

const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
/** Prefixes bound before any declaration (the `xml` prefix is fixed by XML itself). */
const ROOT_SCOPE: ReadonlyMap<string, string> = new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]);

interface Frame {
  local: string;
  ns: string;
  /** WCF IsReference: this element's `z:Id`, or the `z:Ref` it stands for. */
  id?: string;
  ref?: string;
  type?: QName;
  member?: MemberDecl;
  /** Set for WCF collection types: the item element's declaration. */
  item?: MemberDecl;
  value?: Record<string, unknown> | unknown[];
  text: string;
  nil: boolean;
  hasChildren: boolean;
  /** The element depth the frame was opened at. */
  depth: number;
  /** A type with simpleContent, attributes or xs:any content (finished by `finishSpecial`). */
  special?: boolean;
  /** Declared attributes found on the element (simpleContent and XmlSerializer types). */
  attributes?: Record<string, string>;
  /** xs:any content, as XML text. */
  xml?: string;
}

/** An xs:any element being copied out as XML text. */
interface Capture {
  frame: Frame;
  depth: number;
  names: string[];
  out: string[];
}

const MAX_DEPTH = 200;
/** Stands for the attributes of an element that has none, so that no loop looks at them. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze(Object.create(null) as Record<string, string>);
/** Thrown from the parser's callbacks when a non-200 answer turns out to be a page, not SOAP. */
const NOT_SOAP = Symbol('not SOAP');
const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
const SNIPPET_BYTES = 4096;

/**
 * Reads a SOAP answer as it arrives (a strict streaming tokenizer, chunk by chunk), building the result with the types the
 * schema gives: nil as null, booleans and numbers typed, dateTimes kept as the text Cx sent,
 * `ArrayOf...` as arrays. Refuses DOCTYPEs; reports truncation; never lets an element name touch
 * `Object.prototype`. A non-SOAP answer (an IIS error page) becomes CX_HTTP with a short snippet;
 * only its first few KB are kept, and no regex ever runs over a large body.
 */
export function soapAnswerHandler(
  schema: SchemaSet | undefined,
  output: OutputModel | undefined,
  context: AnswerContext,
): ResponseHandler<SoapAnswer> {
  return new SoapAnswerReader(schema, output, context);
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
  private mode: 'xml' | 'other' | 'accepted' = 'xml';
  /** The first few KB of the body, kept for the snippet of an error. */
  private readonly headChunks: Buffer[] = [];
  private headBytes = 0;
  private decoder: BodyDecoder | undefined;
  private contentType = '';
  private readonly parser: XmlTokenizer;
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
  /** In-scope prefixes per open element (the same map object until an element declares one). */
  private readonly scopes: ReadonlyMap<string, string>[] = [];
  private inHeader = false;
  /** The parts of the answer read so far (body parts, and header parts), by name. */
  private readonly parts: Frame = newFrame('', '', undefined, undefined, 0);
  /** Made when met: most answers have no header parts, no fault detail and no z:Id. */
  private headerParts?: Frame;
  /** WCF IsReference: values by z:Id, and the ids of elements still open (a z:Ref to one is a cycle). */
  private ids?: Map<string, unknown>;
  private capture?: Capture;
  /** The fault's detail as data, when the fault has one. */
  private faultDetail?: Frame;
  private openIds?: Set<string>;

  constructor(
    private readonly schema: SchemaSet | undefined,
    private readonly output: OutputModel | undefined,
    private readonly context: AnswerContext,
  ) {
    this.parser = new XmlTokenizer({
      doctype: () => {
        if (this.status !== 200) throw NOT_SOAP;
        throw this.badResponse('contains a DOCTYPE, which SOAP forbids; refused');
      },
      openTag: (name, attrs) => this.onOpenTag(name, attrs ?? NO_ATTRIBUTES),
      text: (text) => this.onText(text),
      closeTag: () => this.onCloseTag(),
    });
  }

  head(s: number, headers: IncomingHttpHeaders): void {
    this.status = s;
    this.authenticate = String(headers['www-authenticate'] ?? '').slice(0, 256);
    // IIS and gateways may say when to come back; retries honour it (README "Retries, back-off and the queue").
    if (s === 503) this.retryAfterMs = parseRetryAfter(headers['retry-after'], Date.now());
    const contentType = String(headers['content-type'] ?? '');
    this.contentType = contentType;
    // Only 200 and 500 carry SOAP from WCF; anything else, or HTML, is an error page, except the
    // empty 202 Accepted that WCF answers a one-way operation with.
    if (s === 202) this.mode = 'accepted';
    else if ((s !== 200 && s !== 500) || /html/i.test(contentType.slice(0, 256))) this.mode = 'other';
    else this.decoder = this.decoding(() => new BodyDecoder(contentType));
  }

  chunk(data: Buffer): void {
    if (this.headBytes < SNIPPET_BYTES) {
      this.headChunks.push(data.subarray(0, SNIPPET_BYTES - this.headBytes));
      this.headBytes += Math.min(data.length, SNIPPET_BYTES - this.headBytes);
    }
    if (this.mode === 'accepted' && data.some((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09))
      this.mode = 'other';
    if (this.mode !== 'xml') return;
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
    if (this.mode === 'accepted') return { status };
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
      throw err instanceof XmlSyntaxError ? this.badResponse(`is cut short or malformed (${err.message})`) : err;
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
        ...(this.faultDetail?.value ? { faultData: this.faultDetail.value } : {}),
      };
    }
    if (status !== 200)
      throw new CxError('CX_HTTP', `Cx answered ${service}.${method} with HTTP ${status} but no SOAP fault.`, {
        service,
        method,
        status,
        snippet: this.snippet(),
      });
    const headers = this.output?.headers.length
      ? ((this.headerParts?.value as Record<string, unknown>) ?? {})
      : undefined;
    return { status, result: this.answerValue(), ...(headers ? { headers } : {}) };
  }

  /** The answer's value in the documented shape (README, Messages). */
  private answerValue(): unknown {
    const output = this.schema ? this.output : undefined;
    if (!output) return this.resultSeen ? this.result : undefined;
    const parts = (this.parts.value ?? undefined) as Record<string, unknown> | undefined;
    if (output.result)
      return parts && Object.prototype.hasOwnProperty.call(parts, output.result.name)
        ? parts[output.result.name]
        : undefined;
    if (output.parts.length === 0 && !parts) return undefined;
    return parts ?? {};
  }

  /** The namespace a prefix stands for at the current element. */
  private nsOf(prefix: string): string {
    return this.scopes[this.scopes.length - 1]?.get(prefix) ?? '';
  }

  private onOpenTag(name: string, attrs: Record<string, string>): void {
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    const depth = ++this.depth;
    if (depth > MAX_DEPTH) throw this.badResponse('is nested too deeply');
    if (attrs !== NO_ATTRIBUTES) this.pushScope(attrs);
    else this.scopes.push(this.scopes[this.scopes.length - 1] ?? ROOT_SCOPE);
    if (this.capture) {
      this.capture.names.push(name);
      this.capture.out.push(openTagText(name, attrs, undefined));
      return;
    }
    const ns = this.nsOf(colon < 0 ? '' : name.slice(0, colon));
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
      this.inHeader = local === 'Header' && ns === envelopeNs;
      return;
    }
    if (this.inHeader) {
      if (depth === 3) {
        const member = this.output?.headers.find((h) => h.name === local && h.ns === ns);
        if (member && this.schema) this.stack.push(this.openFrame(local, ns, member.type, member, attrs));
        return;
      }
      if (this.stack.length) this.openChild(local, ns, attrs, name);
      return;
    }
    if (!this.inBody) return;
    const output = this.schema ? this.output : undefined;
    if (depth === 3) {
      if (++this.bodyChildren > 1 && !(output && !output.wrapper))
        throw this.badResponse(`holds more than one element in its Body (a second <${name.slice(0, 64)}>)`);
      if (local === 'Fault' && ns === envelopeNs) {
        this.fault = {};
        return;
      }
      const want = this.context.wrapper;
      if (want && (local !== want.name || ns !== want.ns))
        throw this.badResponse(`is <${local.slice(0, 64)}>, not the ${this.expected()} asked for`);
      // A bare answer (unwrapped MessageContract): its parts sit directly in the Body.
      if (output && !output.wrapper) this.stack.push(this.openPart(local, ns, output.parts, attrs));
      return;
    }
    if (this.fault) {
      this.faultPath.push(local);
      if (this.faultPath.length === 2 && this.faultPath[0] === 'Reason' && local === 'Text') this.reasonTexts++;
      // The detail's content as data: typed when the schema declares its element (WCF FaultContract).
      if (/^detail$/i.test(this.faultPath[0]) && this.faultPath.length === 2 && this.stack.length === 0) {
        const decl = this.schema?.elements.get(qkey({ ns, name: local }));
        this.stack.push(this.openFrame(local, ns, decl?.type, undefined, attrs));
      } else if (this.stack.length && this.faultPath.length > 2) this.openChild(local, ns, attrs, name);
      return;
    }
    if (depth === 4 && this.stack.length === 0) {
      if (output?.wrapper) {
        this.stack.push(this.openPart(local, ns, output.parts, attrs));
        return;
      }
      if (output) return;
      // No model of the answer: its first member is the result.
      if (this.resultSeen) throw this.badResponse(`holds two <${local.slice(0, 64)}> results`);
      this.resultSeen = true;
      this.stack.push(this.openFrame(local, ns, undefined, undefined, attrs));
      return;
    }
    if (this.stack.length) this.openChild(local, ns, attrs, name);
  }

  /** One part of the answer: matched by namespace and name, or by a name no other part has. */
  private openPart(local: string, ns: string, parts: MemberDecl[], attrs: Record<string, string>): Frame {
    let member = parts.find((p) => p.name === local && p.ns === ns);
    if (!member) {
      const byName = parts.filter((p) => p.name === local);
      if (byName.length === 1) member = byName[0];
    }
    return this.openFrame(local, ns, member?.type, member, attrs);
  }

  private openChild(local: string, ns: string, attrs: Record<string, string>, name = local): void {
    const parent = this.stack[this.stack.length - 1];
    parent.hasChildren = true;
    let member: MemberDecl | undefined;
    if (parent.item) member = parent.item;
    else if (parent.type && this.schema)
      member = this.schema.memberFor(parent.type, ns, local) ?? this.schema.memberIndex(parent.type)?.get(local);
    const parentType = !member && parent.type && this.schema ? this.schema.type(parent.type) : undefined;
    if (parentType?.kind === 'complex' && parentType.any) {
      // xs:any content: copied out as XML text, with the namespaces in scope declared on it.
      this.capture = {
        frame: parent,
        depth: this.depth,
        names: [name],
        out: [openTagText(name, attrs, this.scopes[this.scopes.length - 1])],
      };
      return;
    }
    this.stack.push(this.openFrame(local, ns, member?.type, member, attrs));
  }

  /** Prefixes declared on this element, on top of its parent's. */
  private pushScope(attrs: Record<string, string>): void {
    const parent = this.scopes[this.scopes.length - 1] ?? ROOT_SCOPE;
    let scope: Map<string, string> | undefined;
    for (const k in attrs) {
      if (k !== 'xmlns' && !k.startsWith('xmlns:')) continue;
      scope ??= new Map(parent);
      scope.set(k === 'xmlns' ? '' : k.slice(6), attrs[k]);
    }
    this.scopes.push(scope ?? parent);
  }

  private onText(text: string): void {
    if (this.capture) {
      this.capture.out.push(escapeXml(text));
      return;
    }
    if (this.fault && this.stack.length) this.stack[this.stack.length - 1].text += text;
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
    const capture = this.capture;
    if (capture) {
      capture.out.push(`</${capture.names.pop()}>`);
      if (this.depth === capture.depth) {
        capture.frame.xml = (capture.frame.xml ?? '') + capture.out.join('');
        this.capture = undefined;
      }
      this.scopes.pop();
      this.depth--;
      return;
    }
    if (this.depth === 1) this.envelopeDone = true;
    if (this.fault && this.depth > 3) this.faultPath.pop();
    if (this.stack.length && this.depth === this.stack[this.stack.length - 1].depth) {
      const frame = this.stack.pop() as Frame;
      const value = this.finishFrame(frame);
      if (this.stack.length > 0) place(this.stack[this.stack.length - 1], frame, value);
      else if (this.fault) place((this.faultDetail ??= newFrame('', '', undefined, undefined, 0)), frame, value);
      else if (this.inHeader) place((this.headerParts ??= newFrame('', '', undefined, undefined, 0)), frame, value);
      else if (this.schema && this.output) {
        const seen = this.parts.value as Record<string, unknown> | undefined;
        if (frame.member && frame.member.max <= 1 && seen && Object.prototype.hasOwnProperty.call(seen, frame.local))
          throw this.badResponse(`holds two <${frame.local.slice(0, 64)}> results`);
        place(this.parts, frame, value);
      } else this.result = value;
    }
    this.scopes.pop();
    this.depth--;
  }

  /** A frame's value, with WCF IsReference ids recorded and references resolved. */
  private finishFrame(frame: Frame): unknown {
    if (frame.ref !== undefined) {
      if (this.ids?.has(frame.ref)) return this.ids.get(frame.ref);
      throw this.badResponse(
        this.openIds?.has(frame.ref)
          ? `refers to an object inside itself (z:Ref="${frame.ref.slice(0, 40)}", a cycle), which a message cannot carry`
          : `refers to an object it does not contain (z:Ref="${frame.ref.slice(0, 40)}")`,
      );
    }
    const value = finish(frame, this.schema);
    if (frame.id !== undefined) {
      this.openIds?.delete(frame.id);
      (this.ids ??= new Map()).set(frame.id, value);
    }
    return value;
  }

  private openFrame(
    local: string,
    ns: string,
    type: QName | undefined,
    member: MemberDecl | undefined,
    attrs: Record<string, string>,
  ): Frame {
    let t = type;
    let nil = false;
    let id: string | undefined;
    let ref: string | undefined;
    if (attrs !== NO_ATTRIBUTES)
      for (const k in attrs) {
        const colon = k.indexOf(':');
        if (colon < 0 || k.startsWith('xmlns')) continue;
        const attrNs = this.nsOf(k.slice(0, colon));
        const attrLocal = k.slice(colon + 1);
        if (attrNs === XSI_NS) {
          if (attrLocal === 'nil') nil = /^\s*(true|1)\s*$/.test(attrs[k]);
          else if (attrLocal === 'type' && this.schema) t = this.xsiType(attrs[k]) ?? t;
        } else if (attrNs === SER_NS) {
          if (attrLocal === 'Id') id = attrs[k];
          else if (attrLocal === 'Ref') ref = attrs[k];
        }
      }
    // Most frames are plain members: the type's definition is looked at once, here.
    const def = t && this.schema ? this.schema.type(t) : undefined;
    const special = def?.kind === 'complex' && (!!def.simpleContent || !!def.attributes || !!def.any);
    let attributes: Record<string, string> | undefined;
    if (special && def?.kind === 'complex' && def.attributes) {
      for (const a of def.attributes) {
        const v = attrs[a.name];
        if (v !== undefined) setOwn((attributes ??= {}), a.name, v);
      }
    }
    if (id !== undefined) (this.openIds ??= new Set()).add(id);
    const frame = newFrame(local, ns, t, member, this.depth);
    frame.item = t && this.schema ? this.schema.arrayItem(t) : undefined;
    frame.nil = nil;
    frame.special = special;
    frame.id = id;
    frame.ref = ref;
    frame.attributes = attributes;
    return frame;
  }

  /** An xsi:type value as a type of the schema: by namespace and name, else by a name only one type has. */
  private xsiType(value: string): QName | undefined {
    const schema = this.schema as SchemaSet;
    const colon = value.indexOf(':');
    const q = { ns: this.nsOf(colon < 0 ? '' : value.slice(0, colon).trim()), name: value.slice(colon + 1).trim() };
    if (schema.types.has(qkey(q))) return schema.type(q) ? { ns: q.ns, name: q.name } : undefined;
    return findTypeByLocalName(schema, q.name);
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
      this.parser.write(text);
    } catch (err) {
      if (err === NOT_SOAP) {
        // An error page (a 500 from IIS labelled text/xml): read on as a page, for its snippet.
        this.mode = 'other';
        return;
      }
      throw this.syntaxError(err);
    }
  }

  private syntaxError(err: unknown): unknown {
    if (!(err instanceof XmlSyntaxError)) return err;
    if (err.kind === 'forbidden') return this.forbiddenCharacter();
    if (err.kind === 'limit') return this.badResponse(`contains ${err.message}; refused`);
    return this.badResponse(`is not well-formed XML (${err.message})`);
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

function findTypeByLocalName(schema: SchemaSet, name: string): QName | undefined {
  let found: QName | undefined;
  for (const t of schema.types.values()) {
    if (t.name !== name) continue;
    if (found) return undefined; // two types of that name: ambiguous without the namespace
    found = { ns: t.ns, name: t.name };
  }
  return found;
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

/** An element's start tag as text; `scope` adds every prefix in scope that the tag does not declare. */
function openTagText(
  name: string,
  attrs: Record<string, string>,
  scope: ReadonlyMap<string, string> | undefined,
): string {
  let out = `<${name}`;
  for (const k in attrs) out += ` ${k}="${escapeXml(attrs[k]).replace(/"/g, '&quot;')}"`;
  if (scope) {
    for (const [prefix, uri] of scope) {
      if (prefix === 'xml') continue;
      const decl = prefix === '' ? 'xmlns' : `xmlns:${prefix}`;
      if (!(decl in attrs)) out += ` ${decl}="${escapeXml(uri).replace(/"/g, '&quot;')}"`;
    }
  }
  return `${out}>`;
}

function escapeXml(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Every frame has every field from the start: one object shape, however it is filled in later. */
function newFrame(
  local: string,
  ns: string,
  type: QName | undefined,
  member: MemberDecl | undefined,
  depth: number,
): Frame {
  return {
    local,
    ns,
    id: undefined,
    ref: undefined,
    type,
    member,
    item: undefined,
    value: undefined,
    text: '',
    nil: false,
    hasChildren: false,
    depth,
    special: false,
    attributes: undefined,
    xml: undefined,
  };
}

function finish(frame: Frame, schema: SchemaSet | undefined): unknown {
  if (frame.nil) return null;
  if (frame.item) return frame.value ?? [];
  const def = frame.special && frame.type && schema ? schema.type(frame.type) : undefined;
  if (def?.kind === 'complex') {
    // simpleContent: `{ $value, $attributes }`; xs:any content: its XML under `$xml` (README, Messages).
    const obj = (frame.value as Record<string, unknown> | undefined) ?? {};
    if (def.simpleContent)
      obj.$value = leafValue(frame.text, (schema as SchemaSet).primitiveOf(def.simpleContent) ?? 'string');
    if (frame.attributes) obj.$attributes = frame.attributes;
    if (frame.xml !== undefined) obj.$xml = frame.xml;
    return obj;
  }
  if (frame.value) return frame.value;
  const prim = frame.type && schema ? schema.primitiveOf(frame.type) : undefined;
  const text = frame.text;
  if (!prim) {
    // A complex type with no members on the wire is an empty object; an element the schema does
    // not know is kept as its text.
    if (frame.type && schema?.type(frame.type)?.kind === 'complex') return {};
    return frame.hasChildren ? {} : text;
  }
  return leafValue(text, prim);
}

/** A leaf's text as the value its primitive type gives (README, Messages: numbers). */
function leafValue(text: string, prim: Primitive): unknown {
  const t = text.trim();
  switch (prim) {
    case 'int': {
      // An empty element is not 0; a long past 2^53 stays text rather than lose digits.
      if (t === '') return text;
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : t;
    }
    case 'boolean':
      if (t === '') return text;
      return t === 'true' || t === '1';
    case 'decimal':
      return decimalValue(text);
    case 'float': {
      if (t === 'INF') return Infinity;
      if (t === '-INF') return -Infinity;
      const n = Number(t);
      return t === '' || Number.isNaN(n) ? text : n;
    }
    case 'char': {
      // WCF writes a char as its UTF-16 code (65 for "A"): read back as the character.
      const code = Number(t);
      return /^\d{1,5}$/.test(t) && code <= 0xffff ? String.fromCharCode(code) : text;
    }
    default:
      return text;
  }
}

/** Significant digits a double always holds exactly. */
const EXACT_DIGITS = 15;

/**
 * An xs:decimal as a number when a double holds every digit written (at most 15 significant digits),
 * else as the exact text Cx sent (README, Messages: numbers): money never loses a digit silently.
 */
export function decimalValue(text: string): unknown {
  const t = text.trim();
  const m = /^[+-]?0*(\d*)(?:\.(\d*?)0*)?$/.exec(t);
  if (!m || t === '' || t === '.' || /^[+-]?\.?$/.test(t)) return text;
  const digits = `${m[1]}${m[2] ?? ''}`.replace(/^0+/, '');
  if (digits.length > EXACT_DIGITS) return t;
  return Number(t);
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
