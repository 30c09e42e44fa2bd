// Everything a simulator instance remembers: options, tokens, data, the list-size override and
// counters. One owner, passed to the services; nothing module-level.
import { randomBytes } from 'node:crypto';
import { SeedData, seed } from './data';

export interface SimulatorStats {
  logins: number;
  failedLogins: number;
  calls: number;
  faults: number;
  inFlight: number;
  maxInFlight: number;
  byOperation: Record<string, number>;
  wsdlRequests: number;
  xsdRequests: number;
}

export interface SimSettings {
  user: string;
  password: string;
  tokenTtlSeconds: number;
  now: () => number;
}

const emptyStats = (inFlight = 0): SimulatorStats => ({
  logins: 0,
  failedLogins: 0,
  calls: 0,
  faults: 0,
  inFlight,
  maxInFlight: inFlight,
  byOperation: {},
  wsdlRequests: 0,
  xsdRequests: 0,
});

const TOKEN_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class SimState {
  stats: SimulatorStats = emptyStats();
  data: SeedData;
  listSize: number | null = null;
  private tokens = new Map<string, { user: string; expires: number }>();

  constructor(readonly settings: SimSettings) {
    this.data = seed(settings.now());
  }

  now(): number {
    return this.settings.now();
  }

  /** A Cx-looking token: 14 lower-case alphanumerics. */
  issueToken(user: string): { token: string; expires: number } {
    const bytes = randomBytes(14);
    let token = '';
    for (const b of bytes) token += TOKEN_ALPHABET[b % TOKEN_ALPHABET.length];
    const expires = this.now() + this.settings.tokenTtlSeconds * 1000;
    this.tokens.set(token, { user, expires });
    return { token, expires };
  }

  /** The token's user, or undefined when unknown or expired (by the simulator's clock). */
  checkToken(token: unknown): string | undefined {
    if (typeof token !== 'string') return undefined;
    const t = this.tokens.get(token.trim());
    if (!t) return undefined;
    if (this.now() >= t.expires) {
      this.tokens.delete(token.trim());
      return undefined;
    }
    return t.user;
  }

  expireTokens(): void {
    this.tokens.clear();
  }

  resetStats(): void {
    // requests still being answered stay counted
    this.stats = emptyStats(this.stats.inFlight);
  }

  reset(): void {
    this.tokens.clear();
    this.data = seed(this.now());
    this.listSize = null;
    this.resetStats();
  }
}
