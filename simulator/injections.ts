// Failure injection: what real networks, proxies and misbehaving servers do to a SOAP client.
// Each injection affects the next `count` SOAP POSTs (never WSDL GETs or /_sim/ controls), in the
// order they were queued.
import { createGzip } from 'node:zlib';
import { NS } from './contract';

export const INJECTION_KINDS = [
  'latency',
  'html503',
  'html503-large',
  'truncate',
  'drop',
  'hang',
  'drip',
  'non-xml',
  'redirect',
  'gzip-bomb',
  'doctype',
  'proto',
  'fault-no-string',
  'soap12-fault',
  'huge',
  'empty-body',
  'other-response',
  'huge-fault',
  'windows-1252',
  'deflate-raw',
  'ntlm',
  'too-large',
] as const;
export type InjectionKind = (typeof INJECTION_KINDS)[number];

export interface InjectionOptions {
  count?: number;
  ms?: number;
  bytes?: number;
  /** html503: a Retry-After header, seconds. */
  retryAfter?: number;
}

export interface ActiveInjection {
  kind: InjectionKind;
  ms?: number;
  bytes?: number;
  retryAfter?: number;
}

/** Kinds answered from the real response (so the operation really runs, as when a proxy mangles an answer). */
export const NEEDS_REAL_ANSWER: ReadonlySet<InjectionKind> = new Set([
  'latency',
  'truncate',
  'drop',
  'drip',
  'proto',
  'huge',
  'windows-1252',
  'deflate-raw',
]);

export const isInjectionKind = (k: unknown): k is InjectionKind =>
  typeof k === 'string' && (INJECTION_KINDS as readonly string[]).includes(k);

export class InjectionQueue {
  private queue: (ActiveInjection & { remaining: number })[] = [];

  add(kind: InjectionKind, opts: InjectionOptions = {}): void {
    const count = Math.max(1, Math.floor(opts.count ?? 1));
    this.queue.push({ kind, ms: opts.ms, bytes: opts.bytes, retryAfter: opts.retryAfter, remaining: count });
  }

  /** The injection for the next SOAP POST, if any. */
  take(): ActiveInjection | undefined {
    const head = this.queue[0];
    if (!head) return undefined;
    if (--head.remaining <= 0) this.queue.shift();
    return { kind: head.kind, ms: head.ms, bytes: head.bytes, retryAfter: head.retryAfter };
  }

  clear(): void {
    this.queue = [];
  }

  get pending(): number {
    return this.queue.reduce((n, i) => n + i.remaining, 0);
  }
}

/** HTTP.sys's own 503 page, what IIS answers when the application pool is down. */
export const HTML_503 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
  '<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n' +
  '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
  '<BODY><h2>Service Unavailable</h2>\r\n<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n</BODY></HTML>\r\n';

let largeHtml: string | undefined;
/**
 * A ~520 KB IIS detailed error page. node-soap runs a regex over non-SOAP bodies that is quadratic
 * on pages like this; clients must check the body before handing it over.
 */
export function html503Large(): string {
  if (largeHtml) return largeHtml;
  const head =
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>IIS 10.0 Detailed Error - 503.0 - Service Unavailable</title>\r\n' +
    '<style type="text/css">body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}</style></head>\r\n' +
    '<body><div id="content"><div class="content-container"><h3>HTTP Error 503.0 - Service Unavailable</h3>' +
    '<h4>The service is unavailable.</h4></div><div class="content-container"><fieldset><h4>Detailed Error Information:</h4>' +
    '<div id="details-left"><table border="0" cellpadding="0" cellspacing="0">\r\n';
  const rows: string[] = [];
  let size = head.length;
  for (let i = 0; size < 520 * 1024; i++) {
    const row =
      `<tr class="alt"><th>Module&nbsp;${i}</th><td>IsapiModule &lt;handler&gt; svc-Integrated-4.0 ` +
      `Request queue full, worker process recycling (${i})</td></tr>\r\n`;
    rows.push(row);
    size += row.length;
  }
  largeHtml = `${head}${rows.join('')}</table></div></fieldset></div></div></body></html>\r\n`;
  return largeHtml;
}

const bombs = new Map<number, Promise<Buffer>>();

/** Streams zeros through gzip a megabyte at a time: no 200 MB buffer, and the work stays off the event loop. */
function gzipZeros(bytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gz = createGzip({ level: 9 });
    const out: Buffer[] = [];
    gz.on('data', (c: Buffer) => out.push(c));
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.on('error', reject);
    const block = Buffer.alloc(Math.min(Math.max(bytes, 1), 1 << 20));
    let left = bytes;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, block.length);
        left -= n;
        if (!gz.write(n === block.length ? block : block.subarray(0, n))) {
          gz.once('drain', pump);
          return;
        }
      }
      gz.end();
    };
    pump();
  });
}
export const DEFAULT_BOMB_BYTES = 200 * 1024 * 1024;

