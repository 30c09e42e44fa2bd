import { CxError } from './errors';
import { DEFAULT_MAX_QUEUE } from './limiter';
import type { ProxyOptions, TlsOptions } from './http-transport';
import type { CircuitSettings } from './circuit';
import type { Clock } from './clock';
import type { Timers } from './timers';
import type { ServiceModelCache } from './model-cache';
import type { TokenPlacementSetting } from './token-placement';
import type { LoginRefusals } from './login-refusals';

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
  /** Calls that may wait for a free slot; one more fails at once with CX_BUSY. Default 10,000. */
  maxQueue?: number;
  /** Largest answer accepted (decompressed), bytes. Default 50 MB. */
  maxResponseBytes?: number;
  /** Fault text that means "get a new token and send again". Case-insensitive regex source. */
  invalidTokenPattern?: string;
  /** Where the token goes; `auto` reads it from the WSDL. Default `auto`. */
  tokenPlacement?: TokenPlacementSetting;
  /** Name of the token element, header or parameter (case-insensitive). Default `Token`. */
  tokenName?: string;
  /**
   * After a refused login, or a fresh token that Cx rejects, no new login for this long, ms.
   * Default 60,000.
   */
  loginCooldownMs?: number;
  /**
   * Never two logins closer than this, ms, whatever TokenExpiry says (a login forced by an
   * invalid-token fault excepted, once per call); also the pause after a login that failed.
   * Default 10,000; at least 1,000.
   */
  loginIntervalMs?: number;
  loginService?: string;
  loginMethod?: string;
  tls?: TlsOptions;
  proxy?: ProxyOptions;
  clock?: Clock;
  /** Timers for back-off, queue deadlines and fail-fast intervals (tests pass fake ones). */
  timers?: Timers;
  /** When to fail fast while Cx is down (README "Retries, back-off and the queue"). */
  failFast?: CircuitSettings;
  /** Parsed WSDLs shared with other connections (e.g. across a Node-RED redeploy). */
  modelCache?: ServiceModelCache;
  /**
   * A token handed over by the connection this one replaces (same settings and credentials, see
   * `handOver()`), so that a redeploy does not log in again; a promise when a login was in flight.
   */
  session?: TokenHandOver;
  /**
   * Refused logins shared by the connections of one runtime (redeploys, Test connection): a
   * refusal for the same URL and user is waited out here too.
   */
  loginRefusals?: LoginRefusals;
  /** Where the client reports what an operator should know (an expiry it ignores, a token member it guessed). */
  logger?: CxLogger;
}

/** A Node-RED node fits: `{ warn: (m) => node.warn(m), log: (m) => node.log(m) }`. Never given a secret. */
export interface CxLogger {
  warn(message: string): void;
  log?(message: string): void;
}

/** What `handOver()` gives: the token, or a promise of the one a login in flight will bring. */
export type TokenHandOver = TokenSession | Promise<TokenSession | undefined>;

/** A token with what is known of its life; only ever passed between connections of one owner. */
export interface TokenSession {
  token: string;
  expiry?: number;
  obtainedAt: number;
}

/** The settings with every default filled in and every value checked. */
export type ResolvedOptions = Required<
  Omit<
    CxClientOptions,
    'tls' | 'proxy' | 'clock' | 'timers' | 'failFast' | 'modelCache' | 'session' | 'loginRefusals' | 'logger'
  >
> &
  Pick<CxClientOptions, 'tls' | 'proxy'>;

/**
 * Matches Cx's "Exception Message:Access denied – Invalid token" with any dash and any case.
 * Written so that it cannot backtrack: between "denied" and "invalid" one character class, never
 * two optional runs that could split the same spaces many ways (README "Reliability and security").
 */
export const DEFAULT_INVALID_TOKEN_PATTERN = 'access\\s*denied[\\s\\-\\u2010-\\u2015\\u2212:]*invalid\\s*token';

