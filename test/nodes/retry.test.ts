// The retry, queue and fail-fast settings as a flow uses them: cx-call's Retry and Safe to repeat,
// cx-config's Queue limit and its "Cx unreachable" status (README "Retries, back-off and the queue").
import assert from 'node:assert/strict';
import { STATUS_INTERVAL_MS } from '../../nodes/adapter/status';
import type { CxConfigNode } from '../../nodes/adapter/types';
import {
  EMPTY_GUID,
  FlowNode,
  Msg,
  PASSWORD,
  RC,
  Recorder,
  USER,
  cxConfig,
  cxNodes,
  helper,
  showsStatus,
  statuses,
  until,
  useFlowSimulator,
} from '../helpers/red';

const CREDS = { cfg: { username: USER, password: PASSWORD } };
const READ = { WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID };
const WRITE = { ...READ, RepairStatusCode: 'WIP' };

function flow(url: string, call: Record<string, unknown>, configProps: Record<string, unknown> = {}): FlowNode[] {
  return [
    { id: 'f1', type: 'tab', label: 'retry' },
    cxConfig('cfg', url, configProps),
    {
      id: 'c1',
      type: 'cx-call',
      z: 'f1',
      cx: 'cfg',
      service: RC,
      method: 'GetRepairWorkOrderDetails',
      payload: 'payload',
      payloadType: 'msg',
      wires: [['out']],
      ...call,
    },
    { id: 'out', type: 'helper', z: 'f1', wires: [] },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1', wires: [] },
  ];
}

