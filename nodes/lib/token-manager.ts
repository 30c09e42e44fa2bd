import { Clock } from './clock';
import { CxError, closedError } from './errors';
import type { LoginRefusals } from './login-refusals';

export interface LoginResult {
  token: string;
  /** Epoch ms, when Cx's TokenExpiry could be read and was still ahead when the token arrived. */
  expiry?: number;
  /** TokenExpiry as Cx sent it. */
  expiryText?: string;
}

/** A token with the time its login started. */
export type HeldToken = LoginResult & { obtainedAt: number };

export interface TokenManagerOptions {
  refreshMarginMs: number;
  /** After a refused login, or a fresh token rejected by Cx, no new login for this long. */
  cooldownMs: number;
  /**
   * Never two logins of this connection closer than this (a login forced by an invalid-token
   * fault excepted); also the pause after a login that failed without being refused. Default 10,000.
   */
  loginIntervalMs?: number;
  /** Told once per connection when Cx sends a TokenExpiry that is already due. */
  warn?: (message: string) => void;
  /** Refused logins shared with other connections of the same URL and user (redeploys, Test connection). */
  refusals?: { registry: LoginRefusals; key: string };
  /** Removes the connection's secrets from a server's text before it is kept or shown. */
  scrub?: (err: CxError) => CxError;
}

export interface GetOptions {
  /** A fresh token is wanted (cx-token's `msg.refresh`); still never under the login interval. */
  force?: boolean;
  /** The caller's token was just rejected by Cx: the one login allowed under the interval. */
  afterInvalid?: boolean;
}

/**
 * Holds the one token of a connection. Only one login is ever in flight: every caller that finds
 * no valid token waits for the same login, and all of them settle with its result. Logins are
 * never closer than `loginIntervalMs`, whatever TokenExpiry says, except one forced by an
 * invalid-token fault. A refused login (wrong password, locked account) and a fresh token that
 * Cx rejects are remembered for a cool-down, and a failed login for a short pause, during which
 * callers fail fast with the same error: Cx may lock an account after repeated failures, and the
 * pack must never be the cause (README "Reliability and security").
 */
export class TokenManager {
  private current?: HeldToken;
  private pending?: Promise<HeldToken>;
  /** Logins paused: `note` when the error's own text does not already say so. */
  private blocked?: { error: CxError; until: number; note: boolean };
  private lastLoginAt?: number;
  private warnedExpiry = false;
  private closed = false;
  /** Set by `handOverPending()`: a login in flight at close goes to the replacing connection. */
  private handingOver = false;

  constructor(
    private readonly login: () => Promise<LoginResult>,
    private readonly clock: Clock,
    private readonly opts: TokenManagerOptions,
  ) {}

  /**
   * The shared token when `get()` would hand it over at once (held, fresh, no login in flight, no
   * refusal standing), else undefined: the common case of a call, without a promise or a timer.
   */
  ready(): HeldToken | undefined {
    if (this.closed || this.pending || this.blocked) return undefined;
    const t = this.current;
    if (!t) return undefined;
    const now = this.clock.now();
    if (this.opts.refusals?.registry.get(this.opts.refusals.key, now)) return undefined;
    return this.fresh(t, now) ? t : undefined;
  }

  /** A valid token: the shared one, or a fresh one when it is missing, near expiry or `force`d. */
  async get(options: GetOptions = {}): Promise<HeldToken> {
    if (this.closed) throw closedError('before-send');
    if (this.pending) return this.pending;
    const now = this.clock.now();
    const blocked = this.blockedNow(now);
    if (blocked) throw blocked;
    const t = this.current;
    if (t && !options.force && this.fresh(t, now)) return t;
    if (this.underInterval(now) && !(options.afterInvalid && !t)) {
      // Due for renewal, or asked to renew, too soon after the last login: the token held is
      // used until Cx rejects it.
      if (t) return t;
      throw this.stamp(
        new CxError(
          'CX_TOKEN_INVALID',
          'Cx rejected the token moments ago; to avoid a login storm, logins are not repeated so soon.',
        ),
        (this.lastLoginAt ?? now) + this.interval,
        now,
        true,
      );
    }
    return this.loginOnce(now);
  }

  /** Drops `token` if it is still the current one (another caller may already have replaced it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  /**
   * A token just obtained by a forced login was rejected too (a role without rights, a wrong
   * placement): calls fail fast with `error` for the cool-down instead of logging in again.
   */
  rejectedAfterLogin(token: string, error: CxError): void {
    this.invalidate(token);
    const now = this.clock.now();
    this.blocked = { error, until: now + this.opts.cooldownMs, note: false };
  }

  close(): void {
    this.closed = true;
    this.current = undefined;
  }

  /** The current token while it is fresh (used to hand it to a replacing connection). */
  snapshot(): HeldToken | undefined {
    const t = this.current;
    return t && this.fresh(t, this.clock.now())
      ? { token: t.token, expiry: t.expiry, expiryText: t.expiryText, obtainedAt: t.obtainedAt }
      : undefined;
  }

