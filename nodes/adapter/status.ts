import type { Node, NodeStatus } from 'node-red';
import { MAX_TIMER_MS } from '../lib/client-options';

/** At most one status update per this long: under load a node's status is editor traffic. */
export const STATUS_INTERVAL_MS = 200;

/**
 * A node's status, throttled: the first change shows at once, later ones at most once per
 * {@link STATUS_INTERVAL_MS}, and the latest always shows in the end. A state already shown is
 * not sent again. `close()` leaves no timer behind.
 */
export class ThrottledStatus {
  private shown = '';
  private lastAt = -Infinity;
  private pending?: NodeStatus;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly node: Node,
    private readonly intervalMs = STATUS_INTERVAL_MS,
  ) {}

  set(status: NodeStatus): void {
    this.pending = status;
    if (this.timer) return;
    const wait = this.lastAt + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const status = this.pending;
    this.pending = undefined;
    const key = JSON.stringify(status);
    if (!status || key === this.shown) return;
    this.shown = key;
    this.lastAt = Date.now();
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
