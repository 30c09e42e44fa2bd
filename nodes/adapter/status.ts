import type { Node, NodeStatus } from 'node-red';
import { MAX_TIMER_MS } from '../lib/client-options';
import { Clock, systemClock } from '../lib/clock';
import { Timers, systemTimers } from '../lib/timers';

/** At most one status update per this long: under load a node's status is editor traffic. */
export const STATUS_INTERVAL_MS = 200;

/**
 * A node's status, throttled: the first change shows at once, later ones at most once per
 * {@link STATUS_INTERVAL_MS}, and the latest always shows in the end. A state already shown is
 * not sent again. `close()` leaves no timer behind. Tests pass a fake clock and timers.
 */
export class ThrottledStatus {
  private shown = '';
  private lastAt = -Infinity;
  private pending?: NodeStatus;
  private cancel?: () => void;

  constructor(
    private readonly node: Pick<Node, 'status'>,
    private readonly intervalMs = STATUS_INTERVAL_MS,
    private readonly clock: Clock = systemClock,
    private readonly timers: Timers = systemTimers,
  ) {}

  set(status: NodeStatus): void {
    this.pending = status;
    if (this.cancel) return;
    const wait = this.lastAt + this.intervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.cancel = this.timers.after(wait, () => this.flush());
  }

  close(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    this.cancel = undefined;
    const status = this.pending;
    this.pending = undefined;
    const key = JSON.stringify(status);
    if (!status || key === this.shown) return;
    this.shown = key;
    this.lastAt = this.clock.now();
    this.node.status(status);
  }
}

/**
 * Runs `fn` at the wall-clock time `time` (ms), in steps past setTimeout's ceiling (about 24.8
 * days); returns a cancel.
 */
export function at(time: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = time - Date.now();
    if (wait <= 0) {
      timer = undefined;
      fn();
      return;
    }
    timer = setTimeout(arm, Math.min(wait, MAX_TIMER_MS));
  };
  arm();
  return () => clearTimeout(timer);
}
