import { strict as assert } from 'node:assert';
import { CxError } from '../../nodes/lib/errors';
import {
  backoffMs,
  isTransient,
  mayRetry,
  nextDelayMs,
  parseRetryAfter,
  retryPolicy,
} from '../../nodes/lib/retry-policy';

const http = (status: number, extra = {}) => new CxError('CX_HTTP', `HTTP ${status}`, { status, sent: true, ...extra });
const sentNetwork = new CxError('CX_NETWORK', 'reset', { cause: 'ECONNRESET', sent: true });
const refused = new CxError('CX_NETWORK', 'refused', { cause: 'ECONNREFUSED', sent: false });
const timedOut = new CxError('CX_TIMEOUT', 'no answer', { sent: true });

describe('retry policy', () => {
  it('is off by default and refuses settings outside its bounds', () => {
    assert.equal(retryPolicy().attempts, 1);
    assert.equal(mayRetry(refused, retryPolicy()), false);
    for (const attempts of [0, -1, 1.5, 11, NaN, '3' as unknown as number]) {
      assert.throws(() => retryPolicy({ attempts }), { code: 'CX_CONFIG' }, String(attempts));
    }
    assert.throws(() => retryPolicy({ attempts: 3, maxTotalMs: -1 }), { code: 'CX_CONFIG' });
    assert.throws(() => retryPolicy({ attempts: 3, maxTotalMs: Infinity }), { code: 'CX_CONFIG' });
  });

  it('calls network errors, timeouts, 502/503/504 and fail-fast transient; faults and other statuses not', () => {
    for (const e of [sentNetwork, timedOut, http(502), http(503), http(504), new CxError('CX_UNAVAILABLE', 'x')])
      assert.equal(isTransient(e), true, e.message);
    for (const e of [
      http(500),
      http(404),
      new CxError('CX_FAULT', 'f'),
      new CxError('CX_REFUSED', 'r'),
      new CxError('CX_BAD_REQUEST', 'b'),
      new Error('plain'),
    ])
      assert.equal(isTransient(e), false, e.message);
  });

  it('repeats a request that may have reached Cx only when the method is marked safe to repeat', () => {
    const write = retryPolicy({ attempts: 5 });
    const read = retryPolicy({ attempts: 5, safeToRepeat: true });
    for (const e of [sentNetwork, timedOut, http(503), http(504)]) {
      assert.equal(mayRetry(e, write), false, `write, ${e.message}`);
      assert.equal(mayRetry(e, read), true, `read, ${e.message}`);
    }
    // never sent: safe for anything
    for (const e of [
      refused,
      new CxError('CX_UNAVAILABLE', 'open', { sent: false }),
      new CxError('CX_TIMEOUT', 'queue', { sent: false }),
    ])
      assert.equal(mayRetry(e, write), true, e.message);
    // a full queue and a closed connection end the message at once
    assert.equal(mayRetry(new CxError('CX_BUSY', 'full', { sent: false }), read), false);
    assert.equal(mayRetry(new CxError('CX_CLOSED', 'closed', { sent: false }), read), false);
    // not transient, even when safe to repeat
    assert.equal(mayRetry(new CxError('CX_FAULT', 'f', { sent: true }), read), false);
  });

  it('backs off exponentially with jitter, capped', () => {
    const p = retryPolicy({ attempts: 10 });
    assert.deepEqual(
      [1, 2, 3].map((r) => backoffMs(r, p, () => 0)),
      [500, 1000, 2000],
    );
    assert.deepEqual(
      [1, 2, 3].map((r) => backoffMs(r, p, () => 1)),
      [1000, 2000, 4000],
    );
    assert.equal(
      backoffMs(9, p, () => 1),
      30000,
    );
    assert.equal(
      backoffMs(9, p, () => 0),
      15000,
    );
    const seen = new Set(Array.from({ length: 50 }, () => backoffMs(3, p)));
    assert.ok(seen.size > 10, 'jitter spreads the waits');
  });

  it('stops at the attempt count and the total time, and honours Retry-After within the bounds', () => {
    const p = retryPolicy({ attempts: 3, maxTotalMs: 10000, safeToRepeat: true });
    assert.equal(
      nextDelayMs(http(503), 1, 0, p, () => 1),
      1000,
    );
    assert.equal(
      nextDelayMs(http(503), 3, 0, p, () => 1),
      undefined,
      'no attempts left',
    );
    assert.equal(
      nextDelayMs(http(503), 1, 9500, p, () => 1),
      undefined,
      'the wait would pass the total time',
    );
    assert.equal(
      nextDelayMs(http(503, { retryAfterMs: 7000 }), 1, 0, p, () => 1),
      7000,
      'waits as asked',
    );
    assert.equal(
      nextDelayMs(http(503, { retryAfterMs: 7000 }), 1, 4000, p),
      undefined,
      'asked wait too long for the total',
    );
    assert.equal(
      nextDelayMs(
        http(503, { retryAfterMs: 120000 }),
        1,
        0,
        retryPolicy({ attempts: 3, maxTotalMs: 3600000, safeToRepeat: true }),
      ),
      undefined,
      'beyond the longest back-off',
    );
    assert.equal(
      nextDelayMs(new CxError('CX_UNAVAILABLE', 'o', { sent: false, retryInMs: 4000 }), 1, 0, p, () => 0),
      4000,
      'waits for the next probe',
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.UTC(2026, 0, 5, 9, 0, 0);
    assert.equal(parseRetryAfter('120', now), 120000);
    assert.equal(parseRetryAfter(['5'], now), 5000);
    assert.equal(parseRetryAfter('Mon, 05 Jan 2026 09:00:30 GMT', now), 30000);
    assert.equal(parseRetryAfter('Mon, 05 Jan 2026 08:00:00 GMT', now), 0);
    for (const bad of [undefined, '', '-1', '1.5', 'soon', '9'.repeat(80), '12345678901'])
      assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
  });
});
