import { CxError } from './errors';

/** What a cx-call node (or a caller of the client) asks for. README "Retries, back-off and the queue". */
export interface RetrySettings {
  /** Attempts in all, the first included; 1 (the default) means no retry. At most 10. */
  attempts?: number;
  /** No new attempt starts later than this after the first one began, ms. Default 60,000. */
  maxTotalMs?: number;
  /**
   * The user's word that the method changes nothing (or that repeating it is harmless). Without
   * it only requests that certainly never reached Cx are sent again.
   */
  safeToRepeat?: boolean;
}

export interface RetryPolicy {
  attempts: number;
  maxTotalMs: number;
  safeToRepeat: boolean;
  /** First back-off, ms; doubles per retry. */
  baseDelayMs: number;
  /** Longest back-off between two attempts, ms (a longer Retry-After ends the retries). */
  maxDelayMs: number;
}

export const RETRY_DEFAULTS: Readonly<RetryPolicy> = {
  attempts: 1,
  maxTotalMs: 60000,
  safeToRepeat: false,
  baseDelayMs: 1000,
  maxDelayMs: 30000,
};
export const MAX_ATTEMPTS = 10;
const MAX_TOTAL_MS = 3600000;

/** @throws CxError `CX_CONFIG` for attempts outside 1..10 or a total time outside 0..1 h. */
export function retryPolicy(settings: RetrySettings = {}): RetryPolicy {
  const attempts = settings.attempts ?? RETRY_DEFAULTS.attempts;
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1 || attempts > MAX_ATTEMPTS) {
    throw new CxError(
      'CX_CONFIG',
      `The number of attempts must be a whole number from 1 (no retry) to ${MAX_ATTEMPTS}.`,
    );
  }
  const maxTotalMs = settings.maxTotalMs ?? RETRY_DEFAULTS.maxTotalMs;
  if (typeof maxTotalMs !== 'number' || !Number.isFinite(maxTotalMs) || maxTotalMs < 0 || maxTotalMs > MAX_TOTAL_MS) {
    throw new CxError('CX_CONFIG', 'The maximum total retry time must be a number of seconds from 0 to 3600.');
  }
  return { ...RETRY_DEFAULTS, attempts, maxTotalMs, safeToRepeat: settings.safeToRepeat === true };
}

/** Failures that say "Cx or the path to it is having a bad minute", not "this request is wrong". */
export function isTransient(err: unknown): err is CxError {
  if (!(err instanceof CxError)) return false;
  switch (err.code) {
    case 'CX_NETWORK':
    case 'CX_TIMEOUT':
    case 'CX_UNAVAILABLE':
      return true;
    case 'CX_HTTP':
      return err.details.status === 502 || err.details.status === 503 || err.details.status === 504;
    default:
      return false;
  }
}

/**
 * Whether `err` may be followed by another attempt under `policy`. A request that never left is
 * always safe to send again; one that may have reached Cx only when the user said the method is
 * safe to repeat (the pack cannot tell a read from a write).
 */
export function mayRetry(err: unknown, policy: RetryPolicy): err is CxError {
  if (policy.attempts <= 1 || !isTransient(err)) return false;
  return err.details.sent === false || policy.safeToRepeat;
}

/**
 * The wait before retry number `retry` (1 for the second attempt): exponential from the base,
 * capped, with "equal jitter" (half fixed, half random) so that calls failed together do not
 * come back together.
 */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(1, Math.max(0, random())));
}

/**
 * The wait before the next attempt, or undefined when there is none: no attempts left, an error
 * that must not be repeated, or a wait that would start the attempt after the total time (a
 * Retry-After or a fail-fast interval is never cut short: Cx asked for it).
 */
export function nextDelayMs(
  err: unknown,
  attemptsMade: number,
  elapsedMs: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (attemptsMade >= policy.attempts || !mayRetry(err, policy)) return undefined;
  let wait = backoffMs(attemptsMade, policy, random);
  const asked = err.details.retryAfterMs ?? err.details.retryInMs;
  if (asked !== undefined) {
    if (asked > policy.maxDelayMs) return undefined;
    wait = Math.max(wait, asked);
  }
  return elapsedMs + wait <= policy.maxTotalMs ? wait : undefined;
}

/**
 * Retry-After as HTTP allows it (RFC 9110 10.2.3): delay-seconds or an HTTP-date, in ms from
 * `now`; undefined when absent or unreadable. Read only on 503 answers.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v || v.length > 64) return undefined;
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) && /[a-z]/i.test(v) ? Math.max(0, at - now) : undefined;
}
