import { strict as assert } from 'node:assert';
import { Circuit } from '../../nodes/lib/circuit';
import { CxError } from '../../nodes/lib/errors';
import { Limiter } from '../../nodes/lib/limiter';
import { FakeTime, settle } from '../helpers/fake-time';

/** A task that stays running until `open()`; counts how many run at once. */
function gatedTasks() {
  const gates: Array<() => void> = [];
  let running = 0;
  let peak = 0;
  const task = () =>
    new Promise<string>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      gates.push(() => {
        running--;
        resolve('done');
      });
    });
  return {
    task,
    openAll: () => gates.splice(0).forEach((g) => g()),
    get started() {
      return gates.length;
    },
    get peak() {
      return peak;
    },
  };
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: CxError) => `${e.code}${e.details.sent === false ? ' unsent' : ''}`,
  );

describe('Limiter queue bound, deadlines and circuit', () => {
  it('beyond the bound a call fails at once with CX_BUSY, never sent', async () => {
    const time = new FakeTime();
    const lim = new Limiter(2, { maxQueue: 3, clock: time, timers: time });
    const t = gatedTasks();
    const all = Array.from({ length: 7 }, () => outcome(lim.run(t.task)));
    await settle();
    assert.equal(lim.active, 2);
    assert.equal(lim.queued, 3);
    t.openAll();
    await settle();
    t.openAll();
    await settle();
    t.openAll();
    assert.deepEqual(await Promise.all(all), ['ok', 'ok', 'ok', 'ok', 'ok', 'CX_BUSY unsent', 'CX_BUSY unsent']);
    assert.ok(t.peak <= 2);
  });

  it('a call whose deadline passes in the queue fails with CX_TIMEOUT, never sent, and frees its place', async () => {
    const time = new FakeTime();
    const lim = new Limiter(1, { clock: time, timers: time });
    const t = gatedTasks();
    const first = outcome(lim.run(t.task, { deadline: time.now() + 1000 }));
    const second = lim.run(t.task, { deadline: time.now() + 1000 });
    const check = assert.rejects(second, (e: CxError) => {
      assert.equal(e.code, 'CX_TIMEOUT');
      assert.equal(e.details.sent, false);
      assert.match(e.message, /waited 1 s for a free slot/);
      return true;
    });
    await time.advance(1000);
    await check;
    assert.equal(lim.queued, 0);
    t.openAll();
    assert.equal(await first, 'ok', 'a started call is not cut by the queue deadline');
    assert.equal(time.timers, 0);
  });

  it('while the circuit is open, queued and new calls fail fast; one probe, then the queue drains under the cap', async () => {
    const time = new FakeTime();
    const circuit = new Circuit(time, { threshold: 2, baseOpenMs: 5000 }, time);
    const lim = new Limiter(3, { clock: time, timers: time, circuit });
    const failing = () => circuit.guard(() => Promise.reject(new CxError('CX_TIMEOUT', 'no answer', { sent: true })));
    const t = gatedTasks();
    const guarded = () => circuit.guard(t.task);

    const first = [1, 2, 3].map(() => outcome(lim.run(failing)));
    const queued = [1, 2, 3, 4].map(() => outcome(lim.run(guarded)));
    assert.deepEqual(await Promise.all(first), ['CX_TIMEOUT', 'CX_TIMEOUT', 'CX_TIMEOUT']);
    // the circuit opened after two failures: the queue is failed fast, not run against a dead Cx
    assert.deepEqual(await Promise.all(queued), Array(4).fill('CX_UNAVAILABLE unsent'));
    assert.equal(await outcome(lim.run(guarded)), 'CX_UNAVAILABLE unsent');
    assert.equal(t.started, 0);

    await time.advance(5000);
    const later = Array.from({ length: 10 }, () => outcome(lim.run(guarded)));
    await settle();
    assert.equal(t.started, 1, 'one probe');
    assert.equal(lim.queued, 9, 'the rest wait for its answer');
    t.openAll(); // Cx is back
    await settle();
    assert.equal(circuit.state(), 'closed');
    assert.equal(t.started, 3, 'resumed under the cap of 3');
    while (t.started) {
      t.openAll();
      await settle();
    }
    assert.deepEqual(await Promise.all(later), Array(10).fill('ok'));
    assert.ok(t.peak <= 3);
    circuit.close();
  });

  it('close() rejects the queue with CX_CLOSED, never sent, and leaves no timer', async () => {
    const time = new FakeTime();
    const lim = new Limiter(1, { clock: time, timers: time });
    const t = gatedTasks();
    const running = outcome(lim.run(t.task));
    const waiting = [1, 2].map(() => outcome(lim.run(t.task, { deadline: time.now() + 5000 })));
    lim.close();
    assert.deepEqual(await Promise.all(waiting), ['CX_CLOSED unsent', 'CX_CLOSED unsent']);
    assert.equal(time.timers, 0);
    assert.equal(await outcome(lim.run(t.task)), 'CX_CLOSED unsent');
    t.openAll();
    assert.equal(await running, 'ok');
  });
});
