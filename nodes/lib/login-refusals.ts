import { CxError } from './errors';

/** How many URL-and-user pairs are remembered at most; the oldest goes first. */
const MAX_ENTRIES = 1000;

/**
 * Refused logins remembered across connections of one runtime, by base URL and user name: a
 * connection recreated by a redeploy, a second connection for the same user, and the editor's
 * Test connection all wait out the cool-down of a refusal before logging in again (Cx can lock
 * an account after repeated failures, whatever the password tried). Holds no password or token;
 * the errors kept have had them removed.
 */
export class LoginRefusals {
  private readonly entries = new Map<string, { error: CxError; until: number }>();

  /** The key of a URL and user: the URL's origin and path, and the user name without case. */
  static keyOf(baseUrl: URL, username: string): string {
    return `${baseUrl.origin.toLowerCase()}${baseUrl.pathname.replace(/\/+$/, '').toLowerCase()}|${username.trim().toLowerCase()}`;
  }

  /** The refusal still in force for `key` at `now`, if any. */
  get(key: string, now: number): { error: CxError; until: number } | undefined {
    const e = this.entries.get(key);
    if (e && now >= e.until) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, error: CxError, until: number): void {
    this.entries.delete(key);
    this.entries.set(key, { error, until });
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
  }
}
