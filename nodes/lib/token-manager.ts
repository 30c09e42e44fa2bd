import { Clock } from './clock';
import { CxError, closedError } from './errors';

export interface LoginResult {
  token: string;
  /** Epoch ms, when Cx's TokenExpiry could be read. */
  expiry?: number;
  /** TokenExpiry as Cx sent it. */
  expiryText?: string;
}

export interface TokenManagerOptions {
  refreshMarginMs: number;
  cooldownMs: number;
}

/**
 * Holds the one token of a connection. Only one login is ever in flight: every caller that finds
 * no valid token waits for the same login. A refused login (wrong password, locked account) is
 * remembered for a cool-down, during which callers fail fast with the same error: Cx may lock an
 * account after repeated failures, and the pack must never be the cause.
 */
export class TokenManager {
  private current?: LoginResult & { obtainedAt: number };
  private pending?: Promise<LoginResult>;
  private refused?: { error: CxError; until: number };
  private closed = false;

  constructor(
    private readonly login: () => Promise<LoginResult>,
    private readonly clock: Clock,
    private readonly opts: TokenManagerOptions,
  ) {}

  /** A valid token: the shared one, or a fresh one when it is missing, near expiry or `force`d. */
  async get(force = false): Promise<LoginResult> {
    if (this.closed) throw closedError('before-send');
    const now = this.clock.now();
    if (this.refused) {
      if (now < this.refused.until) {
        const e = this.refused.error;
        throw new CxError(e.code, e.message, e.details);
      }
      this.refused = undefined;
    }
    if (!force && this.current && this.fresh(this.current, now)) return this.current;
    return this.loginOnce();
  }

  /** Drops `token` if it is still the current one (another caller may already have replaced it). */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  close(): void {
    this.closed = true;
    this.current = undefined;
  }

  /** The current token while it is fresh (used to hand it to a replacing connection). */
  snapshot(): (LoginResult & { obtainedAt: number }) | undefined {
    const t = this.current;
    return t && this.fresh(t, this.clock.now())
      ? { token: t.token, expiry: t.expiry, expiryText: t.expiryText, obtainedAt: t.obtainedAt }
      : undefined;
  }

  /** Starts with a token handed over by a replaced connection, if it is still fresh. */
  adopt(t: LoginResult & { obtainedAt: number }): void {
    if (!this.current && this.fresh(t, this.clock.now())) this.current = { ...t };
  }

  private fresh(t: LoginResult & { obtainedAt: number }, now: number): boolean {
    if (t.expiry === undefined) return true;
    // A margin longer than the token's whole life would mean a login per call: cap it at half.
    const margin = Math.min(this.opts.refreshMarginMs, (t.expiry - t.obtainedAt) / 2);
    return now < t.expiry - margin;
  }

  private loginOnce(): Promise<LoginResult> {
    if (this.pending) return this.pending;
    const started = this.clock.now();
    const p = this.login().then(
      (r) => {
        if (this.closed) throw closedError('before-send');
        this.current = { ...r, obtainedAt: started };
        return r;
      },
      (err: unknown) => {
        if (err instanceof CxError && err.code === 'CX_LOGIN_FAILED') {
          this.refused = { error: err, until: this.clock.now() + this.opts.cooldownMs };
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
}
