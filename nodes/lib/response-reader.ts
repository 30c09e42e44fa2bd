import * as sax from 'sax';
import { StringDecoder } from 'node:string_decoder';
import type { IncomingHttpHeaders } from 'node:http';
import { CxError, snippetOf } from './errors';
import type { ResponseHandler } from './http-transport';
import { MemberDecl, QName, SchemaSet } from './schema';

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
  context: { service: string; method: string; host: string },
): ResponseHandler<SoapAnswer> {
  let status = 0;
  let mode: 'xml' | 'other' = 'xml';
  let contentType = '';
  const head: Buffer[] = [];
  let headBytes = 0;
  const decoder = new StringDecoder('utf8');
  const parser = sax.parser(true, { trim: false, normalize: false, xmlns: false, position: false } as sax.SAXOptions);
  let started = false;
  let sawContent = false;
  let envelopeDone = false;
  let depth = 0;
  let soap12 = false;
  // Positions: 1 Envelope, 2 Header/Body, 3 wrapper or Fault, 4 result.
  let inBody = false;
  let fault: Record<string, string> | undefined;
  // Element names from Fault down: SOAP 1.2 nests Code/Value (and Code/Subcode/Value, which must
  // not be glued to it) and Reason/Text (one per language: the first is kept).
  const faultPath: string[] = [];
  let reasonTexts = 0;
  let result: unknown;
  let resultSeen = false;
  const stack: Frame[] = [];

  const badResponse = (why: string, snippet?: string) =>
    new CxError(
      'CX_BAD_RESPONSE',
      `The answer from Cx to ${context.service}.${context.method} ${why}. If it persists, check what sits between this machine and Cx (proxy, firewall).`,
      { service: context.service, method: context.method, status, ...(snippet === undefined ? {} : { snippet }) },
    );

  const openFrame = (
    local: string,
    type: QName | undefined,
    member: MemberDecl | undefined,
    attrs: Record<string, string>,
  ): Frame => {
    let t = type;
    const xsiType = attrs['i:type'] ?? attrs['xsi:type'] ?? findAttr(attrs, 'type');
    if (xsiType && schema) t = findTypeByLocalName(schema, xsiType.split(':').pop() ?? '') ?? t;
    const nil = (attrs['i:nil'] ?? attrs['xsi:nil'] ?? findAttr(attrs, 'nil')) === 'true';
    const item = t && schema ? schema.arrayItem(t) : undefined;
    return { local, type: t, member, item, text: '', nil, hasChildren: false };
  };

  parser.ondoctype = () => {
    throw badResponse('contains a DOCTYPE, which SOAP forbids; refused');
  };
  parser.onopentag = (tag) => {
    const name = tag.name;
    const colon = name.indexOf(':');
    const local = colon < 0 ? name : name.slice(colon + 1);
    const attrs = tag.attributes as Record<string, string>;
    depth++;
    if (depth > MAX_DEPTH) throw badResponse('is nested too deeply');
    if (depth === 1) {
      if (local !== 'Envelope') throw badResponse(`is not a SOAP envelope (root <${name}>)`);
      started = true;
      soap12 = Object.values(attrs).includes('http://www.w3.org/2003/05/soap-envelope');
      return;
    }
    if (depth === 2) {
      inBody = local === 'Body';
      return;
    }
    if (!inBody) return;
    if (depth === 3) {
      if (local === 'Fault') fault = {};
      return;
    }
    if (fault) {
      faultPath.push(local);
      if (faultPath.length === 2 && faultPath[0] === 'Reason' && local === 'Text') reasonTexts++;
      return;
    }
    if (depth === 4) {
      if (resultSeen) return;
      if (resultMember && local !== resultMember.name) return;
      resultSeen = true;
      stack.push(openFrame(local, resultMember?.type, resultMember, attrs));
      return;
    }
    if (stack.length === 0) return;
    const parent = stack[stack.length - 1];
    parent.hasChildren = true;
    let member: MemberDecl | undefined;
    if (parent.item) member = parent.item;
    else if (parent.type && schema) member = schema.memberIndex(parent.type)?.get(local);
    stack.push(openFrame(local, member?.type, member, attrs));
  };
  parser.ontext = (text) => {
    if (fault) {
      const key = faultKey();
      if (key) fault[key] = (fault[key] ?? '') + text;
    } else if (stack.length) stack[stack.length - 1].text += text;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    if (depth === 1) envelopeDone = true;
    if (fault && depth > 3) faultPath.pop();
    if (stack.length && depth >= 4) {
      const frame = stack.pop() as Frame;
      const value = finish(frame, schema);
      if (stack.length === 0) result = value;
      else place(stack[stack.length - 1], frame, value);
    }
    depth--;
  };

  return {
    head(s: number, headers: IncomingHttpHeaders) {
      status = s;
      contentType = String(headers['content-type'] ?? '');
      // Only 200 and 500 carry SOAP from WCF; anything else, or HTML, is an error page.
      if ((s !== 200 && s !== 500) || /html/i.test(contentType)) mode = 'other';
    },
    chunk(data: Buffer) {
      if (headBytes < SNIPPET_BYTES) {
        head.push(data.subarray(0, SNIPPET_BYTES - headBytes));
        headBytes += Math.min(data.length, SNIPPET_BYTES - headBytes);
      }
      if (mode === 'other') return;
      const text = decoder.write(data);
      if (!sawContent && text.trim() !== '') {
        sawContent = true;
        if (!/^\s*</.test(text.slice(0, 64))) {
          mode = 'other';
          return;
        }
      }
      writeSafely(text);
    },
    end(): SoapAnswer {
      const snippet = () => snippetOf(Buffer.concat(head).toString('utf8'));
      if (mode === 'other') {
        if (status >= 300 && status < 400) {
          throw new CxError(
            'CX_HTTP',
            `Cx answered ${context.service}.${context.method} with a redirect (HTTP ${status}), which is not followed. Check the base URL (http or https, path).`,
            { service: context.service, method: context.method, status },
          );
        }
        if (status === 200) throw badResponse('is not XML', snippet());
        throw new CxError(
          'CX_HTTP',
          `${context.host} answered ${context.service}.${context.method} with HTTP ${status} and no SOAP message${status === 503 ? ' (service unavailable: Cx or IIS is down or restarting; try again later)' : status === 404 ? ' (check the base URL)' : ''}.`,
          { service: context.service, method: context.method, status, snippet: snippet() },
        );
      }
      writeSafely(decoder.end());
      try {
        parser.close();
      } catch (err) {
        throw err instanceof CxError ? err : badResponse('is cut short or malformed');
      }
      if (!started) throw badResponse('is empty');
      if (!envelopeDone) throw badResponse('is cut short (truncated XML)');
      if (fault) {
        return {
          status,
          fault: soap12
            ? {
                code: (fault.code12 ?? '').trim(),
                string: (fault.reason12 ?? '').trim(),
                detail: (fault.detail ?? '').trim(),
              }
            : {
                code: (fault.faultcode ?? '').trim(),
                string: (fault.faultstring ?? '').trim(),
                detail: (fault.detail ?? '').trim(),
              },
        };
      }
      if (status !== 200)
        throw new CxError(
          'CX_HTTP',
          `Cx answered ${context.service}.${context.method} with HTTP ${status} but no SOAP fault.`,
          { service: context.service, method: context.method, status, snippet: snippet() },
        );
      return { status, result: resultSeen ? result : undefined };
    },
  };

  /** Where text under Fault belongs: faultcode, faultstring, detail (1.1); Code, Reason, Detail (1.2). */
  function faultKey(): string | undefined {
    const [top, second] = faultPath;
    if (!top) return undefined;
    if (/^detail$/i.test(top)) return 'detail';
    if (!soap12) return faultPath.length === 1 ? top : undefined;
    if (faultPath.length !== 2) return undefined;
    if (top === 'Code' && second === 'Value') return 'code12';
    if (top === 'Reason' && second === 'Text' && reasonTexts === 1) return 'reason12';
    return undefined;
  }

  function writeSafely(text: string) {
    if (!text) return;
    try {
      parser.write(text);
    } catch (err) {
      if (err instanceof CxError) throw err;
      throw badResponse(`is not well-formed XML (${String((err as Error).message).split('\n')[0]})`);
    }
  }
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
