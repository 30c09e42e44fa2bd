// Login storms and what a connection does when Cx's answers go wrong (issue: login floor, expiry
// already due, a login that fails while many calls wait, a fresh token rejected, ActionNotSupported
// met by many calls at once). Counts come from the simulator's controls; time from a fake clock.
import assert from 'node:assert/strict';
import type * as http from 'node:http';
import { CxClient, CxClientOptions, CxError } from '../../nodes/lib';
import { forward, reply } from '../helpers/hostile-server';
import { until } from '../helpers/red';
import { expectCode } from '../helpers/reliability';
import { bodyOf, isLogin, soapFault, useSimFront } from '../helpers/sim-front';

const USER = 'Jim.Walker';
const PASSWORD = 'HappyB!rthday';
const RC = 'WSRepairContractorService';

const INVALID_TOKEN = soapFault('s:Client', 'Exception Message:Access denied \u2013 Invalid token');
const ACTION_NOT_SUPPORTED = soapFault(
  'a:ActionNotSupported',
  "The message with Action '' cannot be processed at the receiver, due to a ContractFilter mismatch at the EndpointDispatcher.",
);

describe('Cx client: no login storms', function () {
  this.timeout(30000);
  // Summer, so that an expiry written without its offset (really UTC) reads as an hour early.
  let simNow = Date.UTC(2026, 6, 1, 9);
  let skew = 0;
  const clock = { now: () => simNow + skew };
  const h = useSimFront({ user: USER, password: PASSWORD, now: () => simNow });
  const warnings: string[] = [];
  const client = (extra: Partial<CxClientOptions> = {}) =>
    h.client({ username: USER, password: PASSWORD, clock, logger: { warn: (m) => warnings.push(m) }, ...extra });
  /** Login requests that reached the front (a hung one included). */
  const loginAttempts = () =>
    h.front.requests.filter((r) => r.method === 'POST' && r.url.toLowerCase().includes('wstokenservice')).length;

  beforeEach(() => {
    skew = 0;
    simNow = Date.UTC(2026, 6, 1, 9);
    warnings.length = 0;
  });

  /** The login answer with its TokenExpiry replaced by `text`. */
  const expiryAs = (text: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!isLogin(req)) return h.passThrough(req, res);
    forward(h.sim.url.replace(/\/cx$/, ''), req, res, (xml) =>
      xml.replace(/(<(?:\w+:)?TokenExpiry>)[^<]*(<\/(?:\w+:)?TokenExpiry>)/, `$1${text}$2`),
    );
  };

  /** 100 calls: 50 at once, then 50 one after another while the clock moves 1 s each. */
  async function hundredCalls(c: CxClient) {
    await Promise.all(Array.from({ length: 50 }, () => c.call(RC, 'getVATCodes', {})));
    for (let i = 0; i < 50; i++) {
      simNow += 1000;
      await c.call(RC, 'getVATCodes', {});
    }
  }

  const dueOnArrival: [string, () => void][] = [
    // Cx writes a UTC expiry without its offset: read as UK summer time it is 50 minutes past.
    [
      'an expiry without offset that is really UTC',
      () => (h.onPost = expiryAs(new Date(simNow + 600000).toISOString().slice(0, 19))),
    ],
    ['DateTime.MinValue', () => (h.onPost = expiryAs('0001-01-01T00:00:00'))],
    ['an expiry in the past', () => (h.onPost = expiryAs('2020-01-01T00:00:00+00:00'))],
    ["the Node-RED host's clock 2 hours ahead of Cx's", () => (skew = 2 * 3600 * 1000)],
  ];
  for (const [name, arrange] of dueOnArrival) {
    it(`a token already due on arrival (${name}): 100 calls make 1 login, one warning`, async () => {
      arrange();
      const c = client();
      await hundredCalls(c);
      assert.equal(h.sim.stats().logins, 1);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /already due.*used until Cx rejects it/);
      const token = (await c.token()).token;
      assert.ok(!warnings[0].includes(token) && !warnings[0].includes(PASSWORD));
      assert.equal((await c.token()).expiry, null, 'an expiry that cannot be right is not reported');
    });
  }

  it('a token so short-lived that the margin rules every call out still costs no more than one login per interval', async () => {
    // TokenExpiry 2 s after the login, margin 60 s: renewal is due at once by the margin rule.
    h.onPost = expiryAs(new Date(simNow + 2000).toISOString().replace(/\.\d+Z$/, '+00:00'));
    const c = client({ loginIntervalMs: 10000 });
    for (let i = 0; i < 100; i++) {
      simNow += 50; // 5 s in all: within one login interval
      await c.call(RC, 'getVATCodes', {});
    }
    assert.equal(h.sim.stats().logins, 1);
  });

  it('a login that never answers: every waiting call settles with its error at once, then a pause without logins', async () => {
    h.sim.inject('hang', { count: 1 });
    const c = client({ timeoutMs: 1500, maxConcurrent: 8 });
    const calls = Array.from({ length: 200 }, () =>
      c.call(RC, 'getVATCodes', {}).then(
        () => assert.fail('a call succeeded without a token'),
        (e: CxError) => e,
      ),
    );
    const errors = await Promise.all(calls);
    assert.deepEqual([...new Set(errors.map((e) => e.code))], ['CX_TIMEOUT']);
    assert.equal(loginAttempts(), 1, 'one login attempt for 200 waiting calls');
    assert.ok(
      errors.every((e) => e.details.sent === false),
      'none of the calls was sent',
    );
    // During the pause, calls fail at once and say when the next login may be tried.
    await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_TIMEOUT', /No new login is tried for another \d+ s/);
    assert.equal(loginAttempts(), 1);
    simNow += 10000;
    await c.call(RC, 'getVATCodes', {});
    assert.equal(h.sim.stats().logins, 1);
  });

  it('a fresh token rejected by Cx: 64 concurrent calls make 2 logins, and the next calls fail fast for the cool-down', async () => {
    h.onPost = (req, res) =>
      isLogin(req) ? h.passThrough(req, res) : reply(res, 500, 'text/xml; charset=utf-8', INVALID_TOKEN);
    const c = client({ maxConcurrent: 8, loginCooldownMs: 60000 });
    const errors = await Promise.all(
      Array.from({ length: 64 }, () =>
        c.call(RC, 'getVATCodes', {}).then(
          () => assert.fail('succeeded'),
          (e: CxError) => e,
        ),
      ),
    );
    assert.deepEqual([...new Set(errors.map((e) => e.code))], ['CX_TOKEN_INVALID']);
    assert.equal(h.sim.stats().logins, 2, 'the first login and the one forced by the invalid-token fault');
    simNow += 59000;
    await expectCode(c.call(RC, 'getVATCodes', {}), 'CX_TOKEN_INVALID', /role|placement/);
    await expectCode(c.token(), 'CX_TOKEN_INVALID');
    assert.equal(h.sim.stats().logins, 2);
    simNow += 2000;
    h.onPost = h.passThrough;
    await c.call(RC, 'getVATCodes', {});
    assert.equal(h.sim.stats().logins, 3);
  });

  it('an invalid-token fault still forces one login under the login interval, once per call', async () => {
    const c = client({ loginIntervalMs: 60000 });
    await c.call(RC, 'getVATCodes', {});
    h.sim.expireTokens();
    simNow += 1000;
    assert.equal((await c.call(RC, 'getVATCodes', {})).retried, true);
    assert.equal(h.sim.stats().logins, 2);
  });

  it('ActionNotSupported met by 8 calls: one WSDL reload for the streak, shared by the calls that follow', async () => {
    const c = client({ maxConcurrent: 8 });
    await c.operations(RC);
    const perLoad = h.sim.stats().wsdlRequests;
    assert.ok(perLoad >= 1);
    await c.call(RC, 'getVATCodes', {});
    const loaded = h.sim.stats().wsdlRequests; // the token service's WSDL too
    // The next 8 calls reach the front together; their answers are ActionNotSupported, released
    // one by one, with a new call sent after each (as a flow keeps sending).
    const held: http.ServerResponse[] = [];
    h.onPost = (req, res) => {
      if (isLogin(req)) return h.passThrough(req, res);
      if (held.length < 8) {
        void bodyOf(req).then(() => held.push(res));
        return;
      }
      h.passThrough(req, res);
    };
    const failing = Array.from({ length: 8 }, () => c.call(RC, 'getVATCodes', {}));
    await until(() => held.length === 8, 'eight calls held');
    const following: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i++) {
      reply(held[i], 500, 'text/xml; charset=utf-8', ACTION_NOT_SUPPORTED);
      await expectCode(failing[i], 'CX_FAULT', /ActionNotSupported|SOAPAction/);
      following.push(c.call(RC, 'getVATCodes', {}));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(following);
    assert.equal(h.sim.stats().wsdlRequests, loaded + perLoad, 'one reload');
  });
});
