import { Clock, systemClock } from './clock';
import { CxError } from './errors';
import { buildEnvelope, escapeText } from './envelope';
import { HttpTransport, ProxyOptions, TlsOptions } from './http-transport';
import { Limiter } from './limiter';
import { SoapAnswer, soapAnswerHandler } from './response-reader';
import type { OperationModel, ServiceModel } from './service-model';
import { buildTemplate } from './template';
import { parseTokenExpiry } from './token-expiry';
import { TokenManager } from './token-manager';
import { ResolvedTokenPlace, TokenPlacementSetting, resolveTokenPlace } from './token-placement';
import { loadServiceModel } from './wsdl-loader';
import { ServiceModelCache } from './model-cache';

export interface CxClientOptions {
  /** Base URL of the Cx instance, e.g. `https://mysite.civica-cx.co.uk/cx`. */
  url: string;
  username: string;
  password: string;
  /** Deadline for one HTTP exchange, ms. Default 30,000. */
  timeoutMs?: number;
  /** Log in again this long before TokenExpiry, ms. Default 60,000. */
  refreshMarginMs?: number;
  /** Calls in flight at once; the rest queue in order. Default 8. */
  maxConcurrent?: number;
  /** Largest answer accepted (decompressed), bytes. Default 50 MB. */
  maxResponseBytes?: number;
  /** Fault text that means "get a new token and send again". Case-insensitive regex source. */
  invalidTokenPattern?: string;
  /** Where the token goes; `auto` reads it from the WSDL. Default `auto`. */
  tokenPlacement?: TokenPlacementSetting;
  /** Name of the token element, header or parameter (case-insensitive). Default `Token`. */
  tokenName?: string;
  /** After a refused login, no new login for this long, ms. Default 60,000. */
  loginCooldownMs?: number;
  loginService?: string;
  loginMethod?: string;
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  clock?: Clock;
  /** Parsed WSDLs shared with other connections (e.g. across a Node-RED redeploy). */
  modelCache?: ServiceModelCache;
  /**
   * A token handed over by the connection this one replaces (same settings and credentials, see
   * `handOver()`), so that a redeploy does not log in again.
   */
  session?: TokenSession;
}

/** A token with what is known of its life; only ever passed between connections of one owner. */
export interface TokenSession {
  token: string;
  expiry?: number;
  obtainedAt: number;
}

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

/** Matches Cx's "Exception Message:Access denied – Invalid token" with any dash and any case. */
export const DEFAULT_INVALID_TOKEN_PATTERN = 'access\\s*denied\\s*[-\\u2010-\\u2015\\u2212:]?\\s*invalid\\s*token';
const TOKEN_MARK = '\u0000cx-token\u0000';
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * A connection to one Cx instance with one set of credentials: one shared token, one WSDL model
 * per service, one keep-alive socket pool and one concurrency cap. No Node-RED in here.
 */