  /**
   * The login in flight, if any, for the connection that replaces this one: it resolves with the
   * token when it arrives (undefined if the login fails), even after `close()`.
   */
  handOverPending(): Promise<HeldToken | undefined> | undefined {
    if (!this.pending) return undefined;
    this.handingOver = true;
    return this.pending.then(
      (t) => t,
      () => undefined,
    );
  }

  /** The login in flight, if any. */
  get loginInFlight(): Promise<unknown> | undefined {
    return this.pending;
  }

  /** Whether the login in flight was handed over, and so must be left to finish after `close()`. */
  get handingOverLogin(): boolean {
    return this.handingOver;
  }

  /** Starts with a token handed over by a replaced connection, if it is still fresh. */
  adopt(t: HeldToken): void {
    if (!this.current && this.fresh(t, this.clock.now())) this.current = { ...t };
  }

  /** Starts with a login still in flight in the replaced connection: callers wait for it. */
  adoptPending(p: Promise<HeldToken | undefined>): void {
    const mine: Promise<HeldToken> = p.then((t) => {
      if (this.closed) throw closedError('before-send');
      if (t && this.fresh(t, this.clock.now())) {
        this.current = this.current ?? { ...t };
        return this.current;
      }
      // The old login failed: this connection logs in on its own, by the usual rules.
      this.pending = undefined;
      return this.get();
    });
    this.pending = mine;
    const clear = () => {
      if (this.pending === mine) this.pending = undefined;
    };
    mine.then(clear, clear);
  }

  private fresh(t: HeldToken, now: number): boolean {
    if (t.expiry === undefined) return true;
    // A margin longer than the token's whole life would mean a login per call: cap it at half.
    const margin = Math.min(this.opts.refreshMarginMs, (t.expiry - t.obtainedAt) / 2);
    return now < t.expiry - margin;
  }

  private underInterval(now: number): boolean {
    return this.lastLoginAt !== undefined && now - this.lastLoginAt < this.interval;
  }

  /** The error callers get while logins are paused, if they are. */
  private blockedNow(now: number): CxError | undefined {
    if (this.blocked && now >= this.blocked.until) this.blocked = undefined;
    if (this.blocked) return this.stamp(this.blocked.error, this.blocked.until, now, this.blocked.note);
    // A refusal met by another connection of the same URL and user (before a redeploy, say).
    const shared = this.opts.refusals?.registry.get(this.opts.refusals.key, now);
    return shared ? this.stamp(shared.error, shared.until, now, true) : undefined;
  }

  /** A copy of `error` with the earliest next try; with `note`, its message says it too. */
  private stamp(error: CxError, until: number, now: number, note: boolean): CxError {
    const retryAt = new Date(until).toISOString();
    const s = Math.max(1, Math.ceil((until - now) / 1000));
    const message = note
      ? `${error.message.replace(/ No new login is tried for another .*$/, '')} No new login is tried for another ${s} s (until ${retryAt}).`
      : error.message;
    return new CxError(error.code, message, { ...error.details, retryAt });
  }

  private get interval(): number {
    return this.opts.loginIntervalMs ?? 10000;
  }

  private loginOnce(now: number): Promise<HeldToken> {
    const previous = this.lastLoginAt;
    this.lastLoginAt = now;
    const p = this.login().then(
      (r) => {
        const t = this.accept(r, now);
        if (this.closed && !this.handingOver) throw closedError('before-send');
        if (!this.closed) this.current = t;
        return t;
      },
      (raw: unknown) => {
        const err = raw instanceof CxError && this.opts.scrub ? this.opts.scrub(raw) : raw;
        if (!(err instanceof CxError) || err.code === 'CX_CLOSED') throw err;
        const at = this.clock.now();
        if (err.code === 'CX_CONFIG') {
          // Nothing reached Cx: no pause, and the interval counts from the last real login.
          this.lastLoginAt = previous;
        } else if (err.code === 'CX_LOGIN_FAILED') {
          this.blocked = { error: err, until: at + this.opts.cooldownMs, note: false };
          this.opts.refusals?.registry.set(this.opts.refusals.key, err, at + this.opts.cooldownMs);
        } else {
          this.blocked = { error: err, until: at + this.interval, note: true };
        }
        throw err;
      },
    );
    this.pending = p;
    const clear = () => {
      if (this.pending === p) this.pending = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  /**
   * A token whose TokenExpiry is already due when it arrives (an expiry written without its
   * offset, DateTime.MinValue, a host clock ahead of Cx's) is used until Cx rejects it: taken at
   * its word, it would mean a login per call.
   */
  private accept(r: LoginResult, started: number): HeldToken {
    const t: HeldToken = { token: r.token, expiry: r.expiry, expiryText: r.expiryText, obtainedAt: started };
    if (t.expiry !== undefined && !this.fresh(t, this.clock.now())) {
      t.expiry = undefined;
      if (!this.warnedExpiry) {
        this.warnedExpiry = true;
        this.opts.warn?.(
          `Cx sent a token expiry (${String(r.expiryText ?? '').slice(0, 40)}) that is already due, or within the refresh margin, on arrival: Cx's or this host's clock may be wrong, or the expiry lacks its time zone. The token is used until Cx rejects it.`,
        );
      }
    }
    return t;
  }
}
