import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import { ChunkPump } from './chunk-pump';
import { CxError, closedError as closedErrorOf } from './errors';

/** TLS settings, as the core tls-config node provides them. */
export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** An HTTP proxy, as the core http proxy node provides it. */
export interface ProxyOptions {
  url: string;
  noProxy?: string[];
  username?: string;
  password?: string;
}

export interface TransportOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  maxSockets: number;
  tls?: TlsOptions;
  proxy?: ProxyOptions;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** A shorter deadline than the connection's, ms (what is left of a call's timeout after queueing). */
  timeoutMs?: number;
}

/**
 * Receives an answer as it arrives, so that a large response is parsed chunk by chunk between
 * socket reads instead of in one event-loop-blocking piece. A handler may throw to abort.
 */
export interface ResponseHandler<T> {
  head(status: number, headers: http.IncomingHttpHeaders): void;
  chunk(data: Buffer): void;
  end(): T;
}

/**
 * node:http with the limits node-soap's axios lacks (README "Under the hood"): an overall deadline (a slow
 * drip cannot hold a call forever), a cap on decompressed bytes (gzip bombs), no redirects, a
 * keep-alive agent owned by one connection and destroyed with it.
 */
export class HttpTransport {
  private readonly agent: http.Agent;
  /** The proxy for plain-HTTP targets (absolute URIs); HTTPS goes through the TunnelAgent. */
  private readonly proxy?: ProxyOptions;
  private readonly inFlight = new Set<http.ClientRequest>();
  private closed = false;

  constructor(
    private readonly opts: TransportOptions,
    private readonly target: URL,
  ) {
    // noDelay: a SOAP request is headers plus one body write; with Nagle on, loopback and LAN
    // calls wait on delayed ACKs (measured: 3x fewer calls/s).
    const common = { keepAlive: true, maxSockets: opts.maxSockets, scheduling: 'lifo' as const, noDelay: true };
    const proxy = opts.proxy && !bypassesProxy(target.hostname, opts.proxy.noProxy) ? opts.proxy : undefined;
    if (target.protocol === 'https:') {
      this.agent = proxy
        ? new TunnelAgent(proxy, { ...common, ...opts.tls })
        : new https.Agent({ ...common, ...opts.tls });
    } else {
      this.agent = new http.Agent(common);
    }
    this.proxy = target.protocol === 'http:' ? proxy : undefined;
  }

  send<T>(req: HttpRequest, handler: ResponseHandler<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(false));
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate', ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const options: http.RequestOptions = { method: req.method, agent: this.agent, headers };
      if (this.proxy) {
        // Plain-HTTP target through a proxy: absolute URI in the request line.
        const p = new URL(this.proxy.url);
        Object.assign(options, { hostname: p.hostname, port: p.port || 80, path: req.url.href });
        if (this.proxy.username) headers['proxy-authorization'] = basicAuth(this.proxy.username, this.proxy.password);
      } else {
        Object.assign(options, {
          hostname: req.url.hostname,
          port: req.url.port || undefined,
          path: req.url.pathname + req.url.search,
        });
      }
      const mod = req.url.protocol === 'https:' && !this.proxy ? https : http;
      const cr = mod.request(options);
      this.inFlight.add(cr);
      const timeoutMs = Math.max(1, Math.min(this.opts.timeoutMs, req.timeoutMs ?? Infinity));
      // Whether any byte of the request can have left: not before a connection exists. A reused
      // keep-alive socket is connected already, so a reset on it counts as possibly sent.
      let connected = false;
      cr.on('socket', (socket: net.Socket) => {
        if (socket.connecting) socket.once('connect', () => (connected = true));
        else connected = true;
      });
      const timer = setTimeout(
        () =>
          fail(
            new CxError(
              'CX_TIMEOUT',
              connected
                ? `No complete answer from ${req.url.host} within ${formatDuration(timeoutMs)}; Cx may have received the request. Check that Cx is up and reachable, or raise the timeout.`
                : `No connection to ${req.url.host} within ${formatDuration(timeoutMs)}; the request was not sent. Check that Cx is up and reachable, or raise the timeout.`,
              { cause: 'timeout', sent: connected },
            ),
          ),
        timeoutMs,
      );

