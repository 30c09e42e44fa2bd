import { systemClock } from './clock';
import { CxError, closedError } from './errors';
import { buildEnvelope, escapeText } from './envelope';
import { faultError, isActionNotSupported, isRefusal, refusalError, tokenRejectedError } from './faults';
import { HttpTransport } from './http-transport';
import { Limiter } from './limiter';
import { logIn } from './login';
import { SoapAnswer, soapAnswerHandler } from './response-reader';
import type { OperationModel, ServiceModel } from './service-model';
import { buildTemplate } from './template';
import { TokenManager } from './token-manager';
import { ResolvedTokenPlace, resolveTokenPlace } from './token-placement';
import { loadServiceModel } from './wsdl-loader';
import { jsonWithBuffers } from './json-key';
import { ServiceModelCache } from './model-cache';
import { CxClientOptions, ResolvedOptions, TokenSession, resolveOptions } from './client-options';

export { DEFAULT_INVALID_TOKEN_PATTERN } from './client-options';
export type { CxClientOptions, TokenSession } from './client-options';

export interface CallOptions {
  /** Return `IsValid: false` answers as data instead of failing with CX_REFUSED. */
  refusalsAsData?: boolean;
}

export interface CallResult {
  result: unknown;
  /** Whether the call met an invalid token and was sent a second time. */
  retried: boolean;
  durationMs: number;
}

export interface TokenInfo {
  token: string;
  /** TokenExpiry as an ISO-8601 text, or null when Cx sent none that could be read. */
  expiry: string | null;
}

const TOKEN_MARK = '\u0000cx-token\u0000';
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

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
  private readonly limiter: Limiter;
  private readonly tokens: TokenManager;
  private readonly invalidToken: RegExp;
  private readonly services = new Map<string, Promise<ServiceModel>>();
  private readonly places = new WeakMap<OperationModel, ResolvedTokenPlace>();
  private closed = false;

  /** @throws CxError `CX_CONFIG` when the settings cannot work (no URL, no scheme, bad pattern). */
  constructor(options: CxClientOptions) {
    const { baseUrl, opts, invalidToken } = resolveOptions(options);
    this.baseUrl = baseUrl;
    this.opts = opts;
    this.invalidToken = invalidToken;
    this.transport = new HttpTransport(
      {
        timeoutMs: opts.timeoutMs,
        maxResponseBytes: opts.maxResponseBytes,
        // One socket per concurrent call, plus one for a login or WSDL fetch beside them.
        maxSockets: opts.maxConcurrent + 1,
        tls: opts.tls,
        proxy: opts.proxy,
      },
      this.baseUrl,
    );
    this.limiter = new Limiter(opts.maxConcurrent);
    this.modelCache = options.modelCache;
    this.cachePrefix = jsonWithBuffers([opts.maxResponseBytes, opts.tls ?? null, opts.proxy ?? null]);
    const channel = { operation: this.operation.bind(this), post: this.post.bind(this) };
    this.tokens = new TokenManager(() => logIn(channel, opts), options.clock ?? systemClock, {
      refreshMarginMs: opts.refreshMarginMs,
      cooldownMs: opts.loginCooldownMs,
    });
    if (options.session) this.tokens.adopt(options.session);
  }

  /**
   * Calls `method` of `service` with `args` (mirroring the operation's input, or the members of
   * its one parameter). The token is found, placed and renewed by the client.
   */
  async call(service: string, method: string, args: unknown, options: CallOptions = {}): Promise<CallResult> {
    const started = performance.now();
    const { model, op } = await this.operation(service, method);
    const ctx = { service: model.name, method: op.name };
    const place = this.placeOf(model, op);
    // Built once, before any login or queueing, so that bad input fails first; the token goes in
    // where the marker stands (a NUL can never come from a caller: leaf values refuse it).
    const template = buildEnvelope(op, model.schema, place, TOKEN_MARK, args, ctx);
    const withToken = (token: string | undefined) =>
      token === undefined ? template : template.replace(TOKEN_MARK, () => escapeText(token));

    return this.limiter.run(async () => {
      const { answer, retried } = await this.exchange(model, op, place, withToken, ctx);
      if (answer.fault) {
        if (isActionNotSupported(answer)) this.forgetService(model.name);
        throw faultError(answer, ctx);
      }
      if (!options.refusalsAsData && isRefusal(answer.result)) throw refusalError(answer.result, ctx);
      return {
        result: answer.result ?? null,
        retried,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      };
    });
  }

  /** The shared token (logging in if needed), or a fresh one with `refresh`. */
  async token(options: { refresh?: boolean } = {}): Promise<TokenInfo> {
    const t = await this.tokens.get(options.refresh === true);
    return { token: t.token, expiry: t.expiry === undefined ? null : new Date(t.expiry).toISOString() };
  }

  /** The operation names of a service, read from its WSDL. */
  async operations(service: string): Promise<string[]> {
    return [...(await this.service(service)).operations.keys()].sort();
  }

  /** A JSON skeleton of an operation's input, members in schema order, token left out. */
  async template(service: string, method: string): Promise<Record<string, unknown>> {
    const { model, op } = await this.operation(service, method);
    return buildTemplate(op, model.schema, this.placeOf(model, op));
  }

  /**
   * The current token, if it is still fresh, for the connection that replaces this one with the
   * same settings and credentials (Cx limits concurrent logins per user: a redeploy should not
   * cost one). Call before `close()`.
   */
  handOver(): TokenSession | undefined {
    return this.closed ? undefined : this.tokens.snapshot();
  }

  /** Ends calls in flight (CX_CLOSED), drops queued ones, frees sockets. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.limiter.close();
    this.tokens.close();
    this.transport.close();
    this.services.clear();
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
  ): Promise<{ answer: SoapAnswer; retried: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const token = place.kind === 'none' ? undefined : (await this.tokens.get()).token;
      const answer = await this.post(model, op, withToken(token));
      if (!answer.fault || token === undefined || !this.invalidToken.test(answer.fault.string))
        return { answer, retried: attempt > 0 };
      this.tokens.invalidate(token);
      if (attempt > 0) throw tokenRejectedError(answer, ctx);
    }
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
      p = cached ? Promise.resolve(cached) : loadServiceModel(this.transport, name, url);
      this.services.set(key, p);
      p.then(
        (model) => {
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

  /** Forgets a service's WSDL (here and in the shared cache), e.g. after ActionNotSupported. */
  private forgetService(service: string): void {
    this.services.delete(service.toLowerCase());
    this.modelCache?.delete(`${this.cachePrefix}|${this.serviceUrl(service).href}`);
  }

  private serviceUrl(service: string): URL {
    const u = new URL(this.baseUrl.href);
    u.pathname = `${u.pathname.replace(/\/+$/, '')}/webservice/${service.toLowerCase()}`;
    return u;
  }

  private placeOf(model: ServiceModel, op: OperationModel): ResolvedTokenPlace {
    let place = this.places.get(op);
    if (!place) {
      place = resolveTokenPlace(op, model.schema, this.opts.tokenPlacement, this.opts.tokenName, {
        service: model.name,
        method: op.name,
      });
      this.places.set(op, place);
    }
    return place;
  }

  private post(model: ServiceModel, op: OperationModel, envelope: string): Promise<SoapAnswer> {
    const url = this.serviceUrl(model.name);
    return this.transport.send(
      {
        method: 'POST',
        url,
        headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: `"${op.soapAction}"` },
        body: envelope,
      },
      soapAnswerHandler(model.schema, op.output?.result, { service: model.name, method: op.name, host: url.host }),
    );
  }
}
