import type { Clock } from './clock';
import { CxError } from './errors';
import { Timers, systemTimers } from './timers';

export interface CircuitSettings {
  /** Consecutive transport failures that make the connection fail fast. Default 5. */
  threshold?: number;
  /** First fail-fast interval, ms; doubles after each failed probe. Default 2,000. */
  baseOpenMs?: number;
  /** Longest fail-fast interval, ms. Default 60,000. */
  maxOpenMs?: number;
}

export const CIRCUIT_DEFAULTS: Required<CircuitSettings> = { threshold: 5, baseOpenMs: 2000, maxOpenMs: 60000 };

/**
 * - `closed`: requests go to Cx.
 * - `open`: Cx looked down; requests fail at once with CX_UNAVAILABLE until the interval ends.
 * - `probe-due`: the interval has ended; the next request is the probe.
 * - `probing`: one request (the probe) tests whether Cx is back; the others wait or fail fast.
 */
export type CircuitState = 'closed' | 'open' | 'probe-due' | 'probing';

/**
 * Fail fast while Cx is down (README "Retries, back-off and the queue"): after `threshold`
 * consecutive transport failures (no connection, no answer in time, 502/503/504), every request
 * to Cx (calls, logins, WSDL reads) fails at once for a short interval instead of each waiting a
 * full timeout; then one request at a time probes. Each failed probe doubles the interval; any
 * answer from Cx closes the circuit.
 */
export class Circuit {
  private readonly settings: Required<CircuitSettings>;
  private failures = 0;
  private openMs = 0;
  private openUntil = 0;
  /** A probe request is on its way to Cx. */
  private probeInFlight = false;
  /** A caller (the queue) has claimed the next probe for one message. */
  private reserved = false;
  private last?: CxError;
  private readonly listeners = new Set<() => void>();
  private cancelDue = () => {};

  constructor(
    private readonly clock: Clock,
    settings: CircuitSettings = {},
    private readonly timers: Timers = systemTimers,
  ) {
    this.settings = { ...CIRCUIT_DEFAULTS, ...settings };
  }

  /** Stops the timer that announces the end of an interval. */
  close(): void {
    this.cancelDue();
    this.listeners.clear();
  }

  state(): CircuitState {
    if (this.openMs === 0) return 'closed';
    if (this.probeInFlight || this.reserved) return 'probing';
    return this.clock.now() < this.openUntil ? 'open' : 'probe-due';
  }

  /** ms until the next probe may go (0 when closed or due). */
  retryInMs(): number {
    return this.openMs === 0 ? 0 : Math.max(0, this.openUntil - this.clock.now());
  }

  /** The failure that opened (or last kept open) the circuit. */
  lastFailure(): CxError | undefined {
    return this.last;
  }

  /** Called after every change of state (the queue resumes, the status updates). */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** For the queue: claim the next probe for the message it is about to start. */
  reserveProbe(): boolean {
    if (this.state() !== 'probe-due') return false;
    this.reserved = true;
    return true;
  }

  /** For the queue: the message that claimed the probe has ended (sent or not). */
  releaseProbe(): void {
    if (!this.reserved) return;
    this.reserved = false;
    this.emit();
  }

  /** The error for a request refused while the circuit is open or a probe is out. */
  unavailable(): CxError {
    const wait = this.retryInMs();
    const last = this.last;
    const when = wait > 0 ? `it is tried again in ${Math.ceil(wait / 1000)} s` : 'a test request is on its way';
    return new CxError(
      'CX_UNAVAILABLE',
      `Cx is unreachable (${this.failures} failed requests in a row; last: ${last?.code ?? 'none'}${last?.details.status ? ` ${last.details.status}` : ''}), so this request was not sent; ${when}.`,
      {
        sent: false,
        retryInMs: wait,
        cause: last ? `${last.code}${last.details.cause ? ` ${last.details.cause}` : ''}` : undefined,
      },
    );
  }

  /** Runs one request to Cx under the circuit: refused at once while open, counted when it ends. */
  async guard<T>(send: () => Promise<T>): Promise<T> {
    const st = this.state();
    let probe = false;
    if (st === 'open') throw this.unavailable();
    if (st === 'probing') {
      if (!this.reserved || this.probeInFlight) throw this.unavailable();
      probe = true;
    } else if (st === 'probe-due') probe = true;
    if (probe) this.probeInFlight = true;
    try {
      const value = await send();
      this.succeeded(probe);
      return value;
    } catch (err) {
      if (isTransportFailure(err)) this.failed(err as CxError, probe);
      else if (err instanceof CxError && err.code === 'CX_CLOSED') this.endProbe(probe);
      else this.succeeded(probe); // Cx answered, even if with an error
      throw err;
    }
  }

  private succeeded(probe: boolean): void {
    if (probe) this.probeInFlight = false;
    const wasOpen = this.openMs !== 0;
    if (wasOpen) this.cancelDue();
    this.failures = 0;
    this.openMs = 0;
    this.last = undefined;
    if (wasOpen || probe) this.emit();
  }

  private failed(err: CxError, probe: boolean): void {
    this.failures++;
    this.last = err;
    if (probe) {
      this.probeInFlight = false;
      this.open(Math.min(this.settings.maxOpenMs, Math.max(this.settings.baseOpenMs, this.openMs * 2)));
    } else if (this.openMs === 0 && this.failures >= this.settings.threshold) {
      this.open(this.settings.baseOpenMs);
    }
  }

  private endProbe(probe: boolean): void {
    if (!probe) return;
    this.probeInFlight = false;
    this.emit();
  }

  private open(ms: number): void {
    this.openMs = ms;
    this.openUntil = this.clock.now() + ms;
    this.cancelDue();
    // Tells listeners (the status, the queue) that a probe may go. A timer can fire a millisecond
    // before the wall clock reaches its time: the interval ends when it fires, so that the state
    // they read is then 'probe-due', never 'open' with no later change to announce.
    this.cancelDue = this.timers.after(ms, () => {
      this.openUntil = Math.min(this.openUntil, this.clock.now());
      this.emit();
    });
    this.emit();
  }

  private emit(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

/** No connection, no answer in time, or a gateway/IIS saying the service is not there. */
export function isTransportFailure(err: unknown): boolean {
  if (!(err instanceof CxError)) return false;
  if (err.code === 'CX_NETWORK' || err.code === 'CX_TIMEOUT') return true;
  return err.code === 'CX_HTTP' && [502, 503, 504].includes(err.details.status ?? 0);
}
