import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Node, NodeStatus } from 'node-red';
import { STATUS_INTERVAL_MS, ThrottledStatus, at } from '../../nodes/adapter/status';
import { until } from '../helpers/red';

/** A stand-in node that records the statuses it is given. */
function fakeNode(): { node: Node; shown: NodeStatus[] } {
  const shown: NodeStatus[] = [];
  const node = Object.assign(new EventEmitter(), { status: (s: NodeStatus) => shown.push(s) });
  return { node: node as unknown as Node, shown };
}

/** Waits longer than the throttle's interval, on a timer of its own. */
const pastInterval = () => new Promise((r) => setTimeout(r, STATUS_INTERVAL_MS * 2));

describe('node status throttle', () => {
  it('shows the first state at once, then at most one per interval, and the latest in the end', async () => {
    const { node, shown } = fakeNode();
    const status = new ThrottledStatus(node);
    for (let i = 1; i <= 100; i++) status.set({ text: `calling (${i})` });
    assert.deepEqual(shown, [{ text: 'calling (1)' }]);
    status.set({ text: 'ok' });
    await until(() => shown.length === 2, 'the trailing update');
    assert.deepEqual(shown[1], { text: 'ok' });
    await pastInterval();
    assert.equal(shown.length, 2, 'nothing more');
    status.set({ text: 'ok' });
    assert.equal(shown.length, 2, 'a state already shown is not sent again');
    status.close();
  });

  it('close() drops a pending update and leaves no timer', async () => {
    const { node, shown } = fakeNode();
    const status = new ThrottledStatus(node);
    status.set({ text: 'a' });
    status.set({ text: 'b' });
    status.close();
    await pastInterval();
    assert.deepEqual(shown, [{ text: 'a' }]);
  });

  it('at() runs at a wall-clock time, at once for a past one, and not at all once cancelled', async () => {
    const ran: string[] = [];
    at(Date.now() - 1000, () => ran.push('past'));
    assert.deepEqual(ran, ['past']);
    at(Date.now() + 20, () => ran.push('soon'));
    const cancel = at(Date.now() + 30, () => ran.push('cancelled'));
    cancel();
    // Far beyond setTimeout's 24.8-day ceiling: armed in steps, and cancellable.
    at(Date.now() + 100 * 24 * 3600 * 1000, () => ran.push('far'))();
    await until(() => ran.length === 2, 'the timed run');
    await pastInterval();
    assert.deepEqual(ran, ['past', 'soon']);
  });
});
