import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as path from 'node:path';
import { CxClient } from '../../nodes/lib';
import { CxSimulator, startSimulator } from '../../simulator';
import { readExamples } from '../../scripts/examples';
import { EMPTY_GUID, FlowNode, Msg, PASSWORD, RC, Recorder, USER, cxNodes, helper, settle } from '../helpers/red';

// The core nodes the examples use, from the Node-RED that the tests run on.
const CORE = path.join(
  path.dirname(
    require.resolve('@node-red/nodes/package.json', {
      paths: [path.dirname(require.resolve('node-red/package.json'))],
    }),
  ),
  'core',
);
const CORE_NODES: unknown[] = [
  'common/20-inject.js',
  'common/21-debug.js',
  'common/90-comment.js',
  'function/10-switch.js',
  'function/15-change.js',
  'sequence/17-split.js',
  'network/21-httprequest.js',
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node-RED's core node modules are plain CommonJS
].map((f) => require(path.join(CORE, f)));

const EXAMPLES = readExamples();
const ENV_KEYS = ['CX_URL', 'CX_USERNAME', 'CX_PASSWORD'] as const;

function example(prefix: string) {
  const ex = EXAMPLES.find((e) => e.name.startsWith(prefix));
  if (!ex) throw new Error(`no example ${prefix}: ${EXAMPLES.map((e) => e.name).join(', ')}`);
  return ex;
}

/** A node of the example by type and name (or by type alone when there is one). */
function idOf(prefix: string, type: string, name?: string): string {
  const found = example(prefix).nodes.filter((n) => n.type === type && (name === undefined || n.name === name));
  assert.equal(found.length, 1, `${prefix}: one ${type} ${name ?? ''}`);
  return found[0].id;
}

/** Loads the example as Node-RED would deploy it: its credentials go to the credential store. */
async function load(prefix: string): Promise<void> {
  const creds: Record<string, unknown> = {};
  const flow = example(prefix).nodes.map((n) => {
    const { credentials, ...rest } = n;
    if (credentials) creds[n.id] = credentials;
    return rest as FlowNode;
  });
  await helper.load([...CORE_NODES, ...cxNodes], flow, creds);
}

const debugOf = (prefix: string, name: string) => new Recorder(helper.getNode(idOf(prefix, 'debug', name)));
const click = (prefix: string, name?: string) => helper.getNode(idOf(prefix, 'inject', name)).receive({});

