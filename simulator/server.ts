// The simulator's HTTP server on node:http: routing under /cx, WSDL/XSD GETs, SOAP POSTs with
// WCF's HTTP-level strictness (415 for a wrong Content-Type, 400 for unreadable XML, 413 for an
// oversized body), the /_sim/ controls, and a close() that leaves no handle behind.
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceContract } from './contract';
import { Controls, handleControl } from './controls';
import { Answer, dispatch } from './dispatch';
import { faultEnvelope, internalServiceFault } from './faults';
import { ActiveInjection, InjectionKind, InjectionOptions, InjectionQueue, NEEDS_REAL_ANSWER } from './injections';
import { sendAnswer, sendInjected, sendSimple } from './respond';
import { buildServices } from './services';
import { SimState, SimulatorStats } from './state';
import { wsdl, xsd } from './wsdl';
import { SHAPES_SERVICE, shapesWsdl, shapesXsd } from './shapes-wsdl';
import { shapesAnswer } from './shapes';

export type { SimulatorStats } from './state';
export type { InjectionKind } from './injections';

export interface SimulatorOptions {
  /** default 0: a free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default Jim.Walker */
  user?: string;
  /** default HappyB!rthday */
  password?: string;
  /** default 600 */
  tokenTtlSeconds?: number;
  /** ms since the epoch; a fake clock for tests, default Date.now */
  now?: () => number;
  /** no per-call log lines on stderr */
  quiet?: boolean;
}

export interface CxSimulator {
  /** e.g. http://127.0.0.1:PORT/cx */
  url: string;
  port: number;
  host: string;
  stats(): SimulatorStats;
  resetStats(): void;
  /** data, tokens, stats, injections and list size back to the start */
  reset(): void;
  expireTokens(): void;
  inject(kind: InjectionKind, opts?: InjectionOptions): void;
  /** drops every injection still queued */
  clearInjections(): void;
  setListSize(n: number | null): void;
  /** closes every socket too (hanging ones included) */
  close(): Promise<void>;
}

const BASE = '/cx';
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const HTML_404 =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
  '<HTML><HEAD><TITLE>Not Found</TITLE></HEAD><BODY><h2>Not Found</h2>\r\n<hr><p>HTTP Error 404. The requested resource is not found.</p>\r\n</BODY></HTML>\r\n';

const helpPage = (svc: ServiceContract, endpoint: string): string =>
  `<html><head><title>${svc.name} Service</title></head><body><div id="content"><p class="heading1">${svc.name} Service</p>` +
  `<p>You have created a service.</p><p>To test this service, you will need to create a client and use it to call the service. ` +
  `You can do this using the svcutil.exe tool from the command line with the following syntax:</p>` +
  `<pre>svcutil.exe ${endpoint}?wsdl</pre></div></body></html>`;

/** WCF's basicHttpBinding takes text/xml (charset utf-8 when given) and nothing else. */
export function acceptableContentType(ct: string | undefined): boolean {
  if (!ct) return false;
  const [type, ...params] = ct.split(';').map((s) => s.trim().toLowerCase());
  if (type !== 'text/xml') return false;
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}

const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge());
        return;
      }
      parts.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(parts));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
  });
}

/**
 * One running simulator: the state, the services built on it, the pending injections, the timers
 * it owns (so close() leaves none behind) and the node:http server that routes requests to them.
 */
class SimulatorServer {
  readonly host: string;
  readonly state: SimState;
  readonly services: Map<string, ServiceContract>;
  readonly injections = new InjectionQueue();
  /** every timer the simulator set, cleared on close */
  readonly timers = new Set<NodeJS.Timeout>();
  readonly controls: Controls;
  readonly server: Server;
  private readonly quiet: boolean;
  port = 0;
  closing = false;

