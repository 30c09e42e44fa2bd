import type { Circuit } from './circuit';
import { Clock, systemClock } from './clock';
import { CxError, closedError } from './errors';
import { Timers, systemTimers } from './timers';

export interface LimiterOptions {
  /** Messages that may wait for a slot; one more fails at once with CX_BUSY. Default 10,000. */
  maxQueue?: number;
  clock?: Clock;
  timers?: Timers;
  /** While it is open, queued and new work fails fast; while it probes, work waits. */
  circuit?: Circuit;
}

export interface RunOptions {
  /** Time (by the limiter's clock) after which a task still queued fails with CX_TIMEOUT. */
  deadline?: number;
}

export const DEFAULT_MAX_QUEUE = 10000;

interface Waiting {
  start: (probe: boolean) => void;
  reject: (e: Error) => void;
  cancelTimer: () => void;
}

/**
 * A first-in, first-out cap on concurrent calls, with a bounded queue. Cx is one IIS site shared
 * by a whole landlord; a burst of messages must queue here, not pile onto it, and the queue itself
 * must not grow without end while Cx is down (README "Retries, back-off and the queue").
 */
export class Limiter {
  private running = 0;
  private readonly queue: Waiting[] = [];
  private closed = false;
  private readonly maxQueue: number;
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly circuit?: Circuit;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly max: number,
    options: LimiterOptions = {},
  ) {
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.clock = options.clock ?? systemClock;
    this.timers = options.timers ?? systemTimers;
    this.circuit = options.circuit;
    this.unsubscribe = this.circuit?.onChange(() => this.pump()) ?? (() => {});
  }

  /** Work waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  /** Work holding a slot. */
  get active(): number {
    return this.running;
  }

  /**
   * Runs `task` when a slot is free. Fails without running it: CX_CLOSED after close(), CX_BUSY
   * when the queue is full, CX_UNAVAILABLE while the circuit is open, CX_TIMEOUT when the
   * deadline passes in the queue; all of them marked as never sent.
   */
  run<T>(task: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(closedError('before-send'));
    if (this.circuit?.state() === 'open') return Promise.reject(this.circuit.unavailable());
    return new Promise<T>((resolve, reject) => {
      const start = (probe: boolean) => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            if (probe) this.circuit?.releaseProbe();
            this.pump();
          });
      };
      const gate = this.circuit?.state() ?? 'closed';
      if (this.queue.length === 0 && this.running < this.max && gate === 'closed') {
        start(false);
        return;
      }
      if (this.queue.length >= this.maxQueue) {
        reject(
          new CxError(
            'CX_BUSY',
            `${this.queue.length} calls are already waiting for this Cx connection (the queue limit), so this one was not sent. Slow the flow down, or raise the queue limit in the Cx connection.`,
            { sent: false },
          ),
        );
        return;
      }
      const queuedAt = this.clock.now();
      const entry: Waiting = { start, reject, cancelTimer: () => {} };
      if (options.deadline !== undefined) {
        entry.cancelTimer = this.timers.after(options.deadline - queuedAt, () => {
          const i = this.queue.indexOf(entry);
          if (i < 0) return;
          this.queue.splice(i, 1);
          reject(
            new CxError(
              'CX_TIMEOUT',
              `The call waited ${formatWait(this.clock.now() - queuedAt)} for a free slot on this Cx connection and ran out of time before it was sent. Too many calls at once, or Cx is slow: lower the rate or raise the timeout.`,
              { sent: false, cause: 'queue' },
            ),
          );
        });
      }
      this.queue.push(entry);
      this.pump();
    });
  }

  /** Rejects everything still queued; running tasks end on their own (their transport closes). */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.fail(() => closedError('before-send'));
  }

  private pump(): void {
    if (this.closed) return;
    while (this.queue.length > 0 && this.running < this.max) {
      const gate = this.circuit?.state() ?? 'closed';
      if (gate === 'open') {
        const circuit = this.circuit as Circuit;
        this.fail(() => circuit.unavailable());
        return;
      }
      // One message tests whether Cx is back; the rest wait for its answer.
      if (gate === 'probing') return;
      const probe = gate === 'probe-due' && (this.circuit as Circuit).reserveProbe();
      const next = this.queue.shift() as Waiting;
      next.cancelTimer();
      next.start(probe);
      if (probe) return;
    }
  }

  private fail(error: () => CxError): void {
    for (const q of this.queue.splice(0)) {
      q.cancelTimer();
      q.reject(error());
    }
  }
}

function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 100) / 10} s`;
}