export class CxClient {
  readonly baseUrl: URL;
  private readonly opts: Required<Omit<CxClientOptions, 'tls' | 'proxy' | 'clock' | 'modelCache' | 'session'>> &
    Pick<CxClientOptions, 'tls' | 'proxy'>;
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
    this.baseUrl = parseBaseUrl(options.url);
    const num = (v: number | undefined, def: number, min: number, name: string) => {
      if (v === undefined || v === null) return def;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
        throw new CxError(
          'CX_CONFIG',
          `The setting ${name} must be a number of at least ${min}; correct it in the Cx connection, or leave it empty for the default.`,
        );
      }
      return v;
    };
    this.opts = {
      url: options.url,
      username: options.username ?? '',
      password: options.password ?? '',
      timeoutMs: num(options.timeoutMs, 30000, 1, 'timeout'),
      refreshMarginMs: num(options.refreshMarginMs, 60000, 0, 'refresh margin'),
      maxConcurrent: Math.floor(num(options.maxConcurrent, 8, 1, 'maximum concurrent calls')),
      maxResponseBytes: num(options.maxResponseBytes, 50 * 1024 * 1024, 1024, 'maximum response size'),
      invalidTokenPattern: options.invalidTokenPattern || DEFAULT_INVALID_TOKEN_PATTERN,
      tokenPlacement: options.tokenPlacement ?? 'auto',
      tokenName: options.tokenName || 'Token',
      loginCooldownMs: num(options.loginCooldownMs, 60000, 0, 'login cool-down'),
      loginService: options.loginService || 'WSTokenService',
      loginMethod: options.loginMethod || 'GetUserWSToken',
      tls: options.tls,
      proxy: options.proxy,
    };
    if (!['auto', 'header', 'parameter', 'member', 'none'].includes(this.opts.tokenPlacement)) {
      throw new CxError(
        'CX_CONFIG',
        `Unknown token placement "${this.opts.tokenPlacement}"; use auto, header, parameter, member or none.`,
      );
    }
    try {
      this.invalidToken = new RegExp(this.opts.invalidTokenPattern, 'i');
    } catch {
      throw new CxError(
        'CX_CONFIG',
        "The invalid-token pattern is not a valid regular expression. Fix it in the Cx connection's advanced settings, or leave it empty for the default.",
      );
    }
    this.transport = new HttpTransport(
      {
        timeoutMs: this.opts.timeoutMs,
        maxResponseBytes: this.opts.maxResponseBytes,
        // One socket per concurrent call, plus one for a login or WSDL fetch beside them.
        maxSockets: this.opts.maxConcurrent + 1,
        tls: this.opts.tls,
        proxy: this.opts.proxy,
      },
      this.baseUrl,
    );
    this.limiter = new Limiter(this.opts.maxConcurrent);
    this.modelCache = options.modelCache;
    this.cachePrefix = JSON.stringify(
      [this.opts.maxResponseBytes, this.opts.tls ?? null, this.opts.proxy ?? null],
      (_k, v) => (Buffer.isBuffer(v) ? v.toString('base64') : v),
    );
    this.tokens = new TokenManager(() => this.login(), options.clock ?? systemClock, {
      refreshMarginMs: this.opts.refreshMarginMs,
      cooldownMs: this.opts.loginCooldownMs,
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
      let retried = false;
      let answer: SoapAnswer | undefined;
      for (let attempt = 0; attempt < 2; attempt++) {
        const token = place.kind === 'none' ? undefined : (await this.tokens.get()).token;
        answer = await this.post(model, op, withToken(token));
        if (answer.fault && token !== undefined && this.invalidToken.test(answer.fault.string)) {
          this.tokens.invalidate(token);
          if (attempt === 0) {
            retried = true;
            continue;
          }
          throw new CxError(
            'CX_TOKEN_INVALID',
            `Cx rejected the token for ${ctx.service}.${ctx.method} even after a fresh login. Check that the API user's role allows this service, and the token placement setting.`,
            { ...ctx, status: answer.status, faultCode: answer.fault.code, faultString: answer.fault.string },
          );
        }
        break;
      }
      const a = answer as SoapAnswer;
      if (a.fault) {
        if (/ActionNotSupported/i.test(a.fault.code)) this.forgetService(model.name);
        throw faultError(a, ctx);
      }
      if (!options.refusalsAsData && isRefusal(a.result)) {
        const reason = String((a.result as Record<string, unknown>).InvalidReason ?? '').trim();
        throw new CxError(
          'CX_REFUSED',
          `Cx refused ${ctx.service}.${ctx.method}: ${sentence(reason || 'IsValid is false and no reason was given')}`,
          { ...ctx, invalidReason: reason, result: a.result },
        );
      }
      return { result: a.result ?? null, retried, durationMs: Math.round((performance.now() - started) * 10) / 10 };
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
    if (this.closed)
      return Promise.reject(new CxError('CX_CLOSED', 'The Cx connection was closed (redeploy or shutdown).'));
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

  private async login() {
    if (!this.opts.username || !this.opts.password) {
      throw new CxError(
        'CX_CONFIG',
        'No Cx username or password is set. Enter both in the Cx connection (config node) credentials.',
      );
    }
    const { model, op } = await this.operation(this.opts.loginService, this.opts.loginMethod);
    const ctx = { service: model.name, method: op.name };
    const none: ResolvedTokenPlace = { kind: 'none' };
    const args = loginArgs(op, model, this.opts.username, this.opts.password);
    const answer = await this.post(model, op, buildEnvelope(op, model.schema, none, undefined, args, ctx));
    const hint =
      'Check the user name and password in Cx (a Security User with "API user" ticked). To avoid locking the account, no new login is tried for';
    const cooldown = `${Math.round(this.opts.loginCooldownMs / 1000)} s`;
    if (answer.fault) {
      throw new CxError(
        'CX_LOGIN_FAILED',
        `Cx refused the login with a fault: ${sentence(answer.fault.string || answer.fault.code || 'no reason given')} ${hint} ${cooldown}.`,
        { ...ctx, status: answer.status, faultCode: answer.fault.code, faultString: answer.fault.string },
      );
    }
    const r = (answer.result ?? {}) as Record<string, unknown>;
    if (r.IsValid !== true || typeof r.Token !== 'string' || r.Token === '') {
      const reason = typeof r.InvalidReason === 'string' && r.InvalidReason ? r.InvalidReason : 'no token was returned';
      throw new CxError(
        'CX_LOGIN_FAILED',
        `Cx refused the login of "${this.opts.username}": ${sentence(reason)} ${hint} ${cooldown}.`,
        { ...ctx, invalidReason: reason },
      );
    }
    const expiryText = typeof r.TokenExpiry === 'string' ? r.TokenExpiry : undefined;
    return { token: r.Token, expiry: parseTokenExpiry(expiryText), expiryText };
  }
}

/**
 * The login request's members as this WSDL spells them: `UserName` and `Password` in Cx
 * (cx-facts), matched without regard to case or a `Login`/`User` prefix so that a service that
 * says `Username` or `LoginPassword` still works.
 */
export function loginArgs(
  op: OperationModel,
  model: ServiceModel,
  username: string,
  password: string,
): Record<string, string> {
  const param = op.params.length === 1 ? model.schema.type(op.params[0].type) : undefined;
  const names = param?.kind === 'complex' ? model.schema.membersOf(param).map((m) => m.name) : [];
  const user = names.find((n) => /^(login)?user_?name$/i.test(n)) ?? names.find((n) => /user/i.test(n)) ?? 'UserName';
  const pass =
    names.find((n) => /^(login|user)?password$/i.test(n)) ?? names.find((n) => /pass/i.test(n)) ?? 'Password';
  return { [user]: username, [pass]: password };
}

/** Cx's own texts often end in a full stop already ("Invalid login. Please try again."). */
function sentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

function parseBaseUrl(url: unknown): URL {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new CxError(
      'CX_CONFIG',
      'No Cx base URL is set. Enter it in the Cx connection, e.g. https://mysite.civica-cx.co.uk/cx',
    );
  }
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new CxError(
      'CX_CONFIG',
      `The Cx base URL "${url.slice(0, 100)}" is not a URL. It needs a scheme, e.g. https://mysite.civica-cx.co.uk/cx`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new CxError(
      'CX_CONFIG',
      `The Cx base URL must start with https:// (or http://), not ${u.protocol}//. Example: https://mysite.civica-cx.co.uk/cx`,
    );
  }
  if (u.username || u.password) {
    throw new CxError(
      'CX_CONFIG',
      "The Cx base URL must not contain a user name or password; use the connection's credentials.",
    );
  }
  u.search = '';
  u.hash = '';
  return u;
}

