import { Circuit, CircuitState } from './circuit';
import { Clock, systemClock } from './clock';
import { CxError, closedError } from './errors';
import { buildEnvelopeInSlices, escapeText } from './envelope';
import {
  faultError,
  isActionNotSupported,
  isInvalidTokenFault,
  isRefusal,
  refusalError,
  tokenRejectedError,
} from './faults';
import { HttpRequest, HttpTransport, ResponseHandler } from './http-transport';
import { Limiter } from './limiter';
import { logIn } from './login';
import { SoapAnswer, soapAnswerHandler } from './response-reader';
import type { OperationModel, ServiceModel } from './service-model';
import { OperationTemplates, buildHeadersTemplate, buildOperationTemplates, buildTemplate } from './template';
import { TokenManager } from './token-manager';
import { ResolvedTokenPlace, resolveTokenPlace } from './token-placement';
import { RetryNotice, RetryWaits, withRetries } from './retry';
import { RetrySettings, retryPolicy } from './retry-policy';
import { Timers, systemTimers } from './timers';
import { loadServiceModel } from './wsdl-loader';
import { jsonWithBuffers } from './json-key';
import { ServiceModelCache } from './model-cache';
import { CxClientOptions, CxLogger, ResolvedOptions, TokenHandOver, resolveOptions } from './client-options';
import { LoginRefusals } from './login-refusals';
import { SecretScrubber } from './scrub';

export { DEFAULT_INVALID_TOKEN_PATTERN } from './client-options';
export type { CxClientOptions, CxLogger, TokenHandOver, TokenSession } from './client-options';

export interface CallOptions {
  /** Return `IsValid: false` answers as data instead of failing with CX_REFUSED. */
  refusalsAsData?: boolean;
  /** Retries after transient failures; default none. README "Retries, back-off and the queue". */
  retry?: RetrySettings;
  /** Told before each back-off wait (for a status such as "retrying 2/5 in 4 s"). */
  onRetry?: (notice: RetryNotice) => void;
  /**
   * Values for the operation's declared SOAP header parts (MessageContract headers), by element
   * name: `{ CustomerAccountId: '123' }`. Checked and written like body members, in the header's
   * own namespace. The token header, if any, is the connection's.
   */
  soapHeaders?: Record<string, unknown>;
}

export interface CallResult {
  /**
   * The answer: the value of `<Operation>Result` when that is its only part, else an object with
   * every part by name (out/ref parameters, several members, a bare message contract).
   */
  result: unknown;
  /** The answer's SOAP header parts by name, when the operation declares any. */
  headers?: Record<string, unknown>;
  /** Whether the call met an invalid token and was sent a second time. */
  retried: boolean;
  /** Attempts made under the retry setting (1 without retries). */
  attempts: number;
  durationMs: number;
}

/** What the connection knows of Cx's reachability (for the config node's status). */
export interface CxHealth {
  state: CircuitState;
  /** ms until the next probe may go, while failing fast. */
  retryInMs: number;
  /** The code of the failure that made it fail fast. */
  lastFailure?: string;
}

export type { RetryNotice } from './retry';
export type { RetrySettings } from './retry-policy';

export interface TokenInfo {
  token: string;
  /** TokenExpiry as an ISO-8601 text, or null when Cx sent none that could be read. */
  expiry: string | null;
}

const TOKEN_MARK = '\u0000cx-token\u0000';

interface Prepared {
  model: ServiceModel;
  op: OperationModel;
  ctx: { service: string; method: string };
  place: ResolvedTokenPlace;
  withToken: (token: string | undefined) => string;
}

/**
 * A failure before the call's own request left (reading the WSDL, logging in): whatever that
 * request was, the call itself never reached Cx, so it is safe to send again.
 */
function notSent(err: unknown): unknown {
  if (!(err instanceof CxError) || err.details.sent === false || err.code === 'CX_CLOSED') return err;
  return new CxError(err.code, err.message, { ...err.details, sent: false });
}

