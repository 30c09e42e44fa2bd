import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import * as zlib from 'node:zlib';
import { Transform, type Duplex } from 'node:stream';
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
 * How long an idle kept-alive socket is kept. IIS closes idle connections after 120 s by default
 * and proxies in front of it often sooner; a socket the server has already closed fails the next
 * request on it, so ours are dropped well before (README "Reliability and security"). A shorter
 * `Keep-Alive: timeout=N` from the server is honoured by Node's agent.
 */
export const IDLE_SOCKET_MS = 15000;

/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Errors that mean a reused socket had been closed by the server before our request reached it. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * node:http with the limits node-soap's axios lacks (README "Under the hood"): an overall deadline (a slow
 * drip cannot hold a call forever), a cap on decompressed bytes (gzip bombs), no redirects, a
 * keep-alive agent owned by one connection and destroyed with it.
 */
export class HttpTransport {
  private readonly agent: http.Agent;
  /** A second agent without keep-alive, for the one resend after a stale kept-alive socket: always a new socket. */
  private freshAgent?: http.Agent;
  /** The proxy for plain-HTTP targets (absolute URIs); HTTPS goes through the TunnelAgent. */
  readonly proxy?: ProxyOptions;
  private readonly tunnel?: ProxyOptions;
  readonly inFlight = new Set<http.ClientRequest>();
  closed = false;

  constructor(
    readonly opts: TransportOptions,
    private readonly target: URL,
  ) {
    const proxy = opts.proxy && !bypassesProxy(target.hostname, opts.proxy.noProxy) ? opts.proxy : undefined;
    this.tunnel = target.protocol === 'https:' ? proxy : undefined;
    this.proxy = target.protocol === 'http:' ? proxy : undefined;
    this.agent = this.makeAgent(true);
  }

  /** The deadline of one exchange; settings beyond what a timer can hold are clamped, never overflowed. */
  timeoutFor(req: HttpRequest): number {
    return Math.max(1, Math.min(this.opts.timeoutMs, req.timeoutMs ?? Infinity, MAX_TIMER_MS));
  }

  /** The agent for a request: the kept-alive one, or (for the resend after a stale socket) a fresh one. */
  agentFor(fresh: boolean): http.Agent {
    if (!fresh) return this.agent;
    this.freshAgent ??= this.makeAgent(false);
    return this.freshAgent;
  }

  send<T>(req: HttpRequest, handler: ResponseHandler<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError(false));
    return new Promise<T>((resolve, reject) => new Exchange(this, req, handler, resolve, reject).start());
  }

  /** Ends every request still running (they reject with CX_CLOSED) and frees every socket. */
  close(): void {
    this.closed = true;
    for (const cr of this.inFlight) cr.destroy();
    this.inFlight.clear();
    this.agent.destroy();
    this.freshAgent?.destroy();
  }

  private makeAgent(keepAlive: boolean): http.Agent {
    // noDelay: a SOAP request is headers plus one body write; with Nagle on, loopback and LAN
    // calls wait on delayed ACKs (measured: 3x fewer calls/s).
    const common = {
      keepAlive,
      maxSockets: this.opts.maxSockets,
      scheduling: 'lifo' as const,
      noDelay: true,
      timeout: IDLE_SOCKET_MS,
    };
    if (this.target.protocol === 'https:') {
      return this.tunnel
        ? new TunnelAgent(this.tunnel, { ...common, ...this.opts.tls })
        : new https.Agent({ ...common, ...this.opts.tls });
    }
    return new http.Agent(common);
  }
}

/**
 * One request and its answer: the deadline, the socket's bytes, the decompressor, the chunk pump
 * and how it settled, as named state. At most one resend, and only when the request went on a
 * reused kept-alive socket that the server had closed and no byte of the answer arrived (what
 * Node's documentation advises for keep-alive races): the server cannot have acted on it.
 */
class Exchange<T> {
  private settled = false;
  private timer?: NodeJS.Timeout;
  private cr?: http.ClientRequest;
  private pump?: ChunkPump;
  private responded = false;
  private resent = false;
  /**
   * Whether any byte of the request can have left: not before a connection exists. A reused
   * keep-alive socket is connected already, so a reset on it counts as possibly sent (unless it
   * is resent, below).
   */
  private connected = false;
  private received = 0;

