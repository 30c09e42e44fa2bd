import { CxError, CxErrorDetails } from './errors';

/** How many tokens a connection remembers for scrubbing (the current one and those before it). */
const MAX_TOKENS = 16;
const MAX_DEPTH = 32;
/** Secrets at least this long are removed wherever they appear; shorter ones only where they stand alone. */
const MIN_ANYWHERE_CHARS = 8;

/**
 * Removes a connection's own secrets (its password and every token it has held) from text a
 * server sent, before that text goes into an error, a status or a log: a fault may echo the
 * token it rejected, a login fault the request with its password. Also removes their
 * XML-escaped forms, which a raw snippet of an answer would carry.
 */
export class SecretScrubber {
  private readonly secrets: string[] = [];
  private tokens: string[] = [];
  private pattern?: RegExp;

  constructor(password: string | undefined) {
    if (password) this.secrets.push(password);
    this.pattern = undefined;
  }

  /** Remembers a token the connection holds (a bounded number of them). */
  addToken(token: string): void {
    if (!token || this.tokens.includes(token)) return;
    this.tokens = [...this.tokens, token].slice(-MAX_TOKENS);
    this.pattern = undefined;
  }

  text(s: string): string {
    const re = this.regex();
    return re ? s.replace(re, '***') : s;
  }

  /** The same error with its message and every text in its details scrubbed. */
  error(err: CxError): CxError {
    if (!this.regex()) return err;
    const details = this.value(err.details, 0) as CxErrorDetails;
    const out = new CxError(err.code, this.text(err.message), details);
    if (err.stack) out.stack = this.text(err.stack);
    return out;
  }

  private value(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (!v || typeof v !== 'object' || depth > MAX_DEPTH) return v;
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      Object.defineProperty(out, this.text(k), {
        value: this.value(x, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  private regex(): RegExp | undefined {
    if (this.pattern) return this.pattern;
    const forms = new Set<string>();
    for (const s of [...this.secrets, ...this.tokens]) for (const f of escapedForms(s)) forms.add(f);
    if (forms.size === 0) return undefined;
    // Longest first, so that a secret's escaped form is removed whole rather than in part. A short
    // one is removed where it stands alone, not inside words: a password "p" must not turn every
    // message into "WSRe***air..." (and an echo of it stands alone).
    const alternatives = [...forms]
      .sort((a, b) => b.length - a.length)
      .map((f) =>
        f.length >= MIN_ANYWHERE_CHARS ? escapeRegExp(f) : `(?<![\\p{L}\\p{N}])${escapeRegExp(f)}(?![\\p{L}\\p{N}])`,
      );
    this.pattern = new RegExp(alternatives.join('|'), 'giu');
    return this.pattern;
  }
}

/** A secret as it may appear in XML: raw, with entity references, with numeric references. */
function escapedForms(s: string): string[] {
  const named = s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
  const textOnly = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const numeric = s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const hex = s.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`);
  return [s, named, textOnly, numeric, hex, s.replace(/'/g, '&#39;').replace(/"/g, '&#34;')];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
