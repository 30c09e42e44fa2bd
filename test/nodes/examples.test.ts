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

  it('1: cx-token outputs the shared token, and a fresh one with msg.refresh', async () => {
    await load('01');
    const out = debugOf('01', 'Token and expiry');
    click('01', 'Get the token');
    const first = (await out.next()).payload;
    assert.equal(typeof first.token, 'string');
    assert.ok(first.token.length > 0);
    assert.ok(!Number.isNaN(Date.parse(first.expiry)), first.expiry);
    click('01', 'Log in afresh (msg.refresh)');
    const fresh = (await out.next()).payload;
    assert.notEqual(fresh.token, first.token);
    assert.equal(sim.stats().logins, 2);
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

  describe('5: errors by code', () => {
    const paths = () => ({
      ok: debugOf('05', 'Answers'),
      login: debugOf('05', 'Login failed: fix the connection'),
      refused: debugOf('05', 'Refused: tell a person'),
      later: debugOf('05', 'Cx unreachable: try again later'),
      other: debugOf('05', 'Other: fix the flow or data'),
    });
    const counts = (p: ReturnType<typeof paths>) =>
      Object.fromEntries(Object.entries(p).map(([k, r]) => [k, r.messages.length]));

    it('answers, CX_REFUSED, CX_BAD_REQUEST and the simulated 503 (CX_HTTP) each take their own path', async () => {
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
      const later = await p.later.next();
      assert.equal(later.error.code, 'CX_HTTP');
      assert.match(later.error.message, /503/);
      await settle();
      assert.deepEqual(counts(p), { ok: 1, login: 0, refused: 1, later: 1, other: 1 });
    });

    it('a wrong CX_PASSWORD takes the CX_LOGIN_FAILED path', async () => {
      process.env.CX_PASSWORD = 'not-the-password';
      await load('05');
      const p = paths();
      click('05', 'Read VAT codes (works)');
      assert.equal((await p.login.next()).error.code, 'CX_LOGIN_FAILED');
      await settle();
      assert.deepEqual(counts(p), { ok: 0, login: 1, refused: 0, later: 0, other: 0 });
    });

    it('a CX_URL where nothing listens takes the "try again later" path (CX_NETWORK)', async () => {
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
      assert.equal((await p.later.next()).error.code, 'CX_NETWORK');
      await settle();
      assert.deepEqual(counts(p), { ok: 0, login: 0, refused: 0, later: 1, other: 0 });
    });
  });
});
