/**
 * Timers a connection waits on (retry back-off, queue deadlines, fail-fast intervals). Tests pass
 * a fake that moves with a fake clock, so back-off is tested without sleeping.
 */
export interface Timers {
  /** Runs `fn` after `ms`; the returned function cancels it (and is harmless to call twice). */
  after(ms: number, fn: () => void): () => void;
}

export const systemTimers: Timers = {
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};
