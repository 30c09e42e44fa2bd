import assert from 'node:assert/strict';
import { startSimulator } from '../../simulator';
import {
  EMPTY_GUID,
  FlowNode,
  PASSWORD,
  RC,
  Recorder,
  USER,
  cxConfig,
  cxNodes,
  helper,
  settle,
  showsStatus,
  statuses,
  until,
  useFlowSimulator,
} from '../helpers/red';

const CREDS = { cfg: { username: USER, password: PASSWORD } };
const UPDATE = 'UpdateRepairWorksOrderStatus';

/** A flow: the given nodes, each wired to an `out-<id>` helper, plus a Catch into `caught`. */
function flow(url: string, nodes: FlowNode[], configProps: Record<string, unknown> = {}): FlowNode[] {
  const out: FlowNode[] = [cxConfig('cfg', url, configProps)];
  for (const n of nodes) {
    out.push({ z: 'f1', x: 100, y: 100, wires: [[`out-${n.id}`]], ...n });
    out.push({ id: `out-${n.id}`, type: 'helper', z: 'f1', x: 300, y: 100, wires: [] });
  }
  out.push({
    id: 'catcher',
    type: 'catch',
    z: 'f1',
    x: 100,
    y: 300,
    scope: null,
    uncaught: false,
    wires: [['caught']],
  });
  out.push({ id: 'caught', type: 'helper', z: 'f1', x: 300, y: 300, wires: [] });
  out.unshift({ id: 'f1', type: 'tab', label: 'test' });
  return out;
}

const call = (id: string, props: Record<string, unknown> = {}): FlowNode => ({
  id,
  type: 'cx-call',
  cx: 'cfg',
  service: RC,
  method: 'getVATCodes',
  refusalIsError: true,
  payload: 'payload',
  payloadType: 'msg',
  ...props,
});