function isRefusal(result: unknown): boolean {
  return (
    !!result &&
    typeof result === 'object' &&
    !Array.isArray(result) &&
    (result as Record<string, unknown>).IsValid === false
  );
}

function faultError(a: SoapAnswer, ctx: { service: string; method: string }): CxError {
  const f = a.fault as NonNullable<SoapAnswer['fault']>;
  let hint: string;
  if (/ActionNotSupported/i.test(f.code))
    hint =
      " The service does not accept this operation's SOAPAction: its WSDL may have changed, and will be read again on the next call.";
  else if (/DeserializationFailed/i.test(f.code))
    hint = ' Cx could not read a value in the request: check the types in msg.payload.';
  else if (/(^|:)(Server|Receiver)$|InternalServiceFault/i.test(f.code))
    hint =
      ' Cx failed while handling it: try again later, and if it persists ask your Cx administrator, quoting this fault.';
  else
    hint =
      " Check the arguments against the method's request (the Request template shows them); if they are right, ask your Cx administrator, quoting this fault.";
  return new CxError(
    'CX_FAULT',
    `Cx answered ${ctx.service}.${ctx.method} with a fault: ${sentence(f.string || f.code || 'no fault text')}${hint}`,
    { ...ctx, status: a.status, faultCode: f.code, faultString: f.string, faultDetail: f.detail.slice(0, 500) },
  );
}