  constructor(
    private readonly transport: HttpTransport,
    private readonly req: HttpRequest,
    private readonly handler: ResponseHandler<T>,
    private readonly resolve: (value: T) => void,
    private readonly reject: (err: Error) => void,
  ) {}

  start(): void {
    const host = this.req.url.host;
    const timeoutMs = this.transport.timeoutFor(this.req);
    this.timer = setTimeout(
      () =>
        this.fail(
          new CxError(
            'CX_TIMEOUT',
            this.connected
              ? `No complete answer from ${host} within ${formatDuration(timeoutMs)}; Cx may have received the request. Check that Cx is up and reachable, or raise the timeout.`
              : `No connection to ${host} within ${formatDuration(timeoutMs)}; the request was not sent. Check that Cx is up and reachable, or raise the timeout.`,
            { cause: 'timeout', sent: this.connected },
          ),
        ),
      timeoutMs,
    );
    this.open(false);
  }

  private open(fresh: boolean): void {
    const { req, transport } = this;
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate', ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const options: http.RequestOptions = { method: req.method, agent: transport.agentFor(fresh), headers };
    const proxy = transport.proxy;
    if (proxy) {
      // Plain-HTTP target through a proxy: absolute URI in the request line.
      const p = new URL(proxy.url);
      Object.assign(options, { hostname: p.hostname, port: p.port || 80, path: req.url.href });
      if (proxy.username) headers['proxy-authorization'] = basicAuth(proxy.username, proxy.password);
    } else {
      Object.assign(options, {
        hostname: req.url.hostname,
        port: req.url.port || undefined,
        path: req.url.pathname + req.url.search,
      });
    }
    const mod = req.url.protocol === 'https:' && !proxy ? https : http;
    let cr: http.ClientRequest;
    try {
      cr = mod.request(options);
    } catch (err) {
      // A header value Node refuses (ERR_INVALID_CHAR): the caller's data, never sent.
      this.fail(
        new CxError(
          'CX_BAD_RESPONSE',
          `A request header for ${req.url.host} holds characters HTTP cannot carry (${(err as NodeJS.ErrnoException).code ?? 'invalid header'}); nothing was sent. If it comes from the service's WSDL (its soapAction), ask the Cx administrator to check the service.`,
          { cause: 'ERR_INVALID_CHAR', sent: false },
        ),
      );
      return;
    }
    this.cr = cr;
    transport.inFlight.add(cr);
    let bytesBefore = 0;
    this.connected = false;
    cr.on('socket', (socket: net.Socket) => {
      bytesBefore = socket.bytesRead;
      if (socket.connecting) socket.once('connect', () => (this.connected = true));
      else this.connected = true;
    });
    cr.on('error', (err: NodeJS.ErrnoException) => {
      if (this.cr !== cr) return;
      const nothingArrived = !this.responded && (cr.socket?.bytesRead ?? bytesBefore) === bytesBefore;
      if (
        cr.reusedSocket &&
        nothingArrived &&
        !this.resent &&
        !transport.closed &&
        STALE_SOCKET_CODES.has(err.code ?? '')
      ) {
        this.resent = true;
        transport.inFlight.delete(cr);
        this.open(true);
        return;
      }
      this.fail(transport.closed ? closedError(this.connected) : networkError(err, req.url, this.connected));
    });
    cr.on('response', (res) => this.onResponse(res));
    cr.end(req.body);
  }