describe('cx nodes: retries, queue limit, failing fast (simulator)', function () {
  this.timeout(20000);
  const cx = useFlowSimulator();

  it('a read marked safe to repeat rides out a 503: msg.cx.attempts, and the status says it is retrying', async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, { retryAttempts: '3', retryMaxTotal: '30', safeToRepeat: true }),
      CREDS,
    );
    const out = new Recorder(helper.getNode('out'));
    helper.getNode('c1').receive({ payload: READ });
    await out.next(); // logged in: the 503 meets the read itself
    cx.sim.resetStats();
    const seen = statuses(helper.getNode('c1'));
    cx.sim.inject('html503', { count: 1 });
    helper.getNode('c1').receive({ payload: READ });
    const msg = await out.next();
    assert.equal(msg.cx.attempts, 2);
    assert.equal(msg.payload.WorkOrder.WorkOrderReference, 'WO100002');
    assert.ok(
      seen.some(
        (s) => JSON.stringify(s) === JSON.stringify({ fill: 'yellow', shape: 'ring', text: 'cx-call.status.retrying' }),
      ),
      JSON.stringify(seen),
    );
    assert.equal(cx.sim.stats().byOperation.GetRepairWorkOrderDetails, 1);
  });

  it('a write that reached Cx is not repeated without the tick: CX_HTTP with sent true, one attempt', async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, { method: 'UpdateRepairWorksOrderStatus', retryAttempts: 5, safeToRepeat: false }),
      CREDS,
    );
    const caught = new Recorder(helper.getNode('caught'));
    const out = new Recorder(helper.getNode('out'));
    helper.getNode('c1').receive({ payload: WRITE });
    await out.next(); // logged in
    cx.sim.resetStats();
    cx.sim.inject('html503', { count: 1 });
    helper.getNode('c1').receive({ payload: WRITE });
    const msg = await caught.next();
    assert.equal(msg.error.message.includes('(1 attempt made of 5)'), true, msg.error.message);
    assert.equal(msg.cx.code, 'CX_HTTP');
    assert.equal(msg.cx.sent, true);
    assert.equal(msg.cx.attempts, 1);
    assert.equal(cx.sim.stats().calls, 1, 'the one 503, never sent again');
  });

  it('retry settings that cannot work fail every message with CX_CONFIG', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, { retryAttempts: '0' }), CREDS);
    const caught = new Recorder(helper.getNode('caught'));
    helper.getNode('c1').receive({ payload: READ });
    const msg = await caught.next();
    assert.equal(msg.cx.code, 'CX_CONFIG');
    assert.match(msg.error.message, /attempts/);
    assert.equal(cx.sim.stats().calls, 0);
  });

  it('beyond the queue limit a message fails at once with CX_BUSY', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, {}, { maxConcurrent: 1, maxQueue: 2 }), CREDS);
    const caught = new Recorder(helper.getNode('caught'));
    cx.sim.inject('hang', { count: 1e6 });
    for (let i = 0; i < 5; i++) helper.getNode('c1').receive({ payload: READ, i });
    const first = await caught.count(2);
    assert.deepEqual(
      first.map((m) => [m.i, m.cx.code, m.cx.sent]),
      [
        [3, 'CX_BUSY', false],
        [4, 'CX_BUSY', false],
      ],
    );
  });

  it('while Cx is down the connection fails fast and its status says when it tries again; when Cx is back the status clears and the work resumes under the cap', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, {}, { maxConcurrent: 2 }), CREDS);
    const caught = new Recorder(helper.getNode('caught'));
    const out = new Recorder(helper.getNode('out'));
    const cfgStatus = statuses(helper.getNode('cfg'));
    const c1Status = statuses(helper.getNode('c1'));
    helper.getNode('c1').receive({ payload: READ });
    await out.next(); // logged in
    cx.sim.inject('html503', { count: 1e6 });
    cx.sim.resetStats();
    for (let i = 0; i < 5; i++) {
      helper.getNode('c1').receive({ payload: READ });
      await caught.next();
    }
    for (let i = 0; i < 10; i++) helper.getNode('c1').receive({ payload: READ });
    const all = await caught.count(15);
    assert.deepEqual(
      all.map((m) => m.cx.code),
      [...Array(5).fill('CX_HTTP'), ...Array(10).fill('CX_UNAVAILABLE')],
    );
    assert.equal(all[14].cx.sent, false);
    assert.equal(cx.sim.stats().calls, 5, 'nothing sent while failing fast');
    assert.deepEqual(cfgStatus[0], { fill: 'red', shape: 'ring', text: 'cx-config.status.unreachable' });
    // The editor does not draw a config node's status: the nodes using it show the outage too.
    await showsStatus(c1Status, { fill: 'red', shape: 'ring', text: 'cx-config.status.unreachable' });

    // Cx is back. When the fail-fast interval (2 s) ends the status says the next call tests it; the first
    // message is the probe, the others wait for it, then run under the cap (2), not as a burst.
    cx.sim.clearInjections();
    await showsStatus(cfgStatus, { fill: 'yellow', shape: 'ring', text: 'cx-config.status.probeDue' });
    await showsStatus(c1Status, { fill: 'yellow', shape: 'ring', text: 'cx-config.status.probeDue' });
    cx.sim.resetStats();
    for (let i = 0; i < 10; i++) helper.getNode('c1').receive({ payload: READ });
    const back = await out.count(1 + 10);
    assert.ok(back.slice(1).every((m) => m.payload.WorkOrder.WorkOrderReference === 'WO100002'));
    assert.equal(caught.messages.length, 15, 'no error once Cx answers');
    assert.equal(cx.sim.stats().calls, 10);
    assert.ok(cx.sim.stats().maxInFlight <= 2, `in flight at Cx: ${cx.sim.stats().maxInFlight}`);
    await showsStatus(cfgStatus, {});
    await showsStatus(c1Status, { fill: 'green', shape: 'dot', text: 'cx-call.status.ok' });
  });

  it('a redeploy during back-off ends every waiting message at once: CX_CLOSED, not sent, with its attempts', async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, { retryAttempts: 5, retryMaxTotal: 60, safeToRepeat: true }, { maxConcurrent: 2 }),
      CREDS,
    );
    const out = new Recorder(helper.getNode('out'));
    const c1 = helper.getNode('c1');
    c1.receive({ payload: READ });
    await out.next(); // logged in
    const ended: Array<{ code: string; sent: unknown; attempts: unknown }> = [];
    c1.on('call:error', (c: { args: [{ code: string }, Msg] }) =>
      ended.push({ code: c.args[0].code, sent: c.args[1].cx.sent, attempts: c.args[1].cx.attempts }),
    );
    const seen = statuses(c1);
    const cfg = helper.getNode('cfg') as unknown as CxConfigNode;
    // Cx asks for 30 s: the first five wait that long; then the connection fails fast and the
    // others wait for its next probe. No attempt is due before the redeploy.
    cx.sim.inject('html503', { count: 1e6, retryAfter: 30 });
    cx.sim.resetStats();
    const n = 20;
    const started = Date.now();
    for (let i = 0; i < n; i++) c1.receive({ payload: READ, i });
    await until(
      () => cfg.client.load().retrying === n,
      `${n} messages waiting to try again (${JSON.stringify(cfg.client.load())})`,
    );
    assert.deepEqual(cfg.client.load(), { inFlight: 0, queued: 0, retrying: n }, 'waiting messages hold no slot');
    // Twenty retries at once are a few status updates (throttled), the last one saying so.
    await until(() => (seen[seen.length - 1] as { text?: string })?.text === 'cx-call.status.retrying', 'retrying');
    const elapsed = Date.now() - started;
    assert.ok(seen.length <= 2 + Math.ceil(elapsed / STATUS_INTERVAL_MS), `${seen.length} updates in ${elapsed} ms`);
    assert.equal(ended.length, 0);
    const sent = cx.sim.stats().calls;
    assert.ok(sent <= 5 + 2, `requests before failing fast: ${sent}`);
    await helper.setFlows(flow(cx.sim.url, {}), 'full', CREDS);
    await until(() => ended.length === n, `every waiting message to end (${ended.length} so far)`);
    assert.deepEqual(
      ended.map((e) => [e.code, e.sent]),
      Array(n).fill(['CX_CLOSED', false]),
    );
    assert.ok(
      ended.every((e) => e.attempts === 1),
      JSON.stringify(ended.map((e) => e.attempts)),
    );
    assert.equal(cx.sim.stats().calls, sent, 'nothing more was sent');
    assert.equal(out.messages.length, 1);
  });
});
