import type { Clock } from './clock';
import { CxError } from './errors';
import { RetryPolicy, nextDelayMs } from './retry-policy';
import type { Timers } from './timers';

export interface RetryNotice {
  /** The attempt about to be made after the wait (2 for the first retry). */
  attempt: number;
  attempts: number;
  delayMs: number;
  error: CxError;
}

/**
 * The back-off waits of one connection. A waiting message holds no concurrency slot and no
 * socket, only this timer; close() (redeploy, shutdown) ends every wait at once with CX_CLOSED.
 */
export class RetryWaits {
  private readonly waiting = new Set<() => void>();
  private closed = false;

  constructor(private readonly timers: Timers) {}

  get size(): number {
    return this.waiting.size;
  }

  wait(ms: number): Promise<void> {
    if (this.closed) return Promise.reject(closedWhileWaiting());
    return new Promise<void>((resolve, reject) => {
      const end = () => {
        this.waiting.delete(end);
        cancel();
        reject(closedWhileWaiting());
      };
      const cancel = this.timers.after(ms, () => {
        this.waiting.delete(end);
        resolve();
      });
      this.waiting.add(end);
    });
  }

  close(): void {
    this.closed = true;
    for (const end of [...this.waiting]) end();
  }
}

function closedWhileWaiting(): CxError {
  return new CxError(
    'CX_CLOSED',
    'The Cx connection was closed (redeploy or shutdown) while the call waited to try again; the next attempt was not sent.',
    { sent: false },
  );
}

export interface RetryContext {
  clock: Clock;
  waits: RetryWaits;
  random?: () => number;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Runs `attempt` until it succeeds or `policy` says stop. Each attempt takes its own turn in the
 * queue (the caller's `attempt` does that), so a message waiting to retry holds no slot. The
 * result and the final error say how many attempts were made.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  ctx: RetryContext,
): Promise<{ value: T; attempts: number }> {
  const started = ctx.clock.now();
  for (let n = 1; ; n++) {
    try {
      return { value: await attempt(n), attempts: n };
    } catch (err) {
      const delay = nextDelayMs(err, n, ctx.clock.now() - started, policy, ctx.random);
      if (delay === undefined || !(err instanceof CxError)) throw withAttempts(err, n, policy);
      ctx.onRetry?.({ attempt: n + 1, attempts: policy.attempts, delayMs: delay, error: err });
      try {
        await ctx.waits.wait(delay);
      } catch (closed) {
        throw withAttempts(closed, n, policy);
      }
    }
  }
}

/** A copy (the error may be shared by several waiting calls) that says how many attempts were made. */
function withAttempts(err: unknown, attempts: number, policy: RetryPolicy): unknown {
  if (!(err instanceof CxError)) return err;
  const note =
    policy.attempts > 1 ? ` (${attempts} ${attempts === 1 ? 'attempt' : 'attempts'} made of ${policy.attempts})` : '';
  const copy = new CxError(err.code, note ? `${err.message.replace(/\.?$/, '')}${note}.` : err.message, {
    ...err.details,
    attempts,
  });
  return copy;
}
