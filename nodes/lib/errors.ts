/**
 * The one error contract of the pack. Every failure a caller (or a Node-RED flow) can meet is a
 * `CxError` with a stable `code`; its fields are chosen so that nothing secret can reach them:
 * no password, no token, no raw request, no HTTP library object.
 */
export const CX_ERROR_CODES = [
  'CX_CONFIG',
  'CX_LOGIN_FAILED',
  'CX_TOKEN_INVALID',
  'CX_FAULT',
  'CX_REFUSED',
  'CX_HTTP',
  'CX_TIMEOUT',
  'CX_NETWORK',
  'CX_BAD_RESPONSE',
  'CX_UNKNOWN_SERVICE',
  'CX_UNKNOWN_METHOD',
  'CX_BAD_REQUEST',
  'CX_CLOSED',
  'CX_BUSY',
  'CX_UNAVAILABLE',
] as const;

export type CxErrorCode = (typeof CX_ERROR_CODES)[number];

/** Safe, structured detail attached to an error. Only plain strings and numbers go in here. */
export interface CxErrorDetails {
  service?: string;
  method?: string;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** SOAP faultcode, e.g. `s:Client`. */
  faultCode?: string;
  /** SOAP faultstring (or SOAP 1.2 Reason/Text). */
  faultString?: string;
  /** Text of the fault's `detail`, flattened and shortened. */
  faultDetail?: string;
  /** The fault's `detail` as data (a WCF FaultContract's members by name), when it has elements. */
  faultData?: unknown;
  /** Cx's InvalidReason for a refused login or business action. */
  invalidReason?: string;
  /** A short, whitespace-folded start of a non-SOAP answer (an IIS error page, say). */
  snippet?: string;
  /** For CX_BAD_REQUEST: the member names the schema allows at the failing place. */
  validNames?: string[];
  /** Low-level cause name, e.g. `ECONNREFUSED`. */
  cause?: string;
  /** For CX_REFUSED with refusals as errors: the whole result, so nothing is lost. */
  result?: unknown;
  /**
   * Whether the request may have reached Cx: `false` when it certainly never left this machine
   * (queue, connection refused, DNS, fail-fast, no token), or reached Cx only with a token Cx
   * rejected, so sending it again is safe even for a write; `true` when Cx may have received (and
   * applied) it. On a call's final error `true` comes with Cx's answer (a fault, a refusal, an error
   * page) that says what happened, or, for a timeout, a drop or a close, with a message that says
   * to read the record back before sending it again (README "Errors").
   */
  sent?: boolean;
  /** How many attempts were made (README "Retries, back-off and the queue"). */
  attempts?: number;
  /** For CX_HTTP 503: the server's Retry-After, in ms. */
  retryAfterMs?: number;
  /** For CX_UNAVAILABLE: when the connection tries Cx again, in ms from the error. */
  retryInMs?: number;
  /** When logins are paused (a refused login, a rejected token, a failed login): the earliest next try, ISO-8601. */
  retryAt?: string;
}

/** Longest server text (fault string, refusal reason, snippet) kept in an error, characters. */
export const MAX_FAULT_TEXT_CHARS = 4096;
/** Longest error message: the server's text at its cap plus the pack's own words around it. */
export const MAX_MESSAGE_CHARS = 2 * MAX_FAULT_TEXT_CHARS;
const TEXT_DETAILS = ['faultCode', 'faultString', 'faultDetail', 'invalidReason', 'snippet'] as const;

/** Server text for an error: trimmed, at most `max` characters, with a note when cut. */
export function capText(text: string | undefined, max = MAX_FAULT_TEXT_CHARS): string {
  const t = (text ?? '').trim();
  return t.length > max ? `${t.slice(0, max)}… (cut at ${max} characters)` : t;
}

export class CxError extends Error {
  readonly code: CxErrorCode;
  readonly details: CxErrorDetails;

  /**
   * Every path caps the server's text where it reads it; the constructor caps again, so that no
   * error (a refusal reason of megabytes, say) can carry more than a few KB into a flow or a log.
   */
  constructor(code: CxErrorCode, message: string, details: CxErrorDetails = {}) {
    super(message.length > MAX_MESSAGE_CHARS ? capText(message, MAX_MESSAGE_CHARS) : message);
    this.name = 'CxError';
    this.code = code;
    for (const k of TEXT_DETAILS) {
      const v = details[k];
      if (typeof v === 'string' && v.length > MAX_FAULT_TEXT_CHARS) details = { ...details, [k]: capText(v) };
    }
    this.details = details;
  }

  /** What Node-RED and JSON see: code, message and the safe details, never a stack of objects. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, ...this.details };
  }

  /**
   * The message alone. Node-RED builds a Catch node's `msg.error.message` from `toString()`
   * (3.x and 4.x), and a flow author has no use for the class name before it.
   */
  override toString(): string {
    return this.message;
  }
}

/**
 * CX_CLOSED: the connection was closed (redeploy, shutdown). `before-send` for a request that
 * never left (queued, waiting for a token or a WSDL), `in-flight` for one cut off on the way.
 */
export function closedError(when: 'before-send' | 'in-flight'): CxError {
  return when === 'before-send'
    ? new CxError(
        'CX_CLOSED',
        'The Cx connection was closed (redeploy or shutdown) before the request was sent; nothing reached Cx, so it can be sent again.',
        { sent: false },
      )
    : new CxError(
        'CX_CLOSED',
        'The Cx connection was closed (redeploy or shutdown) while the request was on its way to Cx or being answered.',
        { sent: true },
      );
}

export function isCxError(err: unknown): err is CxError {
  return err instanceof CxError;
}

/** How much of a server's text a snippet is made from, characters. */
export const SNIPPET_SOURCE_CHARS = 4096;

/** Shortens and folds a piece of server text so it can go into an error message or log line. */
export function snippetOf(text: string, max = 200): string {
  // Only a bounded prefix is ever looked at: the patterns below are quadratic on a page full of
  // unclosed <script> tags, and a body can be megabytes (README "Reliability and security").
  const folded = text
    .slice(0, SNIPPET_SOURCE_CHARS)
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]{0,500}>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return folded.length > max ? `${folded.slice(0, max)}…` : folded;
}
