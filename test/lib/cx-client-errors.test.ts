// What the client's errors say: never a secret a server echoed, never a setting's value, and
// whether the request reached Cx (`details.sent`), so that a write of unknown outcome is not
// resent blindly.
import assert from 'node:assert/strict';
import { CxClient, CxClientOptions } from '../../nodes/lib';
import { reply, startHostile } from '../helpers/hostile-server';
import { until } from '../helpers/red';
import { expectCode } from '../helpers/reliability';
import { bodyOf, isLogin, soapFault, useSimFront } from '../helpers/sim-front';

const USER = 'Jim.Walker';
const RC = 'WSRepairContractorService';
const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';
// XML's special characters, so that the escaped forms are exercised too.
const PASSWORD = `Pa<ss&"wo'rd>9`;

const fault = (text: string, detail = '') => soapFault('s:Client', text, detail);
const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('Cx client errors: secrets, settings, whether the request was sent', function () {
  this.timeout(20000);
  const h = useSimFront({ user: USER, password: PASSWORD });
  const client = (extra: Partial<CxClientOptions> = {}) => h.client({ username: USER, password: PASSWORD, ...extra });

  /** Every form a secret could take in what a flow sees. */
  const assertAbsent = (what: unknown, secrets: string[]) => {
    const text = JSON.stringify(what) + String((what as Error).message) + String((what as Error).stack);
    for (const s of secrets)
      for (const form of [s, xmlEscape(s), JSON.stringify(s).slice(1, -1)])
        assert.ok(!text.includes(form), `a secret in ${text.slice(0, 400)}`);
  };

  describe('secrets a server sends back', () => {
    it('a fault that echoes the token: neither the token nor any earlier one reaches the error', async () => {
      const c = client();
      const first = (await c.token()).token;
      h.sim.expireTokens();
      await c.call(RC, 'getVATCodes', {}); // renews: a second token
      const second = (await c.token()).token;
      assert.notEqual(first, second);
      h.onPost = (req, res) => {
        if (isLogin(req)) return h.passThrough(req, res);
        void bodyOf(req).then((xml) => {
          const sent = /Token>([^<]*)</.exec(xml)?.[1] ?? '';
          reply(
            res,
            500,
            'text/xml; charset=utf-8',
            fault(
              `Token '${sent}' (was '${first}') is not permitted for this service`,
              `&lt;Token&gt;${sent}&lt;/Token&gt;`,
            ),
          );
        });
      };
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_FAULT', /is not permitted/);
      assert.match(e.message, /\*\*\*/);
      assertAbsent(e, [first, second, PASSWORD]);
      assertAbsent(e.toJSON(), [first, second, PASSWORD]);
    });

    it('a login fault that echoes the request: the password is removed, in plain and XML-escaped forms', async () => {
      h.onPost = (req, res) => {
        if (!isLogin(req)) return h.passThrough(req, res);
        // The request echoed as text (its escaped password is then escaped once more) and raw.
        void bodyOf(req).then((xml) =>
          reply(
            res,
            500,
            'text/xml; charset=utf-8',
            fault(`Bad login ${xmlEscape(xml)} for ${xmlEscape(PASSWORD)}`, xml),
          ),
        );
      };
      const c = client();
      const e = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_LOGIN_FAILED', /Bad login/);
      assertAbsent(e, [PASSWORD]);
      assertAbsent(e.toJSON(), [PASSWORD]);
      // Kept for the cool-down: the copies callers get are clean too.
      const again = await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_LOGIN_FAILED');
      assertAbsent(again.toJSON(), [PASSWORD]);
    });

    it('an HTML error page that echoes the password: the snippet is clean', async () => {
      h.onPost = (req, res) =>
        isLogin(req)
          ? reply(
              res,
              500,
              'text/html',
              `<html><body>Request from user with password ${PASSWORD} and ${xmlEscape(PASSWORD)} failed</body></html>`,
            )
          : h.passThrough(req, res);
      const e = await expectCode(client().call(RC, 'getVATCodes', {}), 'CX_HTTP');
      assert.match(String(e.details.snippet), /and \*\*\* failed/);
      assertAbsent(e.toJSON(), [PASSWORD]);
    });
  });

  describe('every error is a few KB at most', () => {
    it('a refused login with a 1 MB InvalidReason: message and details cut, with a note', async () => {
      h.onPost = (req, res) => {
        void bodyOf(req).then(async (xml) => {
          const r = await fetch(`${h.sim.url}/webservice/wstokenservice`, {
            method: 'POST',
            headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: String(req.headers.soapaction) },
            body: xml,
          });
          const text = await r.text();
          assert.ok(text.includes('Invalid login. Please try again.'), 'the simulator refused the login');
          reply(
            res,
            r.status,
            'text/xml; charset=utf-8',
            text.replace('Invalid login. Please try again.', 'x'.repeat(1e6)),
          );
        });
      };
      const e = await expectCode(client({ password: 'wrong' }).token(), 'CX_LOGIN_FAILED');
      assert.ok(e.message.length <= 8300, `message of ${e.message.length} characters`);
      assert.match(e.message, /cut at \d+ characters/);
      const reason = String(e.details.invalidReason);
      assert.ok(reason.length <= 4200, `invalidReason of ${reason.length} characters`);
      assert.match(reason, /^x+… \(cut at 4096 characters\)$/);
      assert.ok(JSON.stringify(e).length < 16000);
    });
  });

  describe('no setting value in an error', () => {
    it('names the setting, not its content; an unset ${NAME} says which variable to set', () => {
      const make = (o: Partial<CxClientOptions>) => () =>
        new CxClient({ url: 'https://cx.example', username: 'u', password: 'p', ...o });
      assert.throws(make({ url: 'not a url TOPSECRET' }), (e: Error) => {
        assert.match(e.message, /The Cx base URL setting is not a URL/);
        return !e.message.includes('TOPSECRET');
      });
      assert.throws(make({ url: '${CX_BASE_URL}' }), (e: Error) => {
        assert.match(e.message, /environment variable CX_BASE_URL, which is not set\. Set CX_BASE_URL/);
        assert.match(e.message, /or type the URL/);
        return true;
      });
      assert.throws(make({ tokenPlacement: 'TOPSECRET' as never }), (e: Error) => {
        assert.match(e.message, /token placement setting is not one of auto, header, parameter, member or none/);
        return !e.message.includes('TOPSECRET');
      });
    });

    it('a refused login does not repeat the user name', async () => {
      const e = await expectCode(
        client({ username: 'TOPSECRET.user', password: 'wrong-password' }).token(),
        'CX_LOGIN_FAILED',
      );
      assert.ok(!JSON.stringify(e.toJSON()).includes('TOPSECRET'), e.message);
    });
  });

  describe('details.sent and the text of an unknown outcome', () => {
    const write = { WorkOrderReference: 'WO100002', WorkOrderUid: EMPTY_GUID, RepairStatusCode: 'ISS' };
    const UNKNOWN = /Cx may have received and applied it: read the record back before sending it again/;

    it('false for bad input, an unreachable host and a rejected login; true with the answer for a fault or a refusal', async () => {
      const c = client();
      const bad = await expectCode(c.call(RC, 'UpdateRepairWorksOrderStatus', { Nope: 1 }), 'CX_BAD_REQUEST');
      assert.equal(bad.details.sent, false);
      const refused = await expectCode(
        c.call(RC, 'UpdateRepairWorksOrderStatus', { ...write, RepairStatusCode: 'INV' }),
        'CX_REFUSED',
      );
      assert.equal(refused.details.sent, true);
      assert.doesNotMatch(refused.message, UNKNOWN);
      h.onPost = (req, res) =>
        isLogin(req) ? h.passThrough(req, res) : reply(res, 500, 'text/xml', fault('Object reference not set'));
      const f = await expectCode(c.call(RC, 'UpdateRepairWorksOrderStatus', write), 'CX_FAULT');
      assert.equal(f.details.sent, true);
      const login = await expectCode(client({ password: 'wrong' }).call(RC, 'getVATCodes', {}), 'CX_LOGIN_FAILED');
      assert.equal(login.details.sent, false);
      const gone = await startHostile();
      const origin = gone.origin;
      await gone.close();
      const refusedConn = await expectCode(
        new CxClient({ url: `${origin}/cx`, username: USER, password: PASSWORD }).call(RC, 'getVATCodes', {}),
        'CX_NETWORK',
      );
      assert.equal(refusedConn.details.sent, false);
    });

    it('true for a timeout after the request left, with a message that says to read back first', async () => {
      const c = client({ timeoutMs: 1500 });
      await c.token();
      h.sim.inject('hang', { count: 1 });
      const e = await expectCode(c.call(RC, 'UpdateRepairWorksOrderStatus', write), 'CX_TIMEOUT', UNKNOWN);
      assert.equal(e.details.sent, true);
    });

    it('CX_CLOSED: a message cut off in flight and one that never left the queue differ in flag and text', async () => {
      const c = client({ maxConcurrent: 1 });
      await c.token();
      h.sim.inject('hang', { count: 1 });
      const inFlight = c.call(RC, 'UpdateRepairWorksOrderStatus', write);
      const queued = c.call(RC, 'UpdateRepairWorksOrderStatus', write);
      // Both settle at close(); they are awaited one after the other below.
      inFlight.catch(() => undefined);
      queued.catch(() => undefined);
      await until(() => h.sim.stats().inFlight >= 1, 'the first call at Cx');
      c.close();
      const cut = await expectCode(inFlight, 'CX_CLOSED', UNKNOWN);
      const waiting = await expectCode(queued, 'CX_CLOSED', /nothing reached Cx, so it can be sent again/);
      assert.equal(cut.details.sent, true);
      assert.equal(waiting.details.sent, false);
      assert.notEqual(cut.message, waiting.message);
      assert.doesNotMatch(waiting.message, UNKNOWN);
    });
  });
});