describe('cx nodes in a flow (simulator)', function () {
  this.timeout(15000);
  const cx = useFlowSimulator();

  const recorders = (...ids: string[]) => ids.map((id) => new Recorder(helper.getNode(id)));

  it('cx-call outputs the result with msg.cx, and keeps the rest of the message', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1', { method: 'GetRepairWorkOrderDetails' })]), CREDS);
    const [out, caught] = recorders('out-c1', 'caught');
    const seen = statuses(helper.getNode('c1'));
    helper
      .getNode('c1')
      .receive({ payload: { WorkOrderUid: EMPTY_GUID, WorkOrderReference: 'WO100002' }, topic: 'kept' });
    const msg = await out.next();
    assert.equal(msg.payload.WorkOrder.WorkOrderReference, 'WO100002');
    assert.equal(msg.topic, 'kept');
    assert.deepEqual(Object.keys(msg.cx).sort(), ['attempts', 'durationMs', 'method', 'retried', 'service']);
    assert.equal(msg.cx.attempts, 1);
    assert.equal(msg.cx.service, RC);
    assert.equal(msg.cx.method, 'GetRepairWorkOrderDetails');
    assert.equal(msg.cx.retried, false);
    assert.equal(typeof msg.cx.durationMs, 'number');
    assert.equal(caught.messages.length, 0);
    await settle();
    assert.deepEqual(seen[0], { fill: 'blue', shape: 'ring', text: 'cx-call.status.calling' });
    await showsStatus(seen, { fill: 'green', shape: 'dot', text: 'cx-call.status.ok' });
  });

  it('two cx-call nodes and a cx-token node on one connection share one login', async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [call('c1'), call('c2'), { id: 't1', type: 'cx-token', cx: 'cfg' }]),
      CREDS,
    );
    const [o1, o2, ot] = recorders('out-c1', 'out-c2', 'out-t1');
    for (let i = 0; i < 5; i++) {
      helper.getNode('c1').receive({ payload: {} });
      helper.getNode('c2').receive({ payload: {} });
    }
    helper.getNode('t1').receive({ payload: 'go' });
    await Promise.all([o1.count(5), o2.count(5), ot.count(1)]);
    assert.equal(cx.sim.stats().logins, 1);
    const t = ot.messages[0].payload;
    assert.equal(typeof t.token, 'string');
    assert.ok(t.token.length > 0);
    assert.ok(!Number.isNaN(Date.parse(t.expiry)), `expiry ${t.expiry}`);
  });

  it('cx-token: msg.refresh === true within the login interval does not log in again, and shows "valid until"', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [{ id: 't1', type: 'cx-token', cx: 'cfg' }]), CREDS);
    const [ot] = recorders('out-t1');
    const seen = statuses(helper.getNode('t1'));
    helper.getNode('t1').receive({});
    const first = (await ot.next()).payload;
    helper.getNode('t1').receive({});
    const same = (await ot.next()).payload;
    helper.getNode('t1').receive({ refresh: true });
    const refreshed = (await ot.next()).payload;
    assert.equal(same.token, first.token);
    assert.equal(refreshed.token, first.token);
    assert.equal(cx.sim.stats().logins, 1);
    await settle();
    await showsStatus(seen, { fill: 'green', shape: 'dot', text: 'cx-token.status.validUntil' });
  });

  it('retries an expired token invisibly: one output, msg.cx.retried', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1')]), CREDS);
    const [out, caught] = recorders('out-c1', 'caught');
    helper.getNode('c1').receive({ payload: {} });
    await out.next();
    cx.sim.expireTokens();
    helper.getNode('c1').receive({ payload: {} });
    const msg = await out.next();
    assert.equal(msg.cx.retried, true);
    await settle();
    assert.equal(out.messages.length, 2);
    assert.equal(caught.messages.length, 0);
    assert.equal(cx.sim.stats().logins, 2);
  });

  it('a refused status move reaches Catch as CX_REFUSED, with no output', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1', { method: UPDATE })]), CREDS);
    const [out, caught] = recorders('out-c1', 'caught');
    const seen = statuses(helper.getNode('c1'));
    // WO100008 is Cancelled: a final status.
    helper.getNode('c1').receive({
      payload: { WorkOrderReference: 'WO100008', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' },
      _msgid: 'm1',
    });
    const err = await caught.next();
    assert.equal(err.error.code, 'CX_REFUSED');
    assert.match(err.error.message, /Cancelled/);
    assert.doesNotMatch(err.error.message, /^CxError/, 'the message alone, as a flow author reads it');
    assert.equal(err.error.source.id, 'c1');
    assert.equal(err.payload.RepairStatusCode, 'ISS', 'Catch gets the original message');
    // The code and Cx's answer travel on msg.cx too (Node-RED copies only message and code).
    assert.equal(err.cx.code, 'CX_REFUSED');
    assert.equal(err.cx.service, RC);
    assert.equal(err.cx.method, UPDATE);
    assert.match(err.cx.invalidReason, /Cancelled/);
    assert.equal(err.cx.result.IsValid, false);
    await settle();
    assert.equal(out.messages.length, 0);
    await showsStatus(seen, { fill: 'red', shape: 'ring', text: 'cx-call.status.error' });
  });

  it('the old property refusalIsError false still outputs the refusal as data', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1', { method: UPDATE, refusalIsError: false })]), CREDS);
    const [out, caught] = recorders('out-c1', 'caught');
    helper
      .getNode('c1')
      .receive({ payload: { WorkOrderReference: 'WO100008', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' } });
    const msg = await out.next();
    assert.equal(msg.payload.IsValid, false);
    assert.match(String(msg.payload.InvalidReason), /Cancelled/);
    assert.equal(caught.messages.length, 0);
  });

  const refused = { WorkOrderReference: 'WO100008', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' };

  it('refusalsAsData true outputs the refusal as data', async () => {
    const props = { method: UPDATE, refusalIsError: undefined, refusalsAsData: true };
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1', props)]), CREDS);
    const [out, caught] = recorders('out-c1', 'caught');
    helper.getNode('c1').receive({ payload: refused });
    const msg = await out.next();
    assert.equal(msg.payload.IsValid, false);
    assert.equal(caught.messages.length, 0);
  });

  it('a node with neither property, or refusalsAsData false, fails a refusal with CX_REFUSED', async () => {
    const plain = { method: UPDATE, refusalIsError: undefined };
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [call('c1', plain), call('c2', { ...plain, refusalsAsData: 'false' })]),
      CREDS,
    );
    const [caught] = recorders('caught');
    helper.getNode('c1').receive({ payload: refused });
    helper.getNode('c2').receive({ payload: refused });
    const all = await caught.count(2);
    assert.deepEqual(
      all.map((m) => m.error.code),
      ['CX_REFUSED', 'CX_REFUSED'],
    );
  });

  it('a flow saved with the old refusalIsError keeps its behaviour beside the new default', async () => {
    // An old flow imported into a new editor carries the old property and the new one's default.
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [call('c1', { method: UPDATE, refusalIsError: 'false', refusalsAsData: false })]),
      CREDS,
    );
    const [out] = recorders('out-c1');
    helper.getNode('c1').receive({ payload: refused });
    assert.equal((await out.next()).payload.IsValid, false);
  });

  it('a TLS node named by id but not deployed is CX_CONFIG, not silently ignored', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1')], { tls: 'no-such-tls' }), CREDS);
    const [out, caught] = recorders('out-c1', 'caught');
    helper.getNode('c1').receive({ payload: {} });
    const err = await caught.next();
    assert.equal(err.error.code, 'CX_CONFIG');
    assert.match(err.error.message, /TLS configuration node/);
    assert.equal(out.messages.length, 0);
    assert.equal(cx.sim.stats().logins, 0);
  });

  it('cx-token shows how many requests are in flight, then the outcome', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [{ id: 't1', type: 'cx-token', cx: 'cfg' }]), CREDS);
    const [ot] = recorders('out-t1');
    const seen = statuses(helper.getNode('t1'));
    helper.getNode('t1').receive({});
    helper.getNode('t1').receive({});
    await ot.count(2);
    await settle();
    assert.deepEqual(seen[0], { fill: 'blue', shape: 'ring', text: 'cx-token.status.calling' });
    await showsStatus(seen, { fill: 'green', shape: 'dot', text: 'cx-token.status.validUntil' });
  });

  it('cx-call does not update its status twice per message under load; the outcome shows in the end', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1')]), CREDS);
    const [out] = recorders('out-c1');
    const seen = statuses(helper.getNode('c1'));
    for (let i = 0; i < 100; i++) helper.getNode('c1').receive({ payload: {} });
    await out.count(100);
    await showsStatus(seen, { fill: 'green', shape: 'dot', text: 'cx-call.status.ok' });
    assert.ok(seen.length < 50, `${seen.length} status updates for 100 messages`);
  });

  it('cx-token stops showing "valid until" once that time has passed', async () => {
    const shortSim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true, tokenTtlSeconds: 2 });
    try {
      await helper.load(
        cxNodes,
        flow(shortSim.url, [{ id: 't1', type: 'cx-token', cx: 'cfg' }], { refreshMargin: 0 }),
        CREDS,
      );
      const [ot] = recorders('out-t1');
      const seen = statuses(helper.getNode('t1'));
      helper.getNode('t1').receive({});
      const { expiry } = (await ot.next()).payload;
      assert.ok(Date.parse(expiry) > Date.now(), `expiry ${expiry} still ahead`);
      await showsStatus(seen, { fill: 'green', shape: 'dot', text: 'cx-token.status.validUntil' });
      await until(() => Date.now() > Date.parse(expiry), 'the expiry', 10000);
      await showsStatus(seen, { fill: 'yellow', shape: 'ring', text: 'cx-token.status.expired' });
    } finally {
      await helper.unload();
      await shortSim.close();
    }
  });

  it('a wrong password reaches Catch as CX_LOGIN_FAILED, and a second message makes no second login', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1'), { id: 't1', type: 'cx-token', cx: 'cfg' }]), {
      cfg: { username: USER, password: 'wrong' },
    });
    const [out, outT, caught] = recorders('out-c1', 'out-t1', 'caught');
    helper.getNode('c1').receive({ payload: {} });
    const first = await caught.next();
    assert.equal(first.error.code, 'CX_LOGIN_FAILED');
    helper.getNode('c1').receive({ payload: {} });
    helper.getNode('t1').receive({});
    const all = await caught.count(3);
    assert.deepEqual(
      all.map((m) => m.error.code),
      ['CX_LOGIN_FAILED', 'CX_LOGIN_FAILED', 'CX_LOGIN_FAILED'],
    );
    assert.equal(cx.sim.stats().failedLogins, 1);
    assert.equal(cx.sim.stats().logins, 0);
    assert.ok(!JSON.stringify(all).includes('wrong'), 'no password in errors');
    await settle();
    assert.equal(out.messages.length + outT.messages.length, 0);
  });

  it("takes service and method from msg when the node leaves them empty; the node's win otherwise", async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1', { service: '', method: '' }), call('c2')]), CREDS);
    const [o1, o2, caught] = recorders('out-c1', 'out-c2', 'caught');
    helper.getNode('c1').receive({ payload: {}, service: RC, method: 'getVATCodes' });
    const m1 = await o1.next();
    assert.equal(m1.cx.service, RC);
    assert.equal(m1.cx.method, 'getVATCodes');
    helper.getNode('c2').receive({ payload: {}, service: 'WSNoSuchService', method: 'Nothing' });
    const m2 = await o2.next();
    assert.equal(m2.cx.method, 'getVATCodes');
    helper.getNode('c1').receive({ payload: {}, service: RC });
    const err = await caught.next();
    assert.equal(err.error.code, 'CX_UNKNOWN_METHOD');
  });

  it('takes a fixed JSON request from the node (payloadType json)', async () => {
    const request = JSON.stringify({ WorkOrderReference: 'WO100003', WorkOrderUid: EMPTY_GUID });
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [call('c1', { method: 'GetRepairWorkOrderDetails', payload: request, payloadType: 'json' })]),
      CREDS,
    );
    const [out] = recorders('out-c1');
    helper.getNode('c1').receive({ payload: 'ignored' });
    const msg = await out.next();
    assert.equal(msg.payload.WorkOrder.WorkOrderReference, 'WO100003');
  });

  it('takes the request from a JSONata expression', async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [
        call('c1', {
          method: 'GetRepairWorkOrderDetails',
          payload: '{"WorkOrderReference": "WO" & $string(ref), "WorkOrderUid": uid}',
          payloadType: 'jsonata',
        }),
      ]),
      CREDS,
    );
    const [out] = recorders('out-c1');
    helper.getNode('c1').receive({ ref: 100004, uid: EMPTY_GUID });
    const msg = await out.next();
    assert.equal(msg.payload.WorkOrder.WorkOrderReference, 'WO100004');
  });

  it("never lets the token out except as cx-token's payload", async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [call('c1'), call('c2', { method: UPDATE }), { id: 't1', type: 'cx-token', cx: 'cfg' }]),
      CREDS,
    );
    const [o1, o2, ot, caught] = recorders('out-c1', 'out-c2', 'out-t1', 'caught');
    const s1 = statuses(helper.getNode('c1'));
    const s2 = statuses(helper.getNode('c2'));
    const st = statuses(helper.getNode('t1'));
    helper.getNode('t1').receive({});
    const token = (await ot.next()).payload.token as string;
    cx.sim.expireTokens();
    helper.getNode('c1').receive({ payload: {} });
    helper
      .getNode('c2')
      .receive({ payload: { WorkOrderReference: 'WO100008', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' } });
    await Promise.all([o1.next(), caught.next()]);
    helper.getNode('t1').receive({ refresh: true });
    const token2 = (await ot.next()).payload.token as string;
    await settle();
    const visible = JSON.stringify([o1.messages, o2.messages, caught.messages, s1, s2, st, helper.log().args]);
    for (const secret of [token, token2, PASSWORD]) assert.ok(!visible.includes(secret), 'a secret leaked');
  });

  it('a missing config node gives CX_CONFIG at Catch, and a red status', async () => {
    await helper.load(
      cxNodes,
      flow(cx.sim.url, [call('c1', { cx: 'gone' }), { id: 't1', type: 'cx-token', cx: '' }]),
      CREDS,
    );
    const [out, caught] = recorders('out-c1', 'caught');
    const seen = statuses(helper.getNode('c1'));
    helper.getNode('c1').receive({ payload: {} });
    helper.getNode('t1').receive({});
    const all = await caught.count(2);
    assert.deepEqual(
      all.map((m) => m.error.code),
      ['CX_CONFIG', 'CX_CONFIG'],
    );
    assert.match(all[0].error.message, /choose a Cx connection/);
    await settle();
    assert.equal(out.messages.length, 0);
    assert.ok(seen.length > 0 && seen.every((s) => (s as { fill: string }).fill === 'red'), JSON.stringify(seen));
  });

  it('settings that cannot work give CX_CONFIG for each message, never a crash', async () => {
    await helper.load(cxNodes, flow('ftp://example.invalid/cx', [call('c1')]), CREDS);
    const [caught] = recorders('caught');
    helper.getNode('c1').receive({ payload: {} });
    helper.getNode('c1').receive({ payload: {} });
    const all = await caught.count(2);
    assert.deepEqual(
      all.map((m) => m.error.code),
      ['CX_CONFIG', 'CX_CONFIG'],
    );
    assert.match(all[0].error.message, /https:\/\//);
  });

  it('resolves ${NAME} references in the credentials', async () => {
    process.env.CX_TEST_USER = USER;
    process.env.CX_TEST_PASSWORD = PASSWORD;
    try {
      await helper.load(cxNodes, flow(cx.sim.url, [call('c1')]), {
        cfg: { username: '${CX_TEST_USER}', password: '${CX_TEST_PASSWORD}' },
      });
      const [out] = recorders('out-c1');
      helper.getNode('c1').receive({ payload: {} });
      await out.next();
      assert.equal(cx.sim.stats().logins, 1);
      assert.equal(cx.sim.stats().failedLogins, 0);
    } finally {
      delete process.env.CX_TEST_USER;
      delete process.env.CX_TEST_PASSWORD;
    }
  });

  it('ends a call in flight with CX_CLOSED on redeploy', async () => {
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1')]), CREDS);
    const [out] = recorders('out-c1');
    const c1 = helper.getNode('c1');
    c1.receive({ payload: {} });
    await out.next();
    const errors: unknown[] = [];
    const failed = new Promise<void>((resolve) =>
      c1.on('call:error', (c: { args: unknown[] }) => {
        errors.push(c.args[0]);
        resolve();
      }),
    );
    cx.sim.inject('hang', { count: 1 });
    c1.receive({ payload: {} });
    await until(() => cx.sim.stats().inFlight === 1, 'the call to reach the simulator');
    await helper.setFlows(flow(cx.sim.url, [call('c1')]), 'full', CREDS);
    await failed;
    assert.equal((errors[0] as { code: string }).code, 'CX_CLOSED');
    assert.equal(out.messages.length, 1);
  });

  it('leaves no socket, timer or other handle behind after twenty redeploys', async () => {
    // Every active resource counts, timers too; the baseline is taken after one load/unload so
    // that the runtime's own lazily made resources are in it.
    const resources = () => process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    const sockets = () => resources().filter((r) => r === 'TCPSocketWrap').length;
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1')]), CREDS);
    await helper.unload();
    await settle();
    const before = resources();
    const socketsBefore = sockets();
    await helper.load(cxNodes, flow(cx.sim.url, [call('c1')]), CREDS);
    for (let i = 0; i < 20; i++) {
      const out = new Recorder(helper.getNode('out-c1'));
      helper.getNode('c1').receive({ payload: {} });
      await out.next();
      if (i === 0) assert.ok(sockets() > socketsBefore, 'a kept-alive socket is open while deployed');
      await helper.setFlows(flow(cx.sim.url, [call('c1', { name: `v${i}` })]), 'full', CREDS);
    }
    await helper.unload();
    await until(
      () => resources().length <= before.length && sockets() <= socketsBefore,
      `active resources back to [${before.join(',')}] (now [${resources().join(',')}])`,
    );
    // Each redeploy hands the token to the new connection: one login for all twenty.
    assert.equal(cx.sim.stats().logins, 1);
  });
});
