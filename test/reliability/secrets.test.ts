import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CxSimulator, startSimulator } from '../../simulator';
import { HostileServer, forward, startHostile } from '../helpers/hostile-server';
import {
  EMPTY_GUID,
  FlowNode,
  RC,
  Recorder,
  USER,
  cxConfig,
  cxNodes,
  helper,
  settle,
  statuses,
  until,
} from '../helpers/red';
import { SHORT_TIMEOUT_MS, unhandledRejections } from '../helpers/reliability';
import { NodeRedProcess, startNodeRed } from '../helpers/node-red-process';

/** Recognisable in any output; the simulator is configured with it. */
const CANARY = 'Pw-Canary-7c1e!';
const WRONG = 'Pw-Wrong-Canary-3f9a!';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the core debug node, as the editor's sidebar gets it
const debugNode = require('@node-red/nodes/core/common/21-debug.js');

/** Captures every login answer passing through, so the test knows each token the simulator issued. */
function tokenSniffer(target: string, tokens: Set<string>) {
  return (req: http.IncomingMessage, res: http.ServerResponse) =>
    forward(target, req, res, (body) => {
      for (const m of body.matchAll(/<(?:\w+:)?Token>([^<]+)<\/(?:\w+:)?Token>/g)) tokens.add(m[1]);
      return body;
    });
}

function assertAbsent(where: string, text: string, secrets: Iterable<string>) {
  for (const s of secrets)
    assert.ok(
      !text.includes(s),
      `${where} contains a secret (${s.slice(0, 4)}…): ${text.slice(Math.max(0, text.indexOf(s) - 200), text.indexOf(s) + 50)}`,
    );
}

