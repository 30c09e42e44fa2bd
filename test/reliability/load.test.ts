import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CxSimulator, startSimulator } from '../../simulator';
import { FlowNode, Msg, PASSWORD, RC, TestNode, USER, cxConfig, cxNodes, helper, until } from '../helpers/red';
import { unhandledRejections } from '../helpers/reliability';

/** `npm run test:load` multiplies every count (CX_LOAD_SCALE=10: 20,000 messages, 500 redeploys). */
const SCALE = Math.max(1, Number(process.env.CX_LOAD_SCALE) || 1);
const CREDS = { cfg: { username: USER, password: PASSWORD } };
const MB = 1024 * 1024;

/**
 * The test helper spies on Node.prototype (send, status, error...) and on the log, and a spy
 * keeps every call's arguments: forget them, so that the heap measures the pack, not the harness.
 */
function forgetSpyHistory(): void {
  const h = helper as unknown as {
    _NodePrototype: Record<string, { resetHistory?: () => void }>;
    _logSpy?: { resetHistory(): void };
  };
  for (const m of ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send']) h._NodePrototype[m]?.resetHistory?.();
  h._logSpy?.resetHistory();
}

/** A real collector even without --expose-gc (the flag can be set at run time; a new context sees it). */
function collector(): () => void {
  if (typeof global.gc === 'function') return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const flow = (url: string, name = 'c'): FlowNode[] => [
  { id: 'f1', type: 'tab', label: 'load' },
  // Time queued counts toward the timeout: 2,000 messages at once on a loaded machine need a wide one.
  cxConfig('cfg', url, { maxConcurrent: 8, timeout: 120, maxQueue: 50000 }),
  {
    id: 'c1',
    type: 'cx-call',
    z: 'f1',
    name,
    cx: 'cfg',
    service: RC,
    method: 'getVATCodes',
    refusalIsError: true,
    wires: [['out']],
  },
  { id: 'out', type: 'helper', z: 'f1', wires: [] },
  { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
  { id: 'caught', type: 'helper', z: 'f1', wires: [] },
];

/**
 * Counts how each tagged message ended, keeping only the tag and the error code (so that the
 * count itself retains no messages), and wakes waiters on every change.
 */
class Tally {
  readonly outputs = new Map<number, number>();
  readonly errors = new Map<number, string>();
  duplicates = 0;
  /** Weak references to every message that came out, to check that nothing keeps them. */
  readonly sent: WeakRef<object>[] = [];
  private wake = () => {};

  /** Listens to a deployed cx-call node: every send and every error it reports. */
  watch(node: TestNode): void {
    node.on('call:send', (call: { args: unknown[] }) => {
      const msg = call.args[0] as Msg;
      this.sent.push(new WeakRef(msg));
      this.record(msg.i, undefined);
    });
    node.on('call:error', (call: { args: unknown[] }) =>
      this.record((call.args[1] as Msg).i, (call.args[0] as { code?: string }).code ?? 'no code'),
    );
  }

  get ended(): number {
    return this.outputs.size + this.errors.size;
  }

  codes(): Record<string, number> {
    const c: Record<string, number> = {};
    for (const code of this.errors.values()) c[code] = (c[code] ?? 0) + 1;
    return c;
  }

  async until(cond: () => boolean): Promise<void> {
    while (!cond())
      await new Promise<void>((r) => {
        this.wake = r;
      });
  }

  private record(i: number, code: string | undefined) {
    if (typeof i !== 'number') return;
    if (this.outputs.has(i) || this.errors.has(i)) this.duplicates++;
    if (code === undefined) this.outputs.set(i, this.outputs.size);
    else this.errors.set(i, code);
    this.wake();
  }
}

/** Load and lifecycle: thousands of messages, a token expiry, redeploys and a Cx restart, nothing lost, leaked or left running. */
describe('reliability: load and lifecycle', function () {
  this.timeout(120000 * SCALE);
  let sim: CxSimulator;
  const rejections = unhandledRejections();
  const gc = collector();

  before(async () => {
    rejections.install();
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  afterEach(async () => {
    await helper.unload();
    sim.reset();
  });
  after(async () => {
    await sim.close();
    rejections.uninstall();
    assert.deepEqual(rejections.seen, [], 'no unhandled rejection');
  });

  it(`${2000 * SCALE} messages into one cx-call capped at 8: each ends once, never more than 8 in flight, one extra login for a mid-load expiry, no message kept, heap bounded`, async () => {
    const total = 2000 * SCALE;
    await helper.load(cxNodes, flow(sim.url), CREDS);
    const c1 = helper.getNode('c1');
    const tally = new Tally();
    tally.watch(c1);
    // Warm up (login, WSDL, sockets, JIT), then take the baseline.
    for (let i = 0; i < 50; i++) c1.receive({ payload: {}, i: -1 - i });
    await until(() => sim.stats().calls >= 51 && sim.stats().inFlight === 0, 'the warm-up');
    // Every warm-up message out before the count restarts, or a late one would be counted in it.
    await tally.until(() => tally.ended >= 50);
    await new Promise((r) => setImmediate(r));
    forgetSpyHistory();
    gc();
    const baseline = process.memoryUsage().heapUsed;
    sim.resetStats();
    tally.outputs.clear();

    let expiredAt = -1;
    // A little latency at the simulator, so that calls overlap there and the cap is what limits them.
    sim.inject('latency', { count: total + 8, ms: 4 });
    for (let i = 0; i < total; i++) c1.receive({ payload: {}, i });
    await tally.until(() => {
      if (expiredAt < 0 && tally.outputs.size >= total / 4) {
        expiredAt = tally.outputs.size;
        sim.expireTokens();
      }
      return tally.ended >= total;
    });

    assert.equal(tally.duplicates, 0, 'no message ended twice');
    assert.deepEqual(tally.codes(), {}, 'no errors');
    assert.equal(tally.outputs.size, total, 'every message came out');
    for (let i = 0; i < total; i++) assert.ok(tally.outputs.has(i), `message ${i} came out`);
    const st = sim.stats();
    assert.ok(st.maxInFlight <= 8, `max in flight at the simulator: ${st.maxInFlight}`);
    assert.equal(st.maxInFlight, 8, 'the calls ran 8 at a time');
    assert.equal(st.logins, 1, 'exactly one extra login after the expiry');
    assert.ok(expiredAt > 0 && expiredAt < total);

    await new Promise((r) => setImmediate(r));
    forgetSpyHistory();
    gc();
    // What would leak per message is the message itself (or its answer): none may be kept.
    const kept = tally.sent.filter((r) => r.deref() !== undefined).length;
    assert.equal(kept, 0, `${kept} of ${tally.sent.length} output messages are still reachable`);
    // A gross bound on everything else, with room for the JIT and the runtime's own caches.
    const grown = process.memoryUsage().heapUsed - baseline;
    assert.ok(grown < 32 * MB, `heap grew by ${(grown / MB).toFixed(1)} MB over ${total} messages`);
  });

  it(`${50 * SCALE} redeploys while messages flow: none vanish, those in flight end with CX_CLOSED, no handle, socket, timer or listener left`, async () => {
    const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const listeners = () => Object.fromEntries(process.eventNames().map((e) => [String(e), process.listenerCount(e)]));
    // Baseline after one load/unload, so that the runtime's own lazily made timers are counted in it.
    await helper.load(cxNodes, flow(sim.url), CREDS);
    await helper.unload();
    await new Promise((r) => setImmediate(r));
    const before = {
      resources: resources(),
      handles: (process as any)._getActiveHandles().length as number,
      listeners: listeners(),
    };

    const redeploys = 50 * SCALE;
    const perRound = 20;
    const tally = new Tally();
    await helper.load(cxNodes, flow(sim.url), CREDS);
    let sent = 0;
    for (let round = 0; round < redeploys; round++) {
      const c1 = helper.getNode('c1');
      tally.watch(c1);
      // The first message logs in; then some calls reach the simulator and hang, so that each
      // redeploy meets calls in flight (and others still queued or answered).
      c1.receive({ payload: {}, i: sent++ });
      await tally.until(() => tally.ended >= sent);
      sim.inject('hang', { count: 2 });
      for (let k = 1; k < perRound; k++) c1.receive({ payload: {}, i: sent++ });
      await until(() => sim.stats().inFlight >= 2, 'calls in flight');
      await helper.setFlows(flow(sim.url, `v${round}`), 'full', CREDS);
    }
    helper.getNode('c1').receive({ payload: {}, i: sent++ });
    tally.watch(helper.getNode('c1'));
    await tally.until(() => tally.ended >= sent);
    await helper.unload();

    assert.equal(tally.duplicates, 0);
    assert.equal(tally.ended, sent, 'outputs + errors == inputs');
    const codes = tally.codes();
    assert.deepEqual(Object.keys(codes), ['CX_CLOSED'], JSON.stringify(codes));
    assert.ok(codes.CX_CLOSED >= 2 * redeploys, `${codes.CX_CLOSED} ended with CX_CLOSED`);
    assert.ok(tally.outputs.size > 0, 'most calls were answered');

    await until(
      () => resources().length <= before.resources.length,
      `active resources back to [${before.resources.join(',')}] (now [${resources().join(',')}])`,
    );
    assert.ok((process as any)._getActiveHandles().length <= before.handles, 'no handle left');
    assert.deepEqual(listeners(), before.listeners, 'no process listener left');
  });

  it('Cx restarted under load on the same port: CX_NETWORK, then failing fast while it is down; normal answers after, no stuck state', async () => {
    const first = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
    const port = first.port;
    let current = first;
    try {
      await helper.load(cxNodes, flow(first.url), CREDS);
      const c1 = helper.getNode('c1');
      const tally = new Tally();
      tally.watch(c1);
      const n = 200 * SCALE;
      let sent = 0;
      const burst = (count: number) => {
        for (let k = 0; k < count; k++) c1.receive({ payload: {}, i: sent++ });
      };

      burst(n);
      await tally.until(() => tally.outputs.size >= n / 4);
      await first.close(); // under load: calls in flight and queued
      await tally.until(() => tally.ended >= n);
      const down = tally.codes();
      // The first failures say why; after five in a row the connection fails fast (README "Retries, back-off and the queue").
      assert.ok(down.CX_NETWORK >= 1, JSON.stringify(down));
      assert.ok(
        Object.keys(down).every((c) => c === 'CX_NETWORK' || c === 'CX_UNAVAILABLE'),
        JSON.stringify(down),
      );

      burst(20); // while it is down
      await tally.until(() => tally.ended >= n + 20);
      for (let i = n; i < n + 20; i++)
        assert.match(tally.errors.get(i) ?? '', /^CX_(NETWORK|UNAVAILABLE)$/, `message ${i} while down`);

      current = await startSimulator({ port, user: USER, password: PASSWORD, quiet: true });
      // One message at a time until the fail-fast interval ends and a probe finds Cx back.
      const okBefore = tally.outputs.size;
      for (let tries = 0; tally.outputs.size === okBefore; tries++) {
        assert.ok(tries < 1000, 'Cx was found back');
        burst(1);
        await tally.until(() => tally.ended >= sent);
        if (tally.outputs.size === okBefore) await new Promise((r) => setTimeout(r, 100));
      }
      burst(n);
      await tally.until(() => tally.ended >= sent);
      assert.equal(tally.outputs.size - okBefore, n + 1, 'every message after the restart is answered');
      assert.equal(tally.duplicates, 0);
      assert.equal(tally.ended, sent);
      assert.equal(current.stats().logins, 1, 'one login at the new Cx');
      assert.ok(current.stats().maxInFlight <= 8);
      assert.equal(current.stats().inFlight, 0);
    } finally {
      await current.close();
    }
  });
});
