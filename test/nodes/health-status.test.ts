// cx-config's "Cx unreachable, next try in N s" status (README "Retries, back-off and the queue"),
// on a fake clock and timers: the countdown is tested without sleeping.
import assert from 'node:assert/strict';
import type { NodeStatus } from 'node-red';
import { HealthStatus } from '../../nodes/adapter/health-status';
import { STATUS_INTERVAL_MS } from '../../nodes/adapter/status';
import type { CxHealth } from '../../nodes/lib';
import { FakeTime } from '../helpers/fake-time';

/** A stand-in config node; texts keep their catalogue key and the seconds (as `key N`). */
function setup() {
  const time = new FakeTime();
  const shown: NodeStatus[] = [];
  const warned: string[] = [];
  const logged: string[] = [];
  const node = {
    status: (s: NodeStatus) => shown.push(s),
    warn: (m: unknown) => warned.push(String(m)),
    log: (m: unknown) => logged.push(String(m)),
  };
  const t = (key: string, subs?: Record<string, string | number>) =>
    subs?.seconds === undefined ? key : `${key} ${subs.seconds}`;
  const health = new HealthStatus(node, t, time, time);
  const texts = () => shown.map((s) => s.text ?? '');
  return { time, shown, warned, logged, health, texts };
}

const open = (retryInMs: number): CxHealth => ({ state: 'open', retryInMs, lastFailure: 'CX_HTTP 503' });
const UNREACHABLE = 'cx-config.status.unreachable';
const PROBING = 'cx-config.status.probing';
const PROBE_DUE = 'cx-config.status.probeDue';

describe('cx-config status while Cx is unreachable', () => {
  it('counts down once a second while the connection fails fast, then stops', async () => {
    const { time, shown, texts, health, warned } = setup();
    health.update(open(4000));
    assert.deepEqual(shown, [{ fill: 'red', shape: 'ring', text: `${UNREACHABLE} 4` }]);
    await time.advance(999);
    assert.deepEqual(texts(), [`${UNREACHABLE} 4`], 'not before the number changes');
    await time.advance(1);
    assert.deepEqual(texts(), [`${UNREACHABLE} 4`, `${UNREACHABLE} 3`]);
    await time.advance(2000);
    assert.deepEqual(
      texts(),
      [4, 3, 2, 1].map((n) => `${UNREACHABLE} ${n}`),
    );
    await time.advance(1000);
    assert.equal(shown.length, 4, 'nothing at 0: the connection announces the probe itself');
    assert.equal(time.timers, 0, 'the countdown has ended');
    assert.equal(warned.length, 1);
    assert.match(warned[0], /failingFast/);
  });

  it('a part second shows as the next whole one, and drops when it ends', async () => {
    const { time, texts, health } = setup();
    health.update(open(2500));
    await time.advance(499);
    assert.deepEqual(texts(), [`${UNREACHABLE} 3`]);
    await time.advance(1);
    assert.deepEqual(texts(), [`${UNREACHABLE} 3`, `${UNREACHABLE} 2`]);
  });

  it('says a probe is due or on its way, and clears once Cx answers, with one log line each way', async () => {
    const { time, shown, texts, health, warned, logged } = setup();
    health.update(open(2000));
    await time.advance(2000);
    health.update({ state: 'probe-due', retryInMs: 0 });
    assert.deepEqual(shown[shown.length - 1], { fill: 'yellow', shape: 'ring', text: PROBE_DUE });
    health.update({ state: 'probing', retryInMs: 0 });
    await time.advance(STATUS_INTERVAL_MS);
    assert.deepEqual(shown[shown.length - 1], { fill: 'yellow', shape: 'ring', text: PROBING });
    // The probe failed: a longer interval, counted down again, without a second warning.
    health.update(open(4000));
    await time.advance(STATUS_INTERVAL_MS);
    assert.equal(texts()[texts().length - 1], `${UNREACHABLE} 4`);
    await time.advance(1000);
    assert.equal(texts()[texts().length - 1], `${UNREACHABLE} 3`);
    health.update({ state: 'closed', retryInMs: 0 });
    await time.advance(STATUS_INTERVAL_MS);
    assert.deepEqual(shown[shown.length - 1], {}, 'the status is cleared');
    const count = shown.length;
    await time.advance(10000);
    assert.equal(shown.length, count, 'no countdown after Cx is back');
    assert.equal(time.timers, 0);
    assert.equal(warned.length, 1, 'one warning when Cx went away');
    assert.deepEqual(logged, ['cx-config.status.reachable']);
  });

  it('is throttled: changes within the interval show as the latest one', async () => {
    const { time, texts, health } = setup();
    health.update(open(2000));
    health.update({ state: 'probing', retryInMs: 0 });
    health.update(open(8000));
    assert.deepEqual(texts(), [`${UNREACHABLE} 2`]);
    await time.advance(STATUS_INTERVAL_MS);
    assert.deepEqual(texts(), [`${UNREACHABLE} 2`, `${UNREACHABLE} 8`]);
  });

  it('close() (a redeploy) stops the countdown and leaves no timer', async () => {
    const { time, shown, health } = setup();
    health.update(open(60000));
    health.update({ state: 'probing', retryInMs: 0 }); // a throttled update pending too
    assert.ok(time.timers >= 1);
    health.close();
    assert.equal(time.timers, 0);
    await time.advance(60000);
    assert.equal(shown.length, 1);
  });
});