/** setTimeout's largest delay; a longer one fires at once (Node warns and uses 1 ms). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const PLACEMENTS: readonly TokenPlacementSetting[] = ['auto', 'header', 'parameter', 'member', 'none'];

/**
 * Checks the settings and fills in the defaults.
 * @throws CxError `CX_CONFIG` when the settings cannot work (no URL, no scheme, bad pattern).
 */
export function resolveOptions(options: CxClientOptions): {
  baseUrl: URL;
  opts: ResolvedOptions;
  invalidToken: RegExp;
} {
  const baseUrl = parseBaseUrl(options.url);
  const opts: ResolvedOptions = {
    url: options.url,
    username: options.username ?? '',
    password: options.password ?? '',
    timeoutMs: num(options.timeoutMs, 30000, 1, 'timeout', MAX_TIMER_MS),
    refreshMarginMs: num(options.refreshMarginMs, 60000, 0, 'refresh margin', MAX_TIMER_MS),
    maxConcurrent: Math.floor(num(options.maxConcurrent, 8, 1, 'maximum concurrent calls')),
    maxQueue: Math.floor(num(options.maxQueue, DEFAULT_MAX_QUEUE, 1, 'queue limit')),
    maxResponseBytes: num(options.maxResponseBytes, 50 * 1024 * 1024, 1024, 'maximum response size'),
    invalidTokenPattern: options.invalidTokenPattern || DEFAULT_INVALID_TOKEN_PATTERN,
    tokenPlacement: options.tokenPlacement ?? 'auto',
    tokenName: options.tokenName || 'Token',
    loginCooldownMs: num(options.loginCooldownMs, 60000, 0, 'login cool-down', MAX_TIMER_MS),
    loginIntervalMs: num(options.loginIntervalMs, 10000, 1000, 'minimum time between logins', MAX_TIMER_MS),
    loginService: options.loginService || 'WSTokenService',
    loginMethod: options.loginMethod || 'GetUserWSToken',
    tls: options.tls,
    proxy: options.proxy,
  };
  if (!PLACEMENTS.includes(opts.tokenPlacement)) {
    throw new CxError(
      'CX_CONFIG',
      'The token placement setting is not one of auto, header, parameter, member or none; choose one in the Cx connection.',
    );
  }
  let invalidToken: RegExp;
  try {
    invalidToken = new RegExp(opts.invalidTokenPattern, 'i');
  } catch {
    throw new CxError(
      'CX_CONFIG',
      "The invalid-token pattern is not a valid regular expression. Fix it in the Cx connection's advanced settings, or leave it empty for the default.",
    );
  }
  return { baseUrl, opts, invalidToken };
}

function num(v: number | undefined, def: number, min: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
    throw new CxError(
      'CX_CONFIG',
      `The setting ${name} must be a number of at least ${min}; correct it in the Cx connection, or leave it empty for the default.`,
    );
  }
  if (v > max) {
    throw new CxError(
      'CX_CONFIG',
      `The setting ${name} must be at most ${max === MAX_TIMER_MS ? `${max} ms (about 24 days), the longest timer Node.js can set` : max}; correct it in the Cx connection, or leave it empty for the default.`,
    );
  }
  return v;
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
    // The setting's text is not repeated: it may have come from an environment variable.
    const ref = /^\$\{([A-Za-z_][A-Za-z0-9_]{0,99})\}$/.exec(url.trim());
    if (ref) {
      throw new CxError(
        'CX_CONFIG',
        `The Cx base URL refers to the environment variable ${ref[1]}, which is not set. Set ${ref[1]} in the environment Node-RED starts with (or in the flow's or group's environment), or type the URL, e.g. https://mysite.civica-cx.co.uk/cx`,
      );
    }
    throw new CxError(
      'CX_CONFIG',
      'The Cx base URL setting is not a URL. It needs a scheme and a host, e.g. https://mysite.civica-cx.co.uk/cx',
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
