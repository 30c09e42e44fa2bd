import type { Node } from 'node-red';
import type { CxHealth } from '../lib';
import { Clock, systemClock } from '../lib/clock';
import { Timers, systemTimers } from '../lib/timers';
import { ThrottledStatus } from './status';

/** Node-RED's `RED._`: a catalogue key and its substitutions. */
export type Translate = (key: string, subs?: Record<string, string | number>) => string;

/**
 * cx-config's status while Cx is unreachable (README "Retries, back-off and the queue"): *Cx
 * unreachable, next try in N s*, counting down once a second until the probe is due; then that
 * the next call tests whether it is back, and *testing whether it is back* while that call is on
 * its way; cleared once Cx answers. The log has
 * one line when Cx goes away and one when it is back, not one per call. `close()` leaves no timer.
 */
export class HealthStatus {
  private readonly status: ThrottledStatus;
  private down = false;
  private cancelTick = () => {};

  constructor(
    private readonly node: Pick<Node, 'status' | 'warn' | 'log'>,
    private readonly t: Translate,
    private readonly clock: Clock = systemClock,
    private readonly timers: Timers = systemTimers,
  ) {
    this.status = new ThrottledStatus(node, undefined, clock, timers);
  }

  update(h: CxHealth): void {
    this.cancelTick();
    this.cancelTick = () => {};
    if (h.state === 'open') {
      const until = this.clock.now() + h.retryInMs;
      if (!this.down) {
        const seconds = Math.ceil(h.retryInMs / 1000);
        this.node.warn(this.t('cx-config.errors.failingFast', { reason: h.lastFailure ?? '', seconds }));
      }
      this.down = true;
      this.countDown(until);
    } else if (h.state === 'closed') {
      this.status.set({});
      if (this.down) this.node.log(this.t('cx-config.status.reachable'));
      this.down = false;
    } else {
      // probe-due: nothing is sent until a call comes, so the status must not claim a test is out.
      const key = h.state === 'probe-due' ? 'cx-config.status.probeDue' : 'cx-config.status.probing';
      this.status.set({ fill: 'yellow', shape: 'ring', text: this.t(key) });
    }
  }

  close(): void {
    this.cancelTick();
    this.cancelTick = () => {};
    this.status.close();
  }

  /** Shows the whole seconds left, again each time that number drops, until the probe is due. */
  private countDown(until: number): void {
    const left = until - this.clock.now();
    if (left <= 0) return; // the connection announces that the probe is due
    const seconds = Math.ceil(left / 1000);
    this.status.set({ fill: 'red', shape: 'ring', text: this.t('cx-config.status.unreachable', { seconds }) });
    this.cancelTick = this.timers.after(left - (seconds - 1) * 1000, () => this.countDown(until));
  }
}
