import type { Node, NodeAPI, NodeMessageInFlow, NodeStatus } from 'node-red';
import { CxError, isCxError } from '../lib';
import { ThrottledStatus, at } from './status';

/** The error every message gets when a node has no usable cx-config. */
export function missingConfigError(): CxError {
  return new CxError(
    'CX_CONFIG',
    'No Cx connection is set, or it was deleted. Open the node and choose a Cx connection (cx-config), then deploy.',
  );
}

/** Anything thrown that is not a CxError (a bug, an evaluation error) still gets a code. */
export function asCxError(err: unknown, code: 'CX_BAD_REQUEST' | 'CX_CONFIG' = 'CX_BAD_REQUEST'): CxError {
  if (isCxError(err)) return err;
  return new CxError(code, String((err as Error)?.message ?? err));
}

/**
 * What a Catch node should see besides msg.error: Node-RED copies only the error's message and
 * code (4.1+) onto msg.error, so the code and the safe details (Cx's InvalidReason, the refused
 * answer, fault fields, HTTP status) travel on msg.cx, which works on Node-RED 3 too.
 */
export function errorInfo(e: CxError): Record<string, unknown> {
  return { ...e.details, code: e.code };
}

export type CxMessage = NodeMessageInFlow & { cx?: unknown };

/** What one kind of node does with a message; everything around it is {@link handleInput}'s. */
export interface InputSpec<M extends CxMessage, R> {
  /** The node type, also the prefix of its status texts (`<type>.status.calling` and `.error`). */
  type: string;
  /** Why every message must fail (no cx-config, settings that cannot work), found at deploy. */
  setupError: CxError | undefined;
  /** What msg.cx says of the call whatever its outcome (cx-call: service and method). */
  describe?(msg: M): Record<string, unknown>;
  /** The work; it may throw or reject, with a CxError or anything else. `status` shows a status, throttled. */
  run(msg: M, about: Record<string, unknown>, status: (s: NodeStatus) => void): Promise<R>;
  /** Puts the result on the message before it is sent. */
  deliver(msg: M, result: R, about: Record<string, unknown>): void;
  /** The status after a success, once no call is in flight. */
  okStatus(result: R): NodeStatus;
  /** When a success's status stops being true (cx-token: the token's expiry), and what shows then. */
  staleStatus?(result: R): { at: number; status: NodeStatus } | undefined;
  /** The connection's outage status, shown while no call is in flight (README "Retries, back-off and the queue"). */
  health?: { watchHealth(fn: (status: NodeStatus | undefined) => void): () => void };
}

/**
 * The one input pipeline of the Cx nodes: a setup error fails the message at once; otherwise the
 * in-flight count shows while calls run, then the outcome of the last one (throttled, see
 * {@link ThrottledStatus}; no timer outlives the node); a success ends with
 * `send(msg); done()`, a failure with `done(err)` and the error's code and safe details on msg.cx
 * (see README "Errors"). Messages overlap freely; none is dropped.
 */
export function handleInput<M extends CxMessage, R>(RED: NodeAPI, node: Node, spec: InputSpec<M, R>): void {
  const errorStatus = (e: CxError): NodeStatus => ({
    fill: 'red',
    shape: 'ring',
    text: RED._(`${spec.type}.status.error`, { code: e.code }),
  });
  let inFlight = 0;
  let last: NodeStatus | undefined;
  let cancelStale: (() => void) | undefined;
  const status = new ThrottledStatus(node);
  let outage: NodeStatus | undefined;
  const show = () => {
    if (inFlight > 0)
      status.set({ fill: 'blue', shape: 'ring', text: RED._(`${spec.type}.status.calling`, { count: inFlight }) });
    else if (outage) status.set(outage);
    else status.set(last ?? {});
  };
  const settle = (next: NodeStatus, stale?: { at: number; status: NodeStatus }) => {
    cancelStale?.();
    cancelStale = undefined;
    last = next;
    if (stale)
      cancelStale = at(stale.at, () => {
        cancelStale = undefined;
        last = stale.status;
        show();
      });
  };
  const { setupError } = spec;
  // Cx unreachable: the countdown shows here too, and the last outcome again once Cx answers.
  const stopWatching = setupError
    ? undefined
    : spec.health?.watchHealth((st) => {
        outage = st;
        show();
      });
  node.on('close', () => {
    stopWatching?.();
    cancelStale?.();
    status.close();
  });
  if (setupError) status.set(errorStatus(setupError));

  node.on('input', (m, send, done) => {
    const msg = m as M;
    if (setupError) {
      status.set(errorStatus(setupError));
      msg.cx = errorInfo(setupError);
      done(setupError);
      return;
    }
    const about = spec.describe ? spec.describe(msg) : {};
    inFlight++;
    show();
    let work: Promise<R>;
    try {
      work = spec.run(msg, about, (st) => status.set(st));
    } catch (err) {
      work = Promise.reject(err);
    }
    work.then(
      (result) => {
        inFlight--;
        settle(spec.okStatus(result), spec.staleStatus?.(result));
        show();
        spec.deliver(msg, result, about);
        send(msg);
        done();
      },
      (err: unknown) => {
        const e = asCxError(err);
        inFlight--;
        settle(errorStatus(e));
        show();
        msg.cx = { ...about, ...errorInfo(e) };
        done(e);
      },
    );
  });
}
