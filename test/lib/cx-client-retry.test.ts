// Retries, the bounded queue and failing fast, against the simulator, with counts from its
// controls. Back-off, deadlines and fail-fast intervals run on a fake clock: no sleeps.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CxClient, CxClientOptions } from '../../nodes/lib';
import { CxError } from '../../nodes/lib/errors';
import type { RetryNotice } from '../../nodes/lib/retry';
import { CxSimulator, startSimulator } from '../../simulator';
import { FakeTime, settle } from '../helpers/fake-time';

const USER = 'Jim.Walker';
const PASSWORD = 'HappyB!rthday';
const RC = 'WSRepairContractorService';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const READ = { WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID };
const WRITE = { WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'WIP' };
const retryRead = { attempts: 5, maxTotalMs: 60000, safeToRepeat: true };

/** Real I/O turns until `done()`; no fixed wait, only a generous bound for a loaded machine. */
async function until(done: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 40000;
  while (!done()) {
    if (Date.now() > end) assert.fail(`never happened: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('Cx client: retries, bounded queue, fail fast (simulator)', function () {
  this.timeout(60000);
  let sim: CxSimulator;
  const clients: CxClient[] = [];
  let time: FakeTime;
  const client = (extra: Partial<CxClientOptions> = {}) => {
    const c = new CxClient({ url: sim.url, username: USER, password: PASSWORD, clock: time, timers: time, ...extra });
    clients.push(c);
    return c;
  };
  const ops = () => sim.stats().byOperation;

  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  beforeEach(() => {
    time = new FakeTime();
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    sim.reset();
  });
  after(async () => {
    await sim.close();
  });

  it('a read that meets two 503s succeeds on the third attempt, with attempts === 3', async () => {
    const c = client();
    await c.call(RC, 'GetRepairWorkOrderDetails', READ); // login and WSDL out of the way
    sim.resetStats();
    sim.inject('html503', { count: 2 });
    const notices: RetryNotice[] = [];
    let settled = false;
    const p = c
      .call(RC, 'GetRepairWorkOrderDetails', READ, { retry: retryRead, onRetry: (n) => notices.push(n) })
      .finally(() => (settled = true));
    while (!settled) {
      await until(() => settled || time.timers > 0, 'a back-off or the answer');
      if (!settled) await time.advance(Math.max(...time.delays()));
    }
    const r = await p;
    assert.equal(r.attempts, 3);
    assert.equal(ops().GetRepairWorkOrderDetails, 1, 'the third attempt reached the operation');
    assert.equal(sim.stats().calls, 3, 'three requests in all');
    assert.deepEqual(
      notices.map((n) => [n.attempt, n.attempts, n.error.code]),
      [
        [2, 5, 'CX_HTTP'],
        [3, 5, 'CX_HTTP'],
      ],
    );
    assert.equal((await c.call(RC, 'GetRepairWorkOrderDetails', READ)).attempts, 1, 'no retry, one attempt');
  });

  it("waits as long as a 503's Retry-After asks", async () => {
    const c = client();
    await c.call(RC, 'GetRepairWorkOrderDetails', READ);
    sim.resetStats();
    sim.inject('html503', { count: 1, retryAfter: 20 });
    const p = c.call(RC, 'GetRepairWorkOrderDetails', READ, { retry: retryRead });
    await until(() => time.timers > 0, 'the back-off');
    assert.deepEqual(time.delays(), [20000]);
    await time.advance(19999);
    assert.equal(sim.stats().calls, 1, 'not before the time Cx asked for');
    await time.advance(1);
    assert.equal((await p).attempts, 2);
  });

  it('a write that timed out after being sent is not retried; the error says so', async () => {
    const c = client({ timeoutMs: 300 });
    await c.call(RC, 'GetRepairWorkOrderDetails', READ);
    sim.resetStats();
    sim.inject('hang', { count: 1 });
    await assert.rejects(
      c.call(RC, 'UpdateRepairWorksOrderStatus', WRITE, { retry: { attempts: 5 } }),
      (e: CxError) => {
        assert.equal(e.code, 'CX_TIMEOUT');
        assert.equal(e.details.sent, true);
        assert.equal(e.details.attempts, 1);
        assert.match(e.message, /may have received the request.*\(1 attempt made of 5\)\.$/);
        return true;
      },
    );
    assert.equal(sim.stats().calls, 1, 'sent once, never again');
    assert.equal(time.timers, 0, 'no back-off was scheduled');
  });

  it('a write that never left (connection refused) is sent again, and the final error counts the attempts', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const c = client({ url: `http://127.0.0.1:${port}/cx` });
    let settled = false;
    const p = c
      .call(RC, 'UpdateRepairWorksOrderStatus', WRITE, { retry: { attempts: 3 } })
      .finally(() => (settled = true));
    const outcome = assert.rejects(p, (e: CxError) => {
      assert.equal(e.code, 'CX_NETWORK');
      assert.equal(e.details.cause, 'ECONNREFUSED');
      assert.equal(e.details.sent, false);
      assert.equal(e.details.attempts, 3);
      assert.match(e.message, /3 attempts made of 3/);
      return true;
    });
    while (!settled) {
      await until(() => settled || time.timers > 0, 'a back-off or the end');
      if (!settled) await time.advance(Math.max(...time.delays()));
    }
    await outcome;
  });

  it('beyond the queue bound a call fails at once with CX_BUSY; queued time counts toward the timeout', async () => {
    const c = client({ maxConcurrent: 2, maxQueue: 3, timeoutMs: 5000 });
    await c.call(RC, 'GetRepairWorkOrderDetails', READ);
    sim.resetStats();
    sim.inject('hang', { count: 2 });
    const calls = Array.from({ length: 7 }, () =>
      c.call(RC, 'GetRepairWorkOrderDetails', READ).then(
        () => 'ok',
        (e: CxError) => `${e.code} ${e.details.sent}`,
      ),
    );
    await until(() => sim.stats().inFlight === 2, 'two hanging calls at the simulator');
    await settle();
    assert.deepEqual(c.load(), { inFlight: 2, queued: 3, retrying: 0 });
    await time.advance(5000); // the queued three run out of time without being sent
    const codes = await Promise.race([Promise.all(calls.slice(2)), new Promise((r) => setImmediate(r))]);
    assert.deepEqual(codes, [
      'CX_TIMEOUT false',
      'CX_TIMEOUT false',
      'CX_TIMEOUT false',
      'CX_BUSY false',
      'CX_BUSY false',
    ]);
    assert.equal(sim.stats().calls, 2, 'nothing beyond the two slots was sent');
    c.close();
    assert.deepEqual(await Promise.all(calls.slice(0, 2)), ['CX_CLOSED true', 'CX_CLOSED true']);
  });

  it('5,000 messages while Cx is down: bounded, each ends in time with a code, one probe at a time, no burst when Cx returns', async () => {
    const cap = 4;
    const timeoutMs = 10000;
    const c = client({
      maxConcurrent: cap,
      maxQueue: 1000,
      timeoutMs,
      failFast: { threshold: 5, baseOpenMs: 2000, maxOpenMs: 4000 },
    });
    await c.call(RC, 'GetRepairWorkOrderDetails', READ);
    sim.inject('html503', { count: 1e9 }); // Cx is down
    sim.resetStats();

    const retry = { attempts: 8, maxTotalMs: 60000, safeToRepeat: true };
    const ends: Array<{ code: string; at: number; start: number; retried: boolean }> = [];
    let peakQueue = 0;
    const total = 5000;
    for (let i = 0; i < total; i++) {
      const retried = i % 2 === 0;
      const start = time.now();
      c.call(RC, 'GetRepairWorkOrderDetails', READ, retried ? { retry } : {}).then(
        () => ends.push({ code: 'ok', at: time.now(), start, retried }),
        (e: CxError) => ends.push({ code: e.code, at: time.now(), start, retried }),
      );
      peakQueue = Math.max(peakQueue, c.load().queued);
    }
    assert.ok(peakQueue <= 1000, `queue peaked at ${peakQueue}`);
    const downCalls = () => sim.stats().calls;
    await until(() => c.health().state === 'open', 'failing fast');
    assert.ok(downCalls() <= 5 + cap, `requests before failing fast: ${downCalls()}`);
    await until(() => ends.length >= total - c.load().retrying && c.load().inFlight === 0, 'the first round');
    assert.equal(c.load().queued, 0);
    assert.ok(
      ends.filter((e) => e.code === 'CX_BUSY').length >= total - 1000 - cap,
      'beyond the bound: CX_BUSY at once',
    );

    // Down for a while: only probes reach Cx, one at a time, whenever waiting messages come back.
    sim.resetStats();
    const downUntil = time.now() + 12000;
    while (time.now() < downUntil) {
      await time.advance(Math.min(downUntil - time.now(), Math.max(1, time.delays()[0] ?? 1000)));
      await until(() => c.load().inFlight === 0, 'the probe to end');
    }
    assert.equal(sim.stats().maxInFlight, 1, 'at most one probe at a time');
    assert.ok(sim.stats().calls >= 2 && sim.stats().calls <= 12000 / 2000, `probes: ${sim.stats().calls}`);
    assert.ok(c.load().retrying > 0, 'messages still waiting to retry');

    // Cx is back: the waiting messages finish under the cap.
    sim.clearInjections();
    sim.resetStats();
    while (ends.length < total) {
      await time.advance(Math.max(1, time.delays()[0] ?? 1000));
      await until(() => c.load().inFlight === 0 && c.load().queued === 0, 'the queue to drain');
    }
    assert.ok(sim.stats().maxInFlight <= cap, `in flight at Cx after the return: ${sim.stats().maxInFlight}`);
    assert.ok(sim.stats().calls > 100, `the waiting work completed: ${sim.stats().calls} calls`);
    const ok = ends.filter((e) => e.code === 'ok');
    assert.equal(ok.length, sim.stats().byOperation.GetRepairWorkOrderDetails);
    for (const e of ends) {
      const limit = e.retried ? retry.maxTotalMs + timeoutMs : timeoutMs;
      assert.ok(e.at - e.start <= limit, `${e.code} ended after ${e.at - e.start} ms`);
      assert.ok(['ok', 'CX_BUSY', 'CX_UNAVAILABLE', 'CX_HTTP'].includes(e.code), `unexpected ${e.code}`);
    }
    assert.ok(ok.length > 0 && ok.every((e) => e.retried), 'the ones that waited to retry got through');
    assert.deepEqual(c.load(), { inFlight: 0, queued: 0, retrying: 0 });
    assert.equal(c.health().state, 'closed');
  });

  it('logins obey the same rule: no login storm while Cx is down', async () => {
    const c = client({ failFast: { threshold: 3, baseOpenMs: 5000 } });
    await c.operations(RC); // the WSDL, but no token yet
    sim.inject('html503', { count: 1e9 });
    sim.resetStats();
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => c.token()));
    for (let i = 0; i < 5; i++) await c.token().catch(() => undefined);
    assert.ok(results.every((r) => r.status === 'rejected'));
    assert.ok(sim.stats().calls <= 3, `login requests while down: ${sim.stats().calls}`);
    // The failed login pauses logins for the login interval (10 s), so the circuit may never see
    // enough failures to open: either answer comes at once, without a request.
    await assert.rejects(c.token(), { code: /^(CX_UNAVAILABLE|CX_HTTP)$/ });
    assert.ok(sim.stats().calls <= 3);
    sim.clearInjections();
    await time.advance(10000);
    await c.token();
    assert.equal(c.health().state, 'closed');
  });

  it('a redeploy during back-off ends every waiting message at once, marked not sent', async () => {
    const c = client();
    await c.call(RC, 'GetRepairWorkOrderDetails', READ);
    sim.inject('html503', { count: 1e9 });
    const outcomes = Array.from({ length: 50 }, () =>
      c.call(RC, 'GetRepairWorkOrderDetails', READ, { retry: retryRead }).then(
        () => 'ok',
        (e: CxError) => `${e.code} sent=${e.details.sent}`,
      ),
    );
    await until(() => c.load().retrying === 50, 'every message waiting to retry');
    assert.deepEqual(c.load(), { inFlight: 0, queued: 0, retrying: 50 }, 'waiting messages hold no slot');
    const before = sim.stats().calls;
    c.close();
    const all = await Promise.race([Promise.all(outcomes), settle().then(() => 'still waiting')]);
    assert.deepEqual(all, Array(50).fill('CX_CLOSED sent=false'));
    assert.equal(time.timers, 0, 'no timer left');
    assert.equal(sim.stats().calls, before, 'nothing more was sent');
  });
});