function outOfTime(timeoutMs: number): CxError {
  return new CxError(
    'CX_TIMEOUT',
    `The call ran out of its ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 100) / 10} s`} timeout while waiting (for a free slot or a login) and was not sent. Cx may be slow or busy: lower the rate or raise the timeout.`,
    { sent: false, cause: 'deadline' },
  );
}
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

const READ_BACK = 'Cx may have received and applied it: read the record back before sending it again.';

/**
 * A call's final error as the caller sees it: a request that Cx answered is marked sent (the
 * answer says what happened); one that left and got no usable answer (a timeout, a drop, a close,
 * a truncated answer, a 5xx page) says to read back before sending again (README "Errors").
 */
function withOutcome(err: CxError): CxError {
  const status = err.details.status ?? 0;
  const answered =
    ['CX_FAULT', 'CX_REFUSED'].includes(err.code) || (err.code === 'CX_HTTP' && status > 0 && status < 500);
  const noAnswer =
    ['CX_TIMEOUT', 'CX_NETWORK', 'CX_CLOSED', 'CX_BAD_RESPONSE'].includes(err.code) ||
    (err.code === 'CX_HTTP' && (status >= 500 || status === 408));
  if (answered && err.details.sent === undefined)
    return new CxError(err.code, err.message, { ...err.details, sent: true });
  if (noAnswer && err.details.sent !== false && !err.message.includes(READ_BACK)) {
    // Before the retry count that ends the message, if any: "… (1 attempt made of 5)."
    const m = / \((\d+ attempts? made of \d+)\)\.$/.exec(err.message);
    const message = m
      ? `${err.message.slice(0, m.index)}. ${READ_BACK.slice(0, -1)} (${m[1]}).`
      : `${err.message} ${READ_BACK}`;
    return new CxError(err.code, message, { ...err.details, sent: true });
  }
  return err;
}

/**
 * A connection to one Cx instance with one set of credentials: one shared token, one WSDL model
 * per service, one keep-alive socket pool and one concurrency cap. No Node-RED in here.
 */
export class CxClient {
  readonly baseUrl: URL;
  private readonly opts: ResolvedOptions;
  private readonly modelCache?: ServiceModelCache;
  /** What makes a WSDL fetched by this connection valid for another: where and how it is fetched. */
  private readonly cachePrefix: string;
  private readonly transport: HttpTransport;
  /** Every request to Cx (calls, logins, WSDL reads) goes through this, under the circuit. */
  private readonly requests: Pick<HttpTransport, 'send'>;
  /** Logins have their own socket, so that one in flight at a redeploy can finish for the successor. */
  private readonly loginTransport: HttpTransport;
  private readonly loginRequests: Pick<HttpTransport, 'send'>;
  private readonly circuit: Circuit;
  private readonly limiter: Limiter;
  private readonly waits: RetryWaits;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly tokens: TokenManager;
  private readonly scrubber: SecretScrubber;
  private readonly logger?: CxLogger;
  private readonly invalidToken: RegExp;
  private readonly services = new Map<string, Promise<ServiceModel>>();
  /** The model each service's entry in `services` resolved to, to tell a stale model from a fresh one. */
  private readonly loaded = new Map<string, ServiceModel>();
  private readonly places = new WeakMap<OperationModel, ResolvedTokenPlace>();
  /** Each service's endpoint, built once (a URL per request showed in profiles); never mutated. */
  private readonly urls = new Map<string, URL>();
  private closed = false;

  /** @throws CxError `CX_CONFIG` when the settings cannot work (no URL, no scheme, bad pattern). */
  constructor(options: CxClientOptions) {
    const { baseUrl, opts, invalidToken } = resolveOptions(options);
    this.baseUrl = baseUrl;
    this.opts = opts;
    this.invalidToken = invalidToken;
    this.logger = options.logger;
    const transportOptions = {
      timeoutMs: opts.timeoutMs,
      maxResponseBytes: opts.maxResponseBytes,
      // One socket per concurrent call, plus one for a WSDL fetch beside them.
      maxSockets: opts.maxConcurrent + 1,
      tls: opts.tls,
      proxy: opts.proxy,
    };
    this.transport = new HttpTransport(transportOptions, this.baseUrl);
    this.loginTransport = new HttpTransport({ ...transportOptions, maxSockets: 1 }, this.baseUrl);
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.circuit = new Circuit(this.clock, options.failFast, this.timers);
    const transport = this.transport;
    const circuit = this.circuit;
    this.requests = {
      send: <T>(req: HttpRequest, handler: ResponseHandler<T>) => circuit.guard(() => transport.send(req, handler)),
    };
    const loginTransport = this.loginTransport;
    this.loginRequests = {
      send: <T>(req: HttpRequest, handler: ResponseHandler<T>) =>
        circuit.guard(() => loginTransport.send(req, handler)),
    };
    this.limiter = new Limiter(opts.maxConcurrent, {
      maxQueue: opts.maxQueue,
      clock: this.clock,
      timers: this.timers,
      circuit: this.circuit,
    });
    this.waits = new RetryWaits(this.timers);
    this.modelCache = options.modelCache;
    this.cachePrefix = jsonWithBuffers([opts.maxResponseBytes, opts.tls ?? null, opts.proxy ?? null]);
    this.scrubber = new SecretScrubber(opts.password);
    const channel = {
      operation: this.operation.bind(this),
      post: (model: ServiceModel, op: OperationModel, envelope: string) =>
        this.post(model, op, envelope, undefined, this.loginRequests),
    };
    const login = async () => {
      const r = await logIn(channel, opts);
      this.scrubber.addToken(r.token);
      return r;
    };
    this.tokens = new TokenManager(login, this.clock, {
      refreshMarginMs: opts.refreshMarginMs,
      cooldownMs: opts.loginCooldownMs,
      loginIntervalMs: opts.loginIntervalMs,
      warn: (m) => this.logger?.warn(this.scrubber.text(m)),
      refusals: options.loginRefusals
        ? { registry: options.loginRefusals, key: LoginRefusals.keyOf(this.baseUrl, opts.username) }
        : undefined,
      scrub: (e) => this.scrubber.error(e),
    });
    const session = options.session;
    if (session instanceof Promise) {
      this.tokens.adoptPending(
        session.then((t) => {
          if (t) this.scrubber.addToken(t.token);
          return t;
        }),
      );
    } else if (session) {
      this.scrubber.addToken(session.token);
      this.tokens.adopt(session);
    }
  }

  /**
   * Calls `method` of `service` with `args` (mirroring the operation's input, or the members of
   * its one parameter). The token is found, placed and renewed by the client. With `retry`, a
   * transient failure is followed by another attempt after a back-off; a request that may have
   * reached Cx is repeated only when `retry.safeToRepeat` says the method allows it.
   * @throws CxError with `details.attempts`, and `details.sent` for failures on the way to Cx.
   */
  async call(service: string, method: string, args: unknown, options: CallOptions = {}): Promise<CallResult> {
    if (typeof service !== 'string' || typeof method !== 'string') {
      throw new CxError(
        'CX_BAD_REQUEST',
        'The service and the method must be text, e.g. WSRepairContractorService and GetRepairWorkOrderDetails.',
        { sent: false },
      );
    }
    const started = performance.now();
    const policy = retryPolicy(options.retry);
    let prepared: Promise<Prepared> | undefined;
    const run = withRetries(
      async () => {
        // The WSDL is read (and the request built) once; a failed read is tried again next attempt.
        prepared ??= this.prepare(service, method, args, options.soapHeaders).catch((err) => {
          prepared = undefined;
          throw notSent(err);
        });
        return this.attempt(await prepared, options);
      },
      policy,
      { clock: this.clock, waits: this.waits, onRetry: options.onRetry },
    );
    let done: Awaited<typeof run>;
    try {
      done = await run;
    } catch (err) {
      const e = this.outgoing(err);
      throw e instanceof CxError ? withOutcome(e) : e;
    }
    const { value, attempts } = done;
    return { ...value, attempts, durationMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** Reads the operation and builds the request, so that bad input fails before any queueing. */
  private async prepare(
    service: string,
    method: string,
    args: unknown,
    soapHeaders: CallOptions['soapHeaders'],
  ): Promise<Prepared> {
    const { model, op } = await this.operation(service, method);
    const ctx = { service: model.name, method: op.name };
    const place = this.placeOf(model, op);
    // The token goes in where the marker stands (a NUL can never come from a caller: leaf values refuse it).
    const template = await buildEnvelopeInSlices(op, model.schema, place, TOKEN_MARK, args, ctx, soapHeaders);
    const withToken = (token: string | undefined) =>
      token === undefined ? template : template.replace(TOKEN_MARK, () => escapeText(token));
    return { model, op, ctx, place, withToken };
  }

  /**
   * One attempt: a turn in the queue, then the exchange. Time spent queued counts toward the
   * timeout, so an attempt never lasts longer than the timeout in all.
   */
  private attempt(p: Prepared, options: CallOptions): Promise<Omit<CallResult, 'attempts' | 'durationMs'>> {
    const deadline = this.clock.now() + this.opts.timeoutMs;
    return this.limiter.run(
      async () => {
        const { answer, retried } = await this.exchange(p.model, p.op, p.place, p.withToken, p.ctx, deadline);
        if (answer.fault) {
          if (isActionNotSupported(answer)) this.forgetService(p.model);
          throw faultError(answer, p.ctx);
        }
        if (!options.refusalsAsData && isRefusal(answer.result)) throw refusalError(answer.result, p.ctx);
        return { result: answer.result ?? null, ...(answer.headers ? { headers: answer.headers } : {}), retried };
      },
      { deadline },
    );
  }

  /** Reachability of Cx as this connection sees it, and a way to hear of changes. */
  health(): CxHealth {
    const last = this.circuit.lastFailure();
    return {
      state: this.circuit.state(),
      retryInMs: this.circuit.retryInMs(),
      lastFailure: last ? `${last.code}${last.details.status ? ` ${last.details.status}` : ''}` : undefined,
    };
  }

  /** Calls holding a slot, waiting for one, and waiting to try again. */
  load(): { inFlight: number; queued: number; retrying: number } {
    return { inFlight: this.limiter.active, queued: this.limiter.queued, retrying: this.waits.size };
  }

  /** Calls `fn` whenever `health()` changes; returns the function that stops it. */
  onHealthChange(fn: (health: CxHealth) => void): () => void {
    return this.circuit.onChange(() => fn(this.health()));
  }

  /** The shared token (logging in if needed), or a fresh one with `refresh`. */
  async token(options: { refresh?: boolean } = {}): Promise<TokenInfo> {
    try {
      const t = await this.tokens.get({ force: options.refresh === true });
      return { token: t.token, expiry: t.expiry === undefined ? null : new Date(t.expiry).toISOString() };
    } catch (err) {
      throw this.outgoing(err);
    }
  }

  /** The operation names of a service, read from its WSDL. */
  async operations(service: string): Promise<string[]> {
    try {
      return [...(await this.service(service)).operations.keys()].sort();
    } catch (err) {
      throw this.outgoing(err);
    }
  }

  /** A JSON skeleton of an operation's input, members in schema order, token left out. */
  async template(service: string, method: string): Promise<Record<string, unknown>> {
    try {
      const { model, op } = await this.operation(service, method);
      return buildTemplate(op, model.schema, this.placeOf(model, op));
    } catch (err) {
      throw this.outgoing(err);
    }
  }

  /**
   * Everything the editor's Request template shows: the payload and `soapHeaders` skeletons, a
   * skeleton per derived type a member may take, and the answer's shape (README, Messages).
   */
  async templates(service: string, method: string): Promise<OperationTemplates> {
    try {
      const { model, op } = await this.operation(service, method);
      return buildOperationTemplates(op, model.schema, this.placeOf(model, op));
    } catch (err) {
      throw this.outgoing(err);
    }
  }

  /**
   * A JSON skeleton of an operation's SOAP header parts (for `soapHeaders` / `msg.soapHeaders`), the
   * token header left out; `{}` when it declares none.
   */
  async headersTemplate(service: string, method: string): Promise<Record<string, unknown>> {
    const { model, op } = await this.operation(service, method);
    return buildHeadersTemplate(op, model.schema, this.placeOf(model, op));
  }

  /**
   * For the connection that replaces this one with the same settings and credentials: the
   * current token if it is still fresh, or, when a login is in flight, a promise of its token
   * (Cx limits concurrent logins per user: a redeploy should not cost one). Call before `close()`.
   */
  handOver(): TokenHandOver | undefined {
    if (this.closed) return undefined;
    return this.tokens.snapshot() ?? this.tokens.handOverPending();
  }

  /**
   * Ends calls in flight (CX_CLOSED), drops queued ones, frees sockets. Idempotent. A login
   * handed over by `handOver()` is left to finish (within the timeout), then its socket goes too.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.waits.close();
    this.limiter.close();
    this.circuit.close();
    this.tokens.close();
    this.transport.close();
    const login = this.tokens.loginInFlight;
    if (login && this.tokens.handingOverLogin) {
      const done = () => this.loginTransport.close();
      login.then(done, done);
    } else {
      this.loginTransport.close();
    }
    this.services.clear();
    this.loaded.clear();
  }

  /** What leaves the client: a CxError with the connection's password and tokens removed. */
  private outgoing(err: unknown): unknown {
    return err instanceof CxError ? this.scrubber.error(err) : err;
  }

  /**
   * Sends one request with the shared token; when Cx answers that the token is invalid, drops it,
   * takes a fresh one and sends once more (never twice).
   * @throws CxError `CX_TOKEN_INVALID` when the fresh token is rejected too.
   */
  private async exchange(
    model: ServiceModel,
    op: OperationModel,
    place: ResolvedTokenPlace,
    withToken: (token: string | undefined) => string,
    ctx: { service: string; method: string },
    deadline: number,
  ): Promise<{ answer: SoapAnswer; retried: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const token =
        place.kind === 'none'
          ? undefined
          : ((attempt === 0 ? this.tokens.ready()?.token : undefined) ??
            (await this.tokenBefore(deadline, attempt > 0)));
      const left = deadline - this.clock.now();
      if (left <= 0) throw outOfTime(this.opts.timeoutMs);
      if (this.closed) throw closedError('before-send');
      const answer = await this.post(model, op, withToken(token), left);
      if (token === undefined || !isInvalidTokenFault(answer, this.invalidToken))
        return { answer, retried: attempt > 0 };
      if (attempt > 0) {
        // Cx does not act on a request whose token it rejects: safe to send again, later.
        const err = tokenRejectedError(answer, ctx, this.opts.loginCooldownMs);
        this.tokens.rejectedAfterLogin(token, err);
        throw new CxError(err.code, err.message, { ...err.details, sent: false });
      }
      this.tokens.invalidate(token);
    }
  }

  /**
   * The shared token, waited for no later than the call's deadline. The login is shared by every
   * call waiting for it, so it goes on; this call alone gives up. Either way the call was not sent.
   */
  private tokenBefore(deadline: number, afterInvalid: boolean): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const cancel = this.timers.after(deadline - this.clock.now(), () => reject(outOfTime(this.opts.timeoutMs)));
      this.tokens.get({ afterInvalid }).then(
        (t) => {
          cancel();
          resolve(t.token);
        },
        (err) => {
          cancel();
          reject(notSent(err));
        },
      );
    });
  }

  private async operation(service: string, method: string): Promise<{ model: ServiceModel; op: OperationModel }> {
    const model = await this.service(service);
    if (typeof method !== 'string' || method.trim() === '') {
      throw new CxError(
        'CX_UNKNOWN_METHOD',
        `No method given for ${model.name}. Set the node's method or msg.method.`,
        { service: model.name },
      );
    }
    const name = method.trim();
    let op = model.operations.get(name);
    if (!op) {
      const ci = [...model.operations.values()].filter((o) => o.name.toLowerCase() === name.toLowerCase());
      if (ci.length === 1) op = ci[0];
    }
    if (!op) {
      const all = [...model.operations.keys()].sort();
      const near = all.filter((n) => n.toLowerCase().includes(name.toLowerCase().slice(0, 6)));
      throw new CxError(
        'CX_UNKNOWN_METHOD',
        `${model.name} has no method "${name.slice(0, 100)}".${near.length ? ` Similar: ${near.slice(0, 10).join(', ')}.` : ''} It has ${all.length} methods${all.length <= 30 ? `: ${all.join(', ')}` : ''}.`,
        { service: model.name, method: name.slice(0, 100), validNames: all.slice(0, 200) },
      );
    }
    return { model, op };
  }

  private service(service: string): Promise<ServiceModel> {
    if (this.closed) return Promise.reject(closedError('before-send'));
    if (typeof service !== 'string' || !SERVICE_NAME.test(service.trim())) {
      return Promise.reject(
        new CxError(
          'CX_UNKNOWN_SERVICE',
          `"${String(service).slice(0, 60)}" is not a Cx service name. Use a name such as WSRepairContractorService (set the node's service or msg.service).`,
          { service: String(service).slice(0, 60) },
        ),
      );
    }
    const name = service.trim();
    const key = name.toLowerCase();
    let p = this.services.get(key);
    if (!p) {
      const url = this.serviceUrl(name);
      const cacheKey = `${this.cachePrefix}|${url.href}`;
      const cached = this.modelCache?.get(cacheKey);
      p = cached ? Promise.resolve(cached) : loadServiceModel(this.requests, name, url);
      this.services.set(key, p);
      p.then(
        (model) => {
          if (this.services.get(key) === p) this.loaded.set(key, model);
          if (!cached) this.modelCache?.set(cacheKey, model);
        },
        // A failed load is not cached: the next call tries again (Cx may have been restarting).
        () => {
          if (this.services.get(key) === p) this.services.delete(key);
        },
      );
    }
    return p;
  }

  /**
   * Forgets a service's WSDL (here and in the shared cache) after ActionNotSupported, unless it
   * has been read again since `stale` was: the calls that met the fault together cause one reload.
   */
  private forgetService(stale: ServiceModel): void {
    const key = stale.name.toLowerCase();
    if (this.loaded.get(key) === stale) {
      this.services.delete(key);
      this.loaded.delete(key);
    }
    const cacheKey = `${this.cachePrefix}|${this.serviceUrl(stale.name).href}`;
    if (this.modelCache?.get(cacheKey) === stale) this.modelCache.delete(cacheKey);
  }

  private serviceUrl(service: string): URL {
    let u = this.urls.get(service);
    if (u) return u;
    // Bounded: only names of services whose WSDL was read reach here on the hot path.
    if (this.urls.size >= 1000) this.urls.clear();
    u = new URL(this.baseUrl.href);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/webservice/${service.toLowerCase()}`;
    this.urls.set(service, u);
    return u;
  }

  private placeOf(model: ServiceModel, op: OperationModel): ResolvedTokenPlace {
    let place = this.places.get(op);
    if (!place) {
      place = resolveTokenPlace(
        op,
        model.schema,
        this.opts.tokenPlacement,
        this.opts.tokenName,
        { service: model.name, method: op.name },
        (m) => this.logger?.log?.(this.scrubber.text(m)),
      );
      this.places.set(op, place);
    }
    return place;
  }

  private post(
    model: ServiceModel,
    op: OperationModel,
    envelope: string,
    timeoutMs?: number,
    via: Pick<HttpTransport, 'send'> = this.requests,
  ): Promise<SoapAnswer> {
    const url = this.serviceUrl(model.name);
    return via.send(
      {
        method: 'POST',
        url,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${op.soapAction}"` },
        body: envelope,
        timeoutMs,
      },
      soapAnswerHandler(model.schema, op.output, {
        service: model.name,
        method: op.name,
        host: url.host,
        wrapper: op.output?.wrapper,
      }),
    );
  }
}