      const finish = () => {
        clearTimeout(timer);
        this.inFlight.delete(cr);
      };
      let stopPump = () => {};
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        stopPump();
        finish();
        cr.destroy();
        reject(err);
      };

      cr.on('error', (err: NodeJS.ErrnoException) =>
        fail(this.closed ? closedError(connected) : networkError(err, req.url, connected)),
      );
      cr.on('response', (res) => {
        try {
          handler.head(res.statusCode ?? 0, res.headers);
        } catch (err) {
          res.resume();
          fail(err as Error);
          return;
        }
        let stream: NodeJS.ReadableStream = res;
        const enc = String(res.headers['content-encoding'] ?? '').toLowerCase();
        if (enc === 'gzip' || enc === 'deflate') {
          const z = enc === 'gzip' ? zlib.createGunzip() : zlib.createInflate();
          z.on('error', () =>
            fail(new CxError('CX_BAD_RESPONSE', `The answer from ${req.url.host} is not valid ${enc} data.`)),
          );
          res.pipe(z);
          stream = z;
        }
        let received = 0;
        const pump = new ChunkPump(
          stream,
          (data) => handler.chunk(data),
          fail,
          () => {
            try {
              const value = handler.end();
              settled = true;
              finish();
              resolve(value);
            } catch (err) {
              fail(err as Error);
            }
          },
        );
        stopPump = () => pump.stop();
        stream.on('data', (data: Buffer) => {
          if (settled) return;
          received += data.length;
          if (received > this.opts.maxResponseBytes) {
            fail(
              new CxError(
                'CX_BAD_RESPONSE',
                `The answer is larger than the ${formatBytes(this.opts.maxResponseBytes)} limit; raise the maximum response size or ask for less data.`,
              ),
            );
            return;
          }
          pump.push(data);
        });
        stream.on('end', () => {
          if (!settled) pump.end();
        });
        res.on('aborted', () =>
          fail(
            new CxError(
              'CX_NETWORK',
              `The connection to ${req.url.host} was dropped in the middle of the answer. Try again; if it persists, check the network path to Cx.`,
              { cause: 'aborted', sent: true },
            ),
          ),
        );
        res.on('error', (err: NodeJS.ErrnoException) =>
          fail(this.closed ? closedError(true) : networkError(err, req.url, true)),
        );
      });
      cr.end(req.body);
    });
  }

  /** Ends every request still running (they reject with CX_CLOSED) and frees every socket. */
  close(): void {
    this.closed = true;
    for (const cr of this.inFlight) cr.destroy();
    this.inFlight.clear();
    this.agent.destroy();
  }
}

/** CX_CLOSED for a request cut off by `close()`: sent once a connection existed. */
function closedError(connected: boolean): CxError {
  return closedErrorOf(connected ? 'in-flight' : 'before-send');
}

/** Failures that happen before a connection exists: nothing of the request can have left. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROXY']);

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused. Check the base URL and port, and that Cx is running',
  ENOTFOUND: 'host name not found. Check the base URL',
  EAI_AGAIN: 'host name could not be resolved right now. Check DNS and the base URL',
  ECONNRESET: "connection reset by the server. Check that Cx allows this machine's IP address (firewall)",
  EPIPE: "connection closed by the server while sending. Check that Cx allows this machine's IP address",
  ETIMEDOUT: "connection timed out. Check the firewall: Cx must allow this machine's IP address",
  EHOSTUNREACH: 'host unreachable. Check the network path and the base URL',
  ENETUNREACH: 'network unreachable. Check the network path and the base URL',
};

function networkError(err: NodeJS.ErrnoException, url: URL, connected: boolean): CxError {
  const code = err.code ?? '';
  if (err instanceof CxError) return err;
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code) || /certificate|ssl|tls/i.test(err.message)) {
    // the handshake comes before any byte of the request
    return new CxError(
      'CX_NETWORK',
      `TLS failed with ${url.host} (${code || 'handshake error'}). Check the certificate settings (tls-config) and the base URL.`,
      { cause: code || 'TLS', sent: false },
    );
  }
  const hint =
    NETWORK_HINTS[code] ?? `network error ${code || err.message}. Check the base URL and the network path to Cx`;
  const sent = connected && !NEVER_SENT.has(code);
  return new CxError(
    'CX_NETWORK',
    `Could not reach ${url.host}: ${hint}.${sent ? ' Cx may have received the request.' : ''}`,
    { cause: code || 'network', sent },
  );
}

function basicAuth(user: string, pass = ''): string {
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}

function formatBytes(n: number): string {
  return n >= 1048576 ? `${Math.round(n / 1048576)} MB` : `${Math.round(n / 1024)} KB`;
}

function bypassesProxy(host: string, noProxy: string[] = []): boolean {
  const h = host.toLowerCase();
  return noProxy.some((entry) => {
    const e = entry
      .trim()
      .toLowerCase()
      .replace(/^\*?\./, '');
    return e !== '' && (h === e || h.endsWith(`.${e}`));
  });
}

/** HTTPS through an HTTP proxy: CONNECT, then TLS over the tunnel, keep-alive like any agent. */
class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxyOptions,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: any, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const p = new URL(this.proxy.url);
    const headers: Record<string, string> = { host: `${options.host}:${options.port}` };
    if (this.proxy.username) headers['proxy-authorization'] = basicAuth(this.proxy.username, this.proxy.password);
    const req = http.request({
      hostname: p.hostname,
      port: p.port || 80,
      method: 'CONNECT',
      path: `${options.host}:${options.port}`,
      headers,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        callback?.(Object.assign(new Error(`proxy answered ${res.statusCode} to CONNECT`), { code: 'EPROXY' }), socket);
        return;
      }
      // SNI takes a host name only (RFC 6066), never an IP address.
      const servername = options.servername ?? (net.isIP(options.host) ? undefined : options.host);
      const secured = tls.connect({ ...options, socket, servername });
      callback?.(null, secured);
    });
    req.once('error', (err) => callback?.(err, undefined as unknown as Duplex));
    req.end();
    return undefined;
  }
}