describe('reliability: secrets stay secret', function () {
  this.timeout(60000);
  let sim: CxSimulator;
  let front: HostileServer;
  const tokens = new Set<string>();
  const rejections = unhandledRejections();

  before(async () => {
    rejections.install();
    sim = await startSimulator({ port: 0, user: USER, password: CANARY, quiet: true });
    front = await startHostile(tokenSniffer(new URL(sim.url).origin, tokens));
  });
  after(async () => {
    await front.close();
    await sim.close();
    rejections.uninstall();
    assert.deepEqual(rejections.seen, [], 'no unhandled rejection');
  });

  describe('in a running flow: log (every level), statuses, outputs, errors, debug sidebar', () => {
    const comms: unknown[] = [];
    const onComms = (event: unknown) => comms.push(event);
    const events = () => (helper as unknown as { _events: NodeJS.EventEmitter })._events;

    before(() => events().on('comms', onComms));
    after(() => events().off('comms', onComms));
    afterEach(async () => {
      await helper.unload();
      sim.reset();
    });

    /** cx-call and cx-token nodes, a debug node (full message, to the sidebar) on every cx-call output and on Catch. */
    const flow = (url: string, props: Record<string, unknown> = {}): FlowNode[] => [
      { id: 'f1', type: 'tab', label: 'secrets' },
      cxConfig('cfg', url, { timeout: SHORT_TIMEOUT_MS / 1000, ...props }),
      {
        id: 'c1',
        type: 'cx-call',
        z: 'f1',
        cx: 'cfg',
        service: RC,
        method: 'getVATCodes',
        refusalIsError: true,
        wires: [['dbg', 'out']],
      },
      {
        id: 'c2',
        type: 'cx-call',
        z: 'f1',
        cx: 'cfg',
        service: RC,
        method: 'UpdateRepairWorksOrderStatus',
        refusalIsError: true,
        wires: [['dbg', 'out']],
      },
      { id: 't1', type: 'cx-token', z: 'f1', cx: 'cfg', wires: [['tokens']] },
      { id: 'out', type: 'helper', z: 'f1', wires: [] },
      { id: 'tokens', type: 'helper', z: 'f1', wires: [] },
      { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['dbg', 'caught']] },
      { id: 'caught', type: 'helper', z: 'f1', wires: [] },
      {
        id: 'dbg',
        type: 'debug',
        z: 'f1',
        active: true,
        tosidebar: true,
        console: true,
        tostatus: true,
        complete: 'true',
        targetType: 'full',
        statusVal: '',
        statusType: 'auto',
        wires: [],
      },
    ];

    /** Everything a person or another flow could see, as one text. */
    const visible = (seen: unknown[][], recorders: Recorder[]) =>
      JSON.stringify(
        {
          log: helper.log().args,
          statuses: seen,
          messages: recorders.map((r) => r.messages),
          comms,
        },
        (_k, v) => (v instanceof Error ? { ...v, message: v.message, stack: v.stack } : v),
      );

    it("success, refusal, expiry and renewal: the password appears nowhere; the token only in cx-token's output", async () => {
      await helper.load([...cxNodes, debugNode], flow(`${front.origin}/cx`), {
        cfg: { username: USER, password: CANARY },
      });
      const [out, caught, tokenOut] = ['out', 'caught', 'tokens'].map((id) => new Recorder(helper.getNode(id)));
      const seen = ['c1', 'c2', 't1', 'dbg'].map((id) => statuses(helper.getNode(id)));
      helper.getNode('c1').receive({ payload: {} });
      await out.next();
      helper
        .getNode('c2')
        .receive({ payload: { WorkOrderReference: 'WO100008', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' } });
      await caught.next();
      helper.getNode('t1').receive({});
      const t = (await tokenOut.next()).payload.token as string;
      sim.expireTokens();
      helper.getNode('c1').receive({ payload: {} });
      assert.equal((await out.next()).cx.retried, true);
      // A second expiry: one more token (a refresh so soon would not log in: login interval).
      sim.expireTokens();
      helper.getNode('c1').receive({ payload: {} });
      assert.equal((await out.next()).cx.retried, true);
      helper.getNode('t1').receive({});
      await tokenOut.next();
      await settle(20);

      assert.ok(tokens.has(t) && tokens.size >= 3, `tokens seen at the wire: ${tokens.size}`);
      assert.ok(comms.length >= 3, 'the debug node published to the sidebar');
      const text = visible(seen, [out, caught]);
      assertAbsent('what the flow shows', text, [CANARY, ...tokens]);
      // cx-token's output carries the token, and only as { token, expiry }.
      for (const m of tokenOut.messages) assert.deepEqual(Object.keys(m.payload).sort(), ['expiry', 'token']);
    });

    const failures: [
      string,
      (url: string) => Promise<{ url: string; password: string; code: string; cleanup?: () => Promise<void> }>,
    ][] = [
      ['a wrong password', async (url) => ({ url, password: WRONG, code: 'CX_LOGIN_FAILED' })],
      [
        'a 503 page at login',
        async (url) => {
          sim.inject('html503');
          return { url, password: CANARY, code: 'CX_HTTP' };
        },
      ],
      [
        'a timeout at login',
        async (url) => {
          sim.inject('hang');
          return { url, password: CANARY, code: 'CX_TIMEOUT' };
        },
      ],
      [
        'a refused connection',
        async () => {
          const s = http.createServer();
          await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
          const port = (s.address() as AddressInfo).port;
          await new Promise<void>((r) => s.close(() => r()));
          return { url: `http://127.0.0.1:${port}/cx`, password: CANARY, code: 'CX_NETWORK' };
        },
      ],
    ];
    for (const [name, setUp] of failures) {
      it(`${name}: the error, log, statuses and sidebar carry no password`, async () => {
        comms.length = 0;
        const c = await setUp(`${front.origin}/cx`);
        await helper.load([...cxNodes, debugNode], flow(c.url), { cfg: { username: USER, password: c.password } });
        const [out, caught, tokenOut] = ['out', 'caught', 'tokens'].map((id) => new Recorder(helper.getNode(id)));
        const seen = ['c1', 't1', 'dbg'].map((id) => statuses(helper.getNode(id)));
        helper.getNode('c1').receive({ payload: {} });
        const err = await caught.next();
        assert.equal(err.error.code, c.code, err.error.message);
        // A second attempt, by cx-token: it fails the same way, or (after a one-off fault) succeeds.
        helper.getNode('t1').receive({});
        await Promise.race([caught.count(2), tokenOut.next()]);
        await settle(20);
        const text = visible(seen, [out, caught]);
        assertAbsent(`after ${name}`, text, [CANARY, WRONG, ...tokens]);
      });
    }
  });

  describe('in a real Node-RED with adminAuth, log level trace', () => {
    let red: NodeRedProcess;
    let base = '';
    const log = () => red.log();

    const token = async (username: string, password: string, scope: string): Promise<string> => {
      const res = await fetch(`${base}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: 'node-red-admin',
          grant_type: 'password',
          scope,
          username,
          password,
        }).toString(),
      });
      assert.equal(res.status, 200, `login of ${username}`);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const call = (method: string, p: string, bearer?: string, body?: unknown) =>
      fetch(`${base}/${p}`, {
        method,
        headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    before(async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node-RED's own bcrypt, to hash the test users' passwords
      const bcrypt = require('bcryptjs') as { hashSync(s: string, rounds: number): string };
      const settings = {
        logging: { console: { level: 'trace', metrics: false, audit: true } },
        adminAuth: {
          type: 'credentials',
          users: [
            { username: 'admin', password: bcrypt.hashSync('admin-pass', 4), permissions: '*' },
            { username: 'reader', password: bcrypt.hashSync('reader-pass', 4), permissions: 'read' },
          ],
        },
      };
      red = await startNodeRed('secrets', settings);
      base = red.base;
    });
    after(() => red?.stop());

    // Node-RED itself answers a token without the permission with 401 too (editor-api
    // needsPermission), with a permission.fail audit entry; the pack does not second-guess it.
    it('admin endpoints refuse callers without permission: no token, or a read-only token for test-connection', async () => {
      const body = { url: sim.url, username: USER, password: CANARY };
      assert.equal((await call('POST', 'civica-cx/test-connection', undefined, body)).status, 401);
      assert.equal((await call('POST', 'civica-cx/operations', undefined, { url: sim.url, service: RC })).status, 401);
      assert.equal(
        (await call('POST', 'civica-cx/template', undefined, { url: sim.url, service: RC, method: 'getVATCodes' }))
          .status,
        401,
      );
      assert.equal((await call('GET', 'civica-cx/services')).status, 401);
      const reader = await token('reader', 'reader-pass', 'read');
      const auditsBefore = (log().match(/permission\.fail/g) ?? []).length;
      assert.equal((await call('POST', 'civica-cx/test-connection', reader, body)).status, 401);
      await until(() => (log().match(/permission\.fail/g) ?? []).length > auditsBefore, 'the audit entry');
      assert.match(log(), /"event":"permission\.fail","permissions":"cx-config\.write"/);
      assert.equal((await call('GET', 'civica-cx/services', reader)).status, 200, 'reading is allowed');
      assert.equal(
        (await call('POST', 'civica-cx/operations', reader, { url: sim.url, service: RC })).status,
        401,
        'a reader may not make Node-RED fetch a URL of their choice',
      );
      assert.equal(sim.stats().logins, 0, 'no login was made for a refused caller');
      const admin = await token('admin', 'admin-pass', '*');
      const ok = await call('POST', 'civica-cx/test-connection', admin, body);
      assert.equal(ok.status, 200);
      assertAbsent('the test-connection answer', await ok.text(), [CANARY]);
    });

    it('deployed flows: GET /flows carries no credentials, and the trace log has no password or token', async () => {
      sim.reset();
      const admin = await token('admin', 'admin-pass', '*');
      const flows = [
        { id: 'f1', type: 'tab', label: 'secrets' },
        { ...cxConfig('cfg', `${front.origin}/cx`, { timeout: 2 }), credentials: { username: USER, password: CANARY } },
        {
          id: 'inj',
          type: 'inject',
          z: 'f1',
          props: [{ p: 'payload' }],
          payload: '{}',
          payloadType: 'json',
          repeat: '',
          once: false,
          wires: [['c1']],
          x: 100,
          y: 100,
        },
        {
          id: 'c1',
          type: 'cx-call',
          z: 'f1',
          cx: 'cfg',
          service: RC,
          method: 'getVATCodes',
          refusalIsError: true,
          wires: [['dbg']],
          x: 300,
          y: 100,
        },
        { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['dbg']], x: 100, y: 200 },
        {
          id: 'dbg',
          type: 'debug',
          z: 'f1',
          active: true,
          tosidebar: true,
          console: true,
          tostatus: false,
          complete: 'true',
          targetType: 'full',
          wires: [],
          x: 500,
          y: 100,
        },
      ];
      const started = (log().match(/Started flows/g) ?? []).length;
      const deployed = await call('POST', 'flows', admin, flows);
      assert.ok([200, 204].includes(deployed.status), await deployed.text());
      // The deploy answers before the new flows have started.
      await until(() => (log().match(/Started flows/g) ?? []).length > started, 'the flows to start');
      for (let i = 0; i < 3; i++) {
        if (i === 1) sim.inject('html503');
        const before = sim.stats().calls;
        {
          const r = await call('POST', 'inject/inj', admin);
          assert.equal(r.status, 200, log().slice(-3000));
        }
        await until(
          () => sim.stats().calls > before && sim.stats().inFlight === 0,
          `call ${i}: ${log().slice(-2000)}`,
          10000,
        );
      }
      // The debug node writes each message to the console log: wait for the third.
      await until(
        () => (log().match(/\[debug:dbg\]/g) ?? []).length >= 3,
        `three debug lines: ${log().slice(-3000)}`,
        10000,
      );

      for (const who of [admin, await token('reader', 'reader-pass', 'read')]) {
        const exported = await call('GET', 'flows', who);
        assert.equal(exported.status, 200);
        const text = await exported.text();
        assert.match(text, /"type":"cx-config"/);
        assertAbsent('GET /flows', text, [CANARY]);
      }
      assert.ok(tokens.size >= 1, 'a token was issued');
      assert.match(log(), /CX_HTTP|503/, 'the error was logged');
      assertAbsent('the Node-RED log at trace level', log(), [CANARY, ...tokens]);
      assertAbsent('the flow file', fs.readFileSync(path.join(red.userDir, 'flows.json'), 'utf8'), [CANARY]);
    });
  });
});
