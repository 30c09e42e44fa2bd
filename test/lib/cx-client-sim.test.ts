import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CxClient, CxClientOptions } from '../../nodes/lib';
import { CxSimulator, startSimulator } from '../../simulator';
import { until } from '../helpers/red';
import { SHORT_TIMEOUT_MS, expectCode } from '../helpers/reliability';

const USER = 'Jim.Walker';
const PASSWORD = 'HappyB!rthday';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
const RC = 'WSRepairContractorService';

describe('Cx client against the simulator', function () {
  let sim: CxSimulator;
  const clients: CxClient[] = [];
  const client = (extra: Partial<CxClientOptions> = {}) => {
    const c = new CxClient({ url: sim.url, username: USER, password: PASSWORD, ...extra });
    clients.push(c);
    return c;
  };
  before(async () => {
    sim = await startSimulator({ port: 0, user: USER, password: PASSWORD, quiet: true });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    sim.reset();
  });
  after(async () => {
    await sim.close();
  });

  describe('token', () => {
    it('logs in lazily, once, for a thousand concurrent calls', async () => {
      const c = client({ maxConcurrent: 8 });
      assert.equal(sim.stats().logins, 0);
      const results = await Promise.all(Array.from({ length: 1000 }, () => c.call(RC, 'getVATCodes', {})));
      assert.equal(sim.stats().logins, 1);
      assert.equal(results.length, 1000);
      assert.ok(sim.stats().maxInFlight <= 8, `max in flight ${sim.stats().maxInFlight}`);
    });

    it('a call with the fresh shared token waits on no timer for it; the first, which logs in, does', async () => {
      let timers = 0;
      const c = client({
        timers: {
          after(ms, fn) {
            timers++;
            const t = setTimeout(fn, ms);
            return () => clearTimeout(t);
          },
        },
      });
      await c.call(RC, 'getVATCodes', {});
      assert.equal(timers, 1, 'the first call waits for the login within its deadline');
      await Promise.all(Array.from({ length: 5 }, () => c.call(RC, 'getVATCodes', {})));
      assert.equal(timers, 1, 'the token at hand is used at once');
    });

    it('gets a new token once and sends once more when every token has expired', async () => {
      const c = client();
      await c.call(RC, 'getVATCodes', {});
      sim.expireTokens();
      const results = await Promise.all(Array.from({ length: 50 }, () => c.call(RC, 'getVATCodes', {})));
      assert.equal(sim.stats().logins, 2);
      // Only the calls already sent with the old token meet the fault; the queue gets the new one.
      const retried = results.filter((r) => r.retried).length;
      assert.ok(retried >= 1 && retried <= 8, `retried ${retried}`);
      const again = await c.call(RC, 'getVATCodes', {});
      assert.equal(again.retried, false);
    });

    it('returns the token with its expiry as ISO text, and a fresh one on request once the login interval has passed', async () => {
      let skew = 0;
      const c = client({ clock: { now: () => Date.now() + skew }, loginIntervalMs: 10000 });
      const t1 = await c.token();
      assert.match(t1.token, /^\w+$/);
      assert.ok(t1.expiry && !Number.isNaN(Date.parse(t1.expiry)));
      assert.ok(Date.parse(t1.expiry) > Date.now());
      assert.equal((await c.token()).token, t1.token);
      // Within the login interval a refresh is not a login: no path makes logins closer than that.
      assert.equal((await c.token({ refresh: true })).token, t1.token);
      assert.equal(sim.stats().logins, 1);
      skew += 10000;
      const t2 = await c.token({ refresh: true });
      assert.notEqual(t2.token, t1.token);
      assert.equal(sim.stats().logins, 2);
    });

    it("reports a wrong password as CX_LOGIN_FAILED with Cx's reason, and does not log in again during the cool-down", async () => {
      const c = client({ password: 'wrong-password-123' });
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_LOGIN_FAILED', /Invalid login\. Please try again\./);
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_LOGIN_FAILED');
      await expectCode(c.token(), 'CX_LOGIN_FAILED');
      assert.equal(sim.stats().failedLogins, 1);
      assert.equal(sim.stats().logins, 0);
    });

    it('never puts the password or token in an error', async () => {
      const c = client({ password: 'S3cret-Pa55word!' });
      const refused = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_LOGIN_FAILED');
      const refusedText = JSON.stringify(refused) + refused.message + String(refused.stack);
      assert.ok(!refusedText.includes('S3cret-Pa55word!'), refusedText);
      const ok = client();
      const { token } = await ok.token();
      sim.inject('html503');
      const failed = await expectCode(ok.call(RC, 'getVATCodes', {}), 'CX_HTTP');
      const failedText = JSON.stringify(failed) + failed.message + String(failed.stack);
      assert.ok(!failedText.includes(token), failedText);
      assert.ok(!failedText.includes(PASSWORD), failedText);
    });
  });

  describe('calls', () => {
    it('fills the token in all three shapes the WSDL may declare', async () => {
      const c = client();
      const vat = await c.call(RC, 'getVATCodes', {});
      assert.ok(
        Array.isArray((vat.result as { VATCodes?: unknown[] }).VATCodes),
        JSON.stringify(vat.result).slice(0, 200),
      );
      const ops = {
        asset: await c.operations('WSAssetService'),
        tenancy: await c.operations('WSTenancyService'),
      };
      assert.ok(ops.asset.length > 0 && ops.tenancy.length > 0);
      for (const [service, names] of [
        ['WSAssetService', ops.asset],
        ['WSTenancyService', ops.tenancy],
      ] as const) {
        for (const method of names) {
          const r = await c.call(service, method, {}, { refusalsAsData: true });
          assert.equal(r.retried, false, `${service}.${method} was retried: token not accepted`);
        }
      }
      assert.equal(sim.stats().faults, 0);
    });

    it('reads a work order by reference with the empty GUID, typed', async () => {
      const c = client();
      const { result } = await c.call(RC, 'GetRepairWorkOrderDetails', {
        WorkOrderUid: EMPTY_GUID,
        WorkOrderReference: 'WO100002',
      });
      const r = result as Record<string, any>;
      assert.equal(r.IsValid, true);
      const wo = r.WorkOrder;
      assert.equal(wo.WorkOrderReference, 'WO100002');
      assert.equal(typeof wo.EstimatedCost, 'number');
      assert.ok(Array.isArray(wo.Tasks));
      assert.match(wo.RaisedDate, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}[+-]\d{2}:\d{2}$/);
    });

    it('sends members in schema order whatever order the object has', async () => {
      const c = client();
      // Reversed on purpose: WCF would read an out-of-order WorkOrderReference as absent.
      const { result } = await c.call(RC, 'GetRepairWorkOrderDetails', {
        request: { WorkOrderUid: EMPTY_GUID, WorkOrderReference: 'WO100003' },
      });
      assert.equal((result as any).WorkOrder.WorkOrderReference, 'WO100003');
    });

    it('rejects an unknown member with the valid names, before any request', async () => {
      const c = client();
      await expectCode(
        c.call(RC, 'GetRepairWorkOrderDetails', { WorkOrderRef: 'WO1' }),
        'CX_BAD_REQUEST',
        /Valid names, in order: .*WorkOrderReference/,
      );
      assert.equal(sim.stats().calls, 0);
      assert.equal(sim.stats().logins, 0);
    });

    it("moves a status, and turns a refused move into CX_REFUSED with Cx's reason (or data on request)", async () => {
      const c = client();
      const ok = await c.call(RC, 'UpdateRepairWorksOrderStatus', {
        WorkOrderReference: 'WO100002',
        WorkOrderUid: EMPTY_GUID,
        RepairStatusCode: 'WIP',
      });
      assert.equal((ok.result as any).IsValid, true);
      const details = await c.call(RC, 'GetRepairWorkOrderDetails', {
        WorkOrderReference: 'WO100002',
        WorkOrderUid: EMPTY_GUID,
      });
      assert.equal((details.result as any).WorkOrder.RepairStatusCode, 'WIP');

      // WO100008 is Cancelled: final.
      await expectCode(
        c.call(RC, 'UpdateRepairWorksOrderStatus', {
          WorkOrderReference: 'WO100008',
          WorkOrderUid: EMPTY_GUID,
          RepairStatusCode: 'ISS',
        }),
        'CX_REFUSED',
        /Cancelled to Issued\.$/,
      );
      const asData = await c.call(
        RC,
        'UpdateRepairWorksOrderStatus',
        { WorkOrderReference: 'WO100008', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' },
        { refusalsAsData: true },
      );
      assert.equal((asData.result as any).IsValid, false);
      assert.ok((asData.result as any).InvalidReason);
    });

    it("lists a contractor's work orders as an array, and a large list in full", async () => {
      const c = client();
      const { result } = await c.call(RC, 'GetContractorWorkOrders', { ContractorCode: 'C001' });
      const list = (result as any).WorkOrders;
      assert.ok(Array.isArray(list) && list.length > 0);
      assert.ok(list.every((w: any) => w.ContractorCode === 'C001'));
      sim.setListSize(3000);
      const big = await c.call(RC, 'GetContractorWorkOrders', { ContractorCode: 'C001' });
      assert.equal((big.result as any).WorkOrders.length, 3000);
    });

    it("fetches each service's WSDL once per connection", async () => {
      const c = client();
      await c.call(RC, 'getVATCodes', {});
      const after1 = sim.stats().wsdlRequests;
      await Promise.all([
        c.call(RC, 'getVATCodes', {}),
        c.call(RC, 'getVATCodes', {}),
        c.operations(RC),
        c.template(RC, 'getVATCodes'),
      ]);
      assert.equal(sim.stats().wsdlRequests, after1);
    });

    it('builds a template from the WSDL without the token', async () => {
      const c = client();
      const t = (await c.template(RC, 'GetRepairWorkOrderDetails')) as { request: Record<string, unknown> };
      assert.ok(!('Token' in t.request));
      assert.equal(t.request.WorkOrderUid, 'guid');
      assert.ok('WorkOrderReference' in t.request);
    });

    it('names unknown services and methods', async () => {
      const c = client();
      await expectCode(c.call('WSNoSuchService', 'X', {}), 'CX_UNKNOWN_SERVICE', /WSNoSuchService/);
      await expectCode(c.call('../etc', 'X', {}), 'CX_UNKNOWN_SERVICE');
      await expectCode(c.call(RC, 'GetRepairWorkOrderDetailz', {}), 'CX_UNKNOWN_METHOD', /GetRepairWorkOrderDetails/);
      // Case-insensitive match when it is unambiguous.
      assert.ok((await c.call(RC, 'getvatcodes', {})).result);
    });
  });

  describe('failures', () => {
    it('an IIS 503 page is CX_HTTP, and the next call works', async () => {
      const c = client();
      await c.token();
      sim.inject('html503');
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_HTTP', /503/);
      assert.ok((await c.call(RC, 'getVATCodes', {})).result);
    });

    it('a truncated body is CX_BAD_RESPONSE', async () => {
      const c = client();
      await c.token();
      sim.inject('truncate');
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_BAD_RESPONSE');
      assert.ok((await c.call(RC, 'getVATCodes', {})).result);
    });

    it('a dropped connection is CX_NETWORK', async () => {
      const c = client();
      await c.token();
      sim.inject('drop');
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_NETWORK');
      assert.ok((await c.call(RC, 'getVATCodes', {})).result);
    });

    it('a slow answer is CX_TIMEOUT', async () => {
      const c = client({ timeoutMs: SHORT_TIMEOUT_MS });
      await c.token();
      sim.inject('hang');
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_TIMEOUT', /timeout/);
      assert.ok((await c.call(RC, 'getVATCodes', {})).result);
    });

    it('a refused connection is CX_NETWORK with a hint', async () => {
      const server = http.createServer();
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as AddressInfo).port;
      await new Promise<void>((r) => server.close(() => r()));
      const c = new CxClient({ url: `http://127.0.0.1:${port}/cx`, username: USER, password: PASSWORD });
      clients.push(c);
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_NETWORK', /connection refused/);
    });

    it('an answer over the size cap is CX_BAD_RESPONSE', async () => {
      const c = client({ maxResponseBytes: 64 * 1024 });
      await c.token();
      sim.setListSize(2000);
      await expectCode(c.call(RC, 'GetContractorWorkOrders', { ContractorCode: 'C001' }), 'CX_BAD_RESPONSE', /limit/);
    });

    it('a token rejected even after a fresh login is CX_TOKEN_INVALID, after exactly one retry', async () => {
      // A server whose tokens are dead on arrival: every call meets the fault.
      const dead = await startSimulator({ port: 0, user: USER, password: PASSWORD, tokenTtlSeconds: 0, quiet: true });
      try {
        const c = new CxClient({ url: dead.url, username: USER, password: PASSWORD });
        clients.push(c);
        await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_TOKEN_INVALID', /even after a fresh login/);
        assert.equal(dead.stats().logins, 2);
        assert.equal(dead.stats().byOperation.getVATCodes, 2);
      } finally {
        await dead.close();
      }
    });

    it('a fault that is not about the token is CX_FAULT and is not retried', async () => {
      // Forcing the wrong placement makes the call arrive without a token; with a pattern that
      // does not match, the fault is passed on as it is.
      const c = client({ invalidTokenPattern: 'nothing will match this' });
      await c.token();
      sim.expireTokens();
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_FAULT', /Access denied/);
      assert.equal(sim.stats().logins, 1);
    });

    it('bad settings are CX_CONFIG', () => {
      assert.throws(() => new CxClient({ url: '', username: USER, password: PASSWORD }), { code: 'CX_CONFIG' });
      assert.throws(() => new CxClient({ url: 'mysite.civica-cx.co.uk/cx', username: USER, password: PASSWORD }), {
        code: 'CX_CONFIG',
        message: /scheme/,
      });
      assert.throws(() => new CxClient({ url: 'ftp://x/cx', username: USER, password: PASSWORD }), {
        code: 'CX_CONFIG',
      });
      assert.throws(
        () => new CxClient({ url: sim.url, username: USER, password: PASSWORD, invalidTokenPattern: '(' }),
        { code: 'CX_CONFIG' },
      );
    });

    it('missing credentials are CX_CONFIG at the first call', async () => {
      const c = client({ password: '' });
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_CONFIG', /password/);
      assert.equal(sim.stats().failedLogins, 0);
    });

    it('close() ends calls in flight with CX_CLOSED and leaves no socket', async () => {
      const c = client();
      await c.token();
      sim.inject('hang', { count: 3 });
      const pending = [1, 2, 3].map(() => c.call(RC, 'getVATCodes', {}));
      await until(() => sim.stats().inFlight === 3, 'the three calls to reach the simulator');
      c.close();
      await Promise.all(pending.map((p) => expectCode(p, 'CX_CLOSED')));
      await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_CLOSED');
      // The hanging answers end only when the client's sockets close.
      await until(() => sim.stats().inFlight === 0, 'the simulator to see every socket closed');
    });
  });
});