/** gzip of `bytes` zero bytes, made once per size (200 MB compresses to about 200 KB). */
export function gzipBomb(bytes = DEFAULT_BOMB_BYTES): Promise<Buffer> {
  let p = bombs.get(bytes);
  if (!p) {
    p = gzipZeros(bytes);
    bombs.set(bytes, p);
    p.catch(() => bombs.delete(bytes));
  }
  return p;
}

/** Billion laughs: a DOCTYPE whose internal entity expands to 10^9 "lol"s. */
export function doctypeAnswer(op: string): string {
  let dtd = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  return (
    `<?xml version="1.0"?><!DOCTYPE s:Envelope [${dtd}]>` +
    `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><${op}Response xmlns="${NS.tempuri}"><${op}Result>&lol9;</${op}Result>` +
    `</${op}Response></s:Body></s:Envelope>`
  );
}

/** Elements and attributes named like Object.prototype keys, inside an otherwise valid answer. */
export function protoAnswer(real: string, op: string): string {
  const start = real.indexOf(`<${op}Result`);
  const end = start < 0 ? -1 : real.indexOf('>', start);
  if (end < 0 || real[end - 1] === '/') return real;
  const poison =
    '<a:__proto__ id="__proto__"><a:polluted>yes</a:polluted><a:isAdmin>true</a:isAdmin></a:__proto__>' +
    '<a:constructor constructor="constructor"><a:prototype><a:polluted>yes</a:polluted></a:prototype></a:constructor>';
  return real.slice(0, end + 1) + poison + real.slice(end + 1);
}

export const FAULT_NO_STRING = `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><s:Fault><faultcode>s:Server</faultcode></s:Fault></s:Body></s:Envelope>`;

export const SOAP12_FAULT =
  `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Body><s:Fault>` +
  '<s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value xmlns:b="http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher">b:InternalServiceFault</s:Value></s:Subcode></s:Code>' +
  '<s:Reason><s:Text xml:lang="en-US">The server was unable to process the request due to an internal error.</s:Text></s:Reason>' +
  '</s:Fault></s:Body></s:Envelope>';

export const NON_XML = 'Service temporarily unavailable. Please try again later.\r\n';

export const DEFAULT_HUGE_BYTES = 12 * 1024 * 1024;
export const DEFAULT_DRIP_MS = 20;

/** An envelope whose Body is empty: WCF never answers a two-way operation so. */
export const EMPTY_BODY = `<s:Envelope xmlns:s="${NS.soap11}"><s:Body/></s:Envelope>`;

/** The answer of another operation (a login's), as a misrouting proxy or cache might return. */
export const OTHER_RESPONSE =
  `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><GetUserWSTokenResponse xmlns="${NS.tempuri}">` +
  '<GetUserWSTokenResult xmlns:a="http://schemas.datacontract.org/2004/07/Civica.Cx.WebServices" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
  '<a:InvalidReason i:nil="true"/><a:IsValid>true</a:IsValid></GetUserWSTokenResult></GetUserWSTokenResponse></s:Body></s:Envelope>';

export const DEFAULT_HUGE_FAULT_BYTES = 8 * 1024 * 1024;

/** A SOAP 1.1 fault whose faultstring is `bytes` long (a server echoing a huge input or stack). */
export function hugeFault(bytes = DEFAULT_HUGE_FAULT_BYTES): string {
  const text = 'The server was unable to process the request. '.padEnd(Math.max(64, bytes), ' at Cx.Handler.Run()');
  return (
    `<s:Envelope xmlns:s="${NS.soap11}"><s:Body><s:Fault><faultcode>s:Server</faultcode>` +
    `<faultstring xml:lang="en-GB">${text}</faultstring></s:Fault></s:Body></s:Envelope>`
  );
}

/** windows-1252's bytes 0x80-0x9F, the characters it puts where ISO-8859-1 has controls (0 where undefined). */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * `text` in windows-1252, as an IIS application with another response encoding sends it; a
 * character the code page lacks becomes a character reference, which XML reads back alike.
 */
export function toWindows1252(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    const high = c > 0xff ? CP1252_HIGH.indexOf(c) : -1;
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out.push(c);
    else if (high >= 0) out.push(0x80 + high);
    else for (const b of Buffer.from(`&#${c};`, 'latin1')) out.push(b);
  }
  return Buffer.from(out);
}

/** What IIS answers when a request is over the site's or WCF's size limit. */
export const TOO_LARGE = 'Request Entity Too Large';

/** IIS's page for a site that asks for Windows authentication (its WWW-Authenticate headers beside it). */
export const HTML_401 =
  '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n' +
  '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>\r\n' +
  '<body><div id="header"><h1>Server Error</h1></div><div id="content"><fieldset><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2>\r\n' +
  '<h3>You do not have permission to view this directory or page using the credentials that you supplied.</h3></fieldset></div></body></html>\r\n';