  private onResponse(res: http.IncomingMessage): void {
    this.responded = true;
    const host = this.req.url.host;
    try {
      this.handler.head(res.statusCode ?? 0, res.headers);
    } catch (err) {
      res.resume();
      this.fail(err as Error);
      return;
    }
    let stream: NodeJS.ReadableStream = res;
    const enc = String(res.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    if (enc === 'gzip' || enc === 'x-gzip' || enc === 'deflate') {
      const z = enc === 'deflate' ? new AnyDeflate() : zlib.createGunzip();
      z.on('error', () =>
        this.fail(new CxError('CX_BAD_RESPONSE', `The answer from ${host} is not valid ${enc} data.`)),
      );
      res.pipe(z);
      stream = z;
    }
    const pump = new ChunkPump(
      stream,
      (data) => this.handler.chunk(data),
      (err) => this.fail(err),
      () => {
        try {
          this.succeed(this.handler.end());
        } catch (err) {
          this.fail(err as Error);
        }
      },
    );
    this.pump = pump;
    const max = this.transport.opts.maxResponseBytes;
    stream.on('data', (data: Buffer) => {
      if (this.settled) return;
      this.received += data.length;
      if (this.received > max) {
        this.fail(
          new CxError(
            'CX_BAD_RESPONSE',
            `The answer is larger than the ${formatBytes(max)} limit; raise the maximum response size or ask for less data.`,
          ),
        );
        return;
      }
      pump.push(data);
    });
    stream.on('end', () => {
      if (!this.settled) pump.end();
    });
    res.on('aborted', () =>
      this.fail(
        this.transport.closed
          ? closedError(true)
          : new CxError(
              'CX_NETWORK',
              `The connection to ${host} was dropped in the middle of the answer. Try again; if it persists, check the network path to Cx.`,
              { cause: 'aborted', sent: true },
            ),
      ),
    );
    res.on('error', (err: NodeJS.ErrnoException) =>
      this.fail(this.transport.closed ? closedError(true) : networkError(err, this.req.url, true)),
    );
  }

  private succeed(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.finish();
    this.resolve(value);
  }

  private fail(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.pump?.stop();
    this.finish();
    this.cr?.destroy();
    // Whatever the cause that reached us first, a request cut off by close() is CX_CLOSED.
    this.reject(
      this.transport.closed && !(err instanceof CxError && err.code === 'CX_CLOSED')
        ? closedError(this.connected)
        : err,
    );
  }

  private finish(): void {
    clearTimeout(this.timer);
    if (this.cr) this.transport.inFlight.delete(this.cr);
  }
}

/**
 * `Content-Encoding: deflate` is zlib-wrapped by the standard, but IIS has sent raw DEFLATE under
 * that name: the first two bytes tell which (a zlib header is CM=8 with a check sum divisible by
 * 31). Backpressure passes through, so a deflate bomb is stopped by the size cap like gzip.
 */
class AnyDeflate extends Transform {
  private inner?: zlib.Inflate | zlib.InflateRaw;
  private head: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    let data = chunk;
    if (!this.inner) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 2) {
        done();
        return;
      }
      this.start(isZlibHeader(this.head));
      data = this.head;
    }
    (this.inner as zlib.Inflate).write(data, () => done());
  }

  override _flush(done: (err?: Error | null) => void): void {
    if (!this.inner) this.start(true);
    const inner = this.inner as zlib.Inflate;
    inner.once('end', () => done());
    inner.end();
  }

  override _read(size: number): void {
    this.inner?.resume();
    super._read(size);
  }

  private start(zlibWrapped: boolean): void {
    const inner = zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
    inner.on('data', (d: Buffer) => {
      if (!this.push(d)) inner.pause();
    });
    inner.on('error', (err) => this.destroy(err));
    this.inner = inner;
    if (this.head.length > 0 && this.head.length < 2) {
      const h = this.head;
      this.head = Buffer.alloc(0);
      inner.write(h);
    }
  }
}

function isZlibHeader(b: Buffer): boolean {
  return (b[0] & 0x0f) === 8 && b[0] >> 4 <= 7 && ((b[0] << 8) | b[1]) % 31 === 0;
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
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new CxError(
      'CX_BAD_RESPONSE',
      `The answer from ${url.host} has more HTTP header data than Node.js accepts (16 KB by default). Something between this machine and Cx (a proxy or load balancer, often with large cookies) is adding headers: ask its administrator, or start Node-RED with a larger --max-http-header-size.`,
      { cause: code, sent: true },
    );
  }
  if (code.startsWith('HPE_')) {
    return new CxError(
      'CX_BAD_RESPONSE',
      `The answer from ${url.host} is not valid HTTP (${code}). Check that the base URL points at Cx and that nothing in between rewrites its answers.`,
      { cause: code, sent: true },
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