  constructor(opts: SimulatorOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.quiet = opts.quiet ?? false;
    this.state = new SimState({
      user: opts.user ?? 'Jim.Walker',
      password: opts.password ?? 'HappyB!rthday',
      tokenTtlSeconds: opts.tokenTtlSeconds ?? 600,
      now: opts.now ?? Date.now,
    });
    this.services = buildServices(this.state);
    const { state, injections } = this;
    this.controls = {
      stats: () => ({ ...state.stats, byOperation: { ...state.stats.byOperation } }),
      reset: () => {
        state.reset();
        injections.clear();
      },
      resetStats: () => state.resetStats(),
      expireTokens: () => state.expireTokens(),
      inject: (kind, o) => injections.add(kind, o),
      clearInjections: () => injections.clear(),
      setListSize: (n) => {
        state.listSize = n === null ? null : Math.max(0, Math.floor(n));
      },
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        // never crash on a request: answer as WCF does for an unexpected server error
        this.log(`internal error: ${(e as Error)?.stack ?? String(e)}`);
        if (!res.headersSent && !res.destroyed)
          sendSimple(res, 500, 'text/xml; charset=utf-8', faultEnvelope(internalServiceFault()));
        else res.destroy();
      });
    });
    this.server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.closing = true;
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  readonly setTimer = (fn: () => void, ms: number): void => {
    if (this.closing) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  };

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  private log(line: string): void {
    if (!this.quiet) process.stderr.write(`[cx-simulator] ${line}\n`);
  }

  /** the Host header when it is a plain host[:port], else our own address */
  private hostHeader(req: IncomingMessage): string {
    const h = req.headers.host;
    const host = this.host;
    return h && SAFE_HOST.test(h) ? h : `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path.startsWith(`${BASE}/_sim/`)) {
      await handleControl(path.slice(`${BASE}/_sim/`.length), req, res, this.controls);
      return;
    }
    const m = /^\/cx\/webservice\/([^/]+)\/?$/i.exec(path);
    if (m && m[1].toLowerCase() === SHAPES_SERVICE.toLowerCase()) {
      await this.serveShapes(req, res, url);
      return;
    }
    const svc = m ? this.services.get(m[1].toLowerCase()) : undefined;
    if (!svc) {
      req.resume();
      sendSimple(res, 404, 'text/html', HTML_404);
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      this.serveMetadata(req, res, svc, url);
      return;
    }
    if (req.method === 'POST') {
      await this.serveSoap(req, res, svc);
      return;
    }
    req.resume();
    sendSimple(res, 405, 'text/plain; charset=utf-8', 'Method not allowed', { Allow: 'GET, POST' });
  }

  /** WSShapesService: the WCF shapes beyond the Cx services' own (see shapes-wsdl.ts). */
  private async serveShapes(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const endpoint = `http://${this.hostHeader(req)}${BASE}/webservice/${SHAPES_SERVICE.toLowerCase()}`;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const query = url.search.slice(1);
      const doc = /^wsdl$/i.test(query) ? shapesWsdl(endpoint) : shapesXsd(endpoint, url.searchParams.get('xsd') ?? '');
      if (doc === undefined) sendSimple(res, 404, 'text/html', HTML_404);
      else sendSimple(res, 200, 'text/xml; charset=UTF-8', doc);
      return;
    }
    if (req.method !== 'POST' || !acceptableContentType(req.headers['content-type'])) {
      req.resume();
      sendSimple(res, 415, 'text/plain; charset=utf-8', 'Cannot process the message because of its content type.');
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch {
      req.resume();
      sendSimple(res, 413, 'text/plain; charset=utf-8', 'Request Entity Too Large', { Connection: 'close' });
      return;
    }
    if (res.destroyed || this.closing) return;
    this.state.stats.calls++;
    const action = Array.isArray(req.headers.soapaction) ? req.headers.soapaction[0] : (req.headers.soapaction ?? '');
    const answer = shapesAnswer(action, body.toString('utf8').replace(/^\uFEFF/, ''));
    if (answer.operation)
      this.state.stats.byOperation[answer.operation] = (this.state.stats.byOperation[answer.operation] ?? 0) + 1;
    sendSimple(res, answer.status, answer.contentType, answer.body);
  }

  private serveMetadata(req: IncomingMessage, res: ServerResponse, svc: ServiceContract, url: URL): void {
    const endpoint = `http://${this.hostHeader(req)}${BASE}/webservice/${svc.name.toLowerCase()}`;
    const query = url.search.slice(1);
    if (/^wsdl$/i.test(query) || /^singlewsdl$/i.test(query)) {
      this.state.stats.wsdlRequests++;
      sendSimple(res, 200, 'text/xml; charset=UTF-8', wsdl(svc, endpoint, /^singlewsdl$/i.test(query)));
      return;
    }
    const name = url.searchParams.get('xsd');
    if (name !== null) {
      const doc = xsd(svc, endpoint, name);
      if (doc === undefined) {
        sendSimple(res, 404, 'text/html', HTML_404);
        return;
      }
      this.state.stats.xsdRequests++;
      sendSimple(res, 200, 'text/xml; charset=UTF-8', doc);
      return;
    }
    sendSimple(res, 200, 'text/html; charset=UTF-8', helpPage(svc, endpoint));
  }

  private async serveSoap(req: IncomingMessage, res: ServerResponse, svc: ServiceContract): Promise<void> {
    const started = Date.now();
    const state = this.state;
    const stats = state.stats;
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    // inFlight belongs to whichever stats object counted it, so resetStats mid-call stays consistent
    res.once('close', () => {
      state.stats.inFlight = Math.max(0, state.stats.inFlight - 1);
    });
    const injection: ActiveInjection | undefined = this.injections.take();

    if (!acceptableContentType(req.headers['content-type'])) {
      req.resume();
      const ct = req.headers['content-type'] ?? '';
      sendSimple(
        res,
        415,
        'text/plain; charset=utf-8',
        `Cannot process the message because the content type '${ct}' was not the expected type 'text/xml; charset=utf-8'.`,
      );
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req, MAX_BODY_BYTES);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        req.resume();
        sendSimple(res, 413, 'text/plain; charset=utf-8', 'Request Entity Too Large', { Connection: 'close' });
      }
      return;
    }
    if (injection?.kind === 'latency') await this.delay(injection.ms ?? 0);
    if (res.destroyed || this.closing) return;

    let text = body.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    let answer: Answer | undefined;
    if (!injection || NEEDS_REAL_ANSWER.has(injection.kind)) {
      answer = dispatch(svc, state, req.headers.soapaction, text);
      if (answer.operation)
        state.stats.byOperation[answer.operation] = (state.stats.byOperation[answer.operation] ?? 0) + 1;
      if (answer.fault) state.stats.faults++;
    }
    const op = answer?.operation ?? opFromAction(svc, req.headers.soapaction);
    if (injection) {
      if (['fault-no-string', 'soap12-fault', 'huge-fault'].includes(injection.kind)) state.stats.faults++;
      this.log(`${svc.name} ${op ?? '?'} injected ${injection.kind}`);
      await sendInjected(res, injection, op ?? '', answer, this.hostHeader(req), { setTimer: this.setTimer });
      return;
    }
    await sendAnswer(res, answer as Answer);
    this.log(`${svc.name} ${op ?? '?'} ${answer?.status} ${Date.now() - started}ms`);
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<CxSimulator> {
  const sim = new SimulatorServer(opts);
  await sim.listen(opts.port ?? 0);
  const urlHost = sim.host.includes(':') ? `[${sim.host}]` : sim.host;
  return {
    url: `http://${urlHost}:${sim.port}${BASE}`,
    port: sim.port,
    host: sim.host,
    ...sim.controls,
    close: () => sim.close(),
  };
}

function opFromAction(svc: ServiceContract, header: string | string[] | undefined): string | undefined {
  const raw = (Array.isArray(header) ? header[0] : header) ?? '';
  const name = raw.replace(/"/g, '').split('/').pop();
  return svc.operations.find((o) => o.name === name)?.name;
}