describe('example flows (examples/*.json, run against the simulator)', function () {
  this.timeout(20000);
  let sim: CxSimulator;
  const saved: Record<string, string | undefined> = {};

  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
    for (const k of ENV_KEYS) saved[k] = process.env[k];
  });
  beforeEach(() => {
    // The examples' connection reads these, as in the demo.
    process.env.CX_URL = sim.url;
    process.env.CX_USERNAME = USER;
    process.env.CX_PASSWORD = PASSWORD;
  });
  afterEach(async () => {
    await helper.unload();
    sim.reset();
  });
  after(async () => {
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await sim.close();
  });

  it('each example is a tab with an explaining comment and one cx-config taken from CX_URL, CX_USERNAME, CX_PASSWORD', () => {
    assert.deepEqual(
      EXAMPLES.map((e) => e.name),
      [
        '01 Get a token',
        '02 Read VAT codes',
        '03 Weekday work-order pickup',
        '04 Update a work order status',
        '05 Handle errors by code',
      ],
    );
    for (const { name, nodes } of EXAMPLES) {
      const tabs = nodes.filter((n) => n.type === 'tab');
      assert.equal(tabs.length, 1, name);
      const comments = nodes.filter((n) => n.type === 'comment');
      assert.ok(
        comments.length >= 1 && comments.every((c) => String(c.info).length > 100),
        `${name}: a comment with an explanation`,
      );
      const configs = nodes.filter((n) => n.type === 'cx-config');
      assert.equal(configs.length, 1, name);
      assert.equal(configs[0].url, '${CX_URL}');
      assert.deepEqual(configs[0].credentials, { username: '${CX_USERNAME}', password: '${CX_PASSWORD}' });
      for (const n of nodes.filter((x) => x.type === 'cx-call' || x.type === 'cx-token'))
        assert.equal(n.cx, configs[0].id, `${name}: ${n.id}`);
      for (const n of nodes.filter((x) => x.type !== 'tab' && x.type !== 'cx-config'))
        assert.equal(n.z, tabs[0].id, `${name}: ${n.id} on the tab`);
    }
  });

  it('1: cx-token outputs the shared token; msg.refresh right after the login gives it again (login interval)', async () => {
    await load('01');
    const out = debugOf('01', 'Token and expiry');
    click('01', 'Get the token');
    const first = (await out.next()).payload;
    assert.equal(typeof first.token, 'string');
    assert.ok(first.token.length > 0);
    assert.ok(!Number.isNaN(Date.parse(first.expiry)), first.expiry);
    click('01', 'Log in afresh (msg.refresh)');
    const again = (await out.next()).payload;
    assert.equal(again.token, first.token);
    assert.equal(sim.stats().logins, 1);
  });

  it('2: reads the VAT codes', async () => {
    await load('02');
    const out = debugOf('02', 'VAT codes');
    click('02');
    const msg = await out.next();
    assert.equal(msg.payload.IsValid, true);
    assert.deepEqual(
      msg.payload.VATCodes.map((v: Msg) => v.Code),
      ['S', 'R', 'Z', 'E', 'O'],
    );
    assert.equal(msg.payload.VATCodes[0].Rate, 20);
  });

  it('3: the 09:00 weekday pickup joins one detailed entry per C001 work order into one report', async () => {
    const inject = example('03').nodes.find((n) => n.type === 'inject') as FlowNode;
    assert.equal(inject.crontab, '00 09 * * 1,2,3,4,5');
    assert.equal(inject.repeat, '');
    const client = new CxClient({ url: sim.url, username: USER, password: PASSWORD });
    const expected = (
      (await client.call(RC, 'GetContractorWorkOrders', { ContractorCode: 'C001' })).result as Msg
    ).WorkOrders.map((w: Msg) => w.WorkOrderReference as string);
    client.close();
    assert.ok(expected.length >= 5, `C001 has ${expected.length} orders`);
    sim.resetStats();

    await load('03');
    const report = debugOf('03', 'Pickup report');
    const none = debugOf('03', 'No work orders today');
    click('03');
    const msg = await report.next();
    assert.ok(Array.isArray(msg.payload));
    assert.deepEqual(
      msg.payload.map((w: Msg) => w.WorkOrderReference),
      expected,
    );
    for (const w of msg.payload as Msg[]) {
      assert.equal(w.ContractorCode, 'C001');
      assert.ok(Array.isArray(w.Tasks) && w.Tasks.length > 0, `${w.WorkOrderReference} has its tasks`);
      assert.equal(typeof w.Address.Postcode, 'string');
    }
    const stats = sim.stats();
    assert.equal(stats.logins, 1);
    assert.equal(stats.byOperation.GetRepairWorkOrderDetails, expected.length);
    await settle();
    assert.equal(report.messages.length, 1);
    assert.equal(none.messages.length, 0);
  });

  it("3: a 503 during the pickup is ridden out by the reads' retry setting: the same report, one request more", async () => {
    for (const n of example('03').nodes.filter((x) => x.type === 'cx-call'))
      assert.deepEqual([n.retryAttempts, n.safeToRepeat], [4, true], `${n.name}: retries as a read`);
    await load('03');
    const report = debugOf('03', 'Pickup report');
    click('03'); // logs in, so the 503 meets the list itself
    const first = (await report.next()).payload.map((w: Msg) => w.WorkOrderReference);
    sim.resetStats();
    sim.inject('html503', { count: 1 });
    click('03');
    const again = (await report.next()).payload.map((w: Msg) => w.WorkOrderReference);
    assert.deepEqual(again, first);
    const stats = sim.stats();
    assert.equal(stats.byOperation.GetContractorWorkOrders, 1);
    assert.equal(stats.calls, first.length + 2, 'the 503, the list, one read per order');
  });

  it('4: the allowed status move changes the order; the refused one reaches "Tell a person" with CX_REFUSED', async () => {
    await load('04');
    const updated = debugOf('04', 'Status updated');
    const person = debugOf('04', 'Tell a person');
    const other = debugOf('04', 'Other errors');
    click('04', 'WO100002: Issued → WIP');
    const ok = await updated.next();
    assert.equal(ok.payload.IsValid, true);
    assert.equal(ok.payload.RepairStatusCode, 'WIP');

    click('04', 'WO100008: Cancelled → WIP');
    const told = await person.next();
    assert.equal(told.error.code, 'CX_REFUSED');
    assert.equal(told.topic, 'Cx refused a status change');
    assert.equal(
      told.payload,
      'Please check work order WO100008: it could not be moved to WIP. Cx says: Cannot change status from Cancelled to Work In Progress.',
    );

    const client = new CxClient({ url: sim.url, username: USER, password: PASSWORD });
    const status = async (ref: string) =>
      (
        (await client.call(RC, 'GetRepairWorkOrderDetails', { WorkOrderReference: ref, WorkOrderUid: EMPTY_GUID }))
          .result as Msg
      ).WorkOrder.RepairStatusCode;
    assert.equal(await status('WO100002'), 'WIP');
    assert.equal(await status('WO100008'), 'CANC');
    client.close();
    await settle();
    assert.equal(updated.messages.length, 1);
    assert.equal(other.messages.length, 0);
  });

  it('4: an answer lost after the update was sent (sent: true) is read back, never sent again: "Applied"', async () => {
    await load('04');
    const updated = debugOf('04', 'Status updated');
    const done = debugOf('04', 'Applied: do not send again');
    const again = debugOf('04', 'Not applied: safe to send again');
    const notSent = debugOf('04', 'Not sent: safe to send again');
    const other = debugOf('04', 'Other errors');
    click('04', 'WO100002: Issued → WIP');
    await updated.next();
    sim.resetStats();
    // The simulator makes the change, then cuts its answer off half-way.
    click('04', 'Simulator: lose the next answer');
    const applied = await done.next();
    assert.equal(applied.cx.code, undefined, 'the read-back call itself succeeded');
    assert.equal(applied.request.RepairStatusCode, 'HOLD');
    assert.equal(applied.payload.WorkOrder.RepairStatusCode, 'HOLD');
    const stats = sim.stats();
    assert.equal(stats.byOperation.UpdateRepairWorksOrderStatus, 1, 'the update was sent once, never again');
    assert.equal(stats.byOperation.GetRepairWorkOrderDetails, 1, 'then read back');
    await settle();
    assert.deepEqual(
      [updated, again, notSent, other].map((r) => r.messages.length),
      [1, 0, 0, 0],
    );
  });

  it('4: a lost login answer (the update never left: sent false) takes "Not sent: safe to send again"', async () => {
    await load('04');
    const notSent = debugOf('04', 'Not sent: safe to send again');
    const others = ['Applied: do not send again', 'Not applied: safe to send again', 'Other errors'].map((n) =>
      debugOf('04', n),
    );
    // No token yet: the answer cut off is the login's, so the update itself was never sent.
    click('04', 'Simulator: lose the next answer');
    const msg = await notSent.next();
    assert.equal(msg.cx.code, 'CX_NETWORK');
    assert.equal(msg.cx.sent, false);
    assert.equal(msg.payload.RepairStatusCode, 'HOLD');
    const stats = sim.stats();
    assert.equal(stats.byOperation.UpdateRepairWorksOrderStatus ?? 0, 0);
    assert.equal(stats.byOperation.GetRepairWorkOrderDetails ?? 0, 0, 'nothing to read back');
    await settle();
    assert.deepEqual(
      others.map((r) => r.messages.length),
      [0, 0, 0],
    );
  });

  it('4: a 503 to the update itself (sent true, not applied) is read back: "Not applied: safe to send again"', async () => {
    await load('04');
    const again = debugOf('04', 'Not applied: safe to send again');
    const done = debugOf('04', 'Applied: do not send again');
    const person = debugOf('04', 'Tell a person');
    click('04', 'WO100008: Cancelled → WIP'); // logs in (and is refused), so the 503 meets the update
    await person.next();
    sim.inject('html503');
    click('04', 'WO100002: Issued → WIP');
    const msg = await again.next();
    assert.equal(msg.request.RepairStatusCode, 'WIP');
    assert.equal(msg.payload.WorkOrder.RepairStatusCode, 'ISS');
    await settle();
    assert.equal(done.messages.length, 0);
  });

  describe('5: errors by code', () => {
    const paths = () => ({
      ok: debugOf('05', 'Answers'),
      login: debugOf('05', 'Login failed: fix the connection'),
      refused: debugOf('05', 'Refused: tell a person'),
      later: debugOf('05', 'Not sent: try again later'),
      unknown: debugOf('05', 'Maybe applied: read back before resending'),
      other: debugOf('05', 'Other: fix the flow or data'),
    });
    const counts = (p: ReturnType<typeof paths>) =>
      Object.fromEntries(Object.entries(p).map(([k, r]) => [k, r.messages.length]));

    it('answers, CX_REFUSED, CX_BAD_REQUEST and the simulated 503 (CX_HTTP, sent: true) each take their own path', async () => {
      await load('05');
      const p = paths();
      click('05', 'Read VAT codes (works)');
      assert.equal((await p.ok.next()).payload.VATCodes.length, 5);
      click('05', 'Unknown work order (refused)');
      assert.equal((await p.refused.next()).error.code, 'CX_REFUSED');
      click('05', 'Misspelt member (bad request)');
      const bad = await p.other.next();
      assert.equal(bad.error.code, 'CX_BAD_REQUEST');
      assert.match(bad.error.message, /WorkOrderRef/);
      click('05', 'Simulator: next answer is a 503');
      const unknown = await p.unknown.next();
      assert.equal(unknown.error.code, 'CX_HTTP');
      assert.equal(unknown.cx.sent, true);
      assert.match(unknown.error.message, /503/);
      await settle();
      assert.deepEqual(counts(p), { ok: 1, login: 0, refused: 1, later: 0, unknown: 1, other: 1 });
    });

    it('while Cx is down: the 503s, then CX_UNAVAILABLE (failing fast, not sent) and CX_BUSY take "Not sent: try again later"', async () => {
      await load('05');
      const p = paths();
      click('05', 'Read VAT codes (works)'); // logs in
      await p.ok.next();
      sim.inject('html503', { count: 1e6 });
      sim.resetStats();
      for (let i = 0; i < 5; i++) {
        click('05', 'Read VAT codes (works)');
        assert.equal((await p.unknown.next()).error.code, 'CX_HTTP');
      }
      click('05', 'Read VAT codes (works)');
      const later = await p.later.next();
      assert.equal(later.error.code, 'CX_UNAVAILABLE');
      assert.equal(later.cx.sent, false);
      assert.equal(sim.stats().calls, 5, 'failing fast: not sent');
      // A full queue (10,000 waiting calls) is the other "not sent" code the switch routes there.
      helper.getNode(idOf('05', 'switch', 'msg.cx.code')).receive({ cx: { code: 'CX_BUSY', sent: false } });
      assert.equal((await p.later.next()).cx.code, 'CX_BUSY');
      await settle();
      assert.deepEqual(counts(p), { ok: 1, login: 0, refused: 0, later: 2, unknown: 5, other: 0 });
    });

    it('a wrong CX_PASSWORD takes the CX_LOGIN_FAILED path', async () => {
      process.env.CX_PASSWORD = 'not-the-password';
      await load('05');
      const p = paths();
      click('05', 'Read VAT codes (works)');
      assert.equal((await p.login.next()).error.code, 'CX_LOGIN_FAILED');
      await settle();
      assert.deepEqual(counts(p), { ok: 0, login: 1, refused: 0, later: 0, unknown: 0, other: 0 });
    });

    it('a CX_URL where nothing listens takes the "not sent: try again later" path (CX_NETWORK, sent: false)', async () => {
      const closed = await new Promise<number>((resolve) => {
        const s = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = s.address() as net.AddressInfo;
          s.close(() => resolve(port));
        });
      });
      process.env.CX_URL = `http://127.0.0.1:${closed}/cx`;
      await load('05');
      const p = paths();
      click('05', 'Read VAT codes (works)');
      const later = await p.later.next();
      assert.equal(later.error.code, 'CX_NETWORK');
      assert.equal(later.cx.sent, false);
      await settle();
      assert.deepEqual(counts(p), { ok: 0, login: 0, refused: 0, later: 1, unknown: 0, other: 0 });
    });
  });
});
