import { strict as assert } from 'node:assert';
import { CxError } from '../../nodes/lib/errors';
import { RetryNotice, RetryWaits, withRetries } from '../../nodes/lib/retry';
import { retryPolicy } from '../../nodes/lib/retry-policy';
import { FakeTime, settle } from '../helpers/fake-time';

const e503 = () => new CxError('CX_HTTP', 'Cx answered with HTTP 503.', { status: 503, sent: true });

describe('withRetries', () => {
  it('retries transient failures with growing waits and reports the attempts', async () => {
    const time = new FakeTime();
    const waits = new RetryWaits(time);
    const notices: RetryNotice[] = [];
    let calls = 0;
    const p = withRetries(
      async () => {
        calls++;
        if (calls < 3) throw e503();
        return 'ok';
      },
      retryPolicy({ attempts: 5, safeToRepeat: true }),
      { clock: time, waits, random: () => 1, onRetry: (n) => notices.push(n) },
    );
    await settle();
    assert.equal(calls, 1);
    assert.deepEqual(time.delays(), [1000]);
    await time.advance(999);
    assert.equal(calls, 1, 'not before the back-off');
    await time.advance(1);
    assert.equal(calls, 2);
    await time.advance(2000);
    assert.deepEqual(await p, { value: 'ok', attempts: 3 });
    assert.deepEqual(
      notices.map((n) => [n.attempt, n.attempts, n.delayMs]),
      [
        [2, 5, 1000],
        [3, 5, 2000],
      ],
    );
  });

  it('never repeats a write that may have reached Cx, and says how many attempts were made', async () => {
    const time = new FakeTime();
    let calls = 0;
    const shared = new CxError('CX_TIMEOUT', 'No complete answer within 30 s.', { sent: true });
    await assert.rejects(
      withRetries(
        async () => {
          calls++;
          throw shared;
        },
        retryPolicy({ attempts: 5 }),
        { clock: time, waits: new RetryWaits(time) },
      ),
      (e: CxError) => {
        assert.equal(e.code, 'CX_TIMEOUT');
        assert.equal(e.details.attempts, 1);
        assert.equal(e.details.sent, true);
        assert.match(e.message, /\(1 attempt made of 5\)\.$/);
        return true;
      },
    );
    assert.equal(calls, 1);
    assert.equal(shared.details.attempts, undefined, 'a shared error is copied, not changed');
  });

  it('gives up at the attempt count with the last error', async () => {
    const time = new FakeTime();
    const p = withRetries(
      async () => {
        throw e503();
      },
      retryPolicy({ attempts: 3, safeToRepeat: true }),
      { clock: time, waits: new RetryWaits(time) },
    );
    const check = assert.rejects(p, (e: CxError) => e.details.attempts === 3 && /3 attempts made of 3/.test(e.message));
    await time.advance(60000);
    await check;
    assert.equal(time.timers, 0);
  });

  it('close() ends every wait at once with CX_CLOSED, not sent', async () => {
    const time = new FakeTime();
    const waits = new RetryWaits(time);
    const refused = new CxError('CX_NETWORK', 'refused', { sent: false, cause: 'ECONNREFUSED' });
    const all = Array.from({ length: 20 }, () =>
      withRetries(
        async () => {
          throw refused;
        },
        retryPolicy({ attempts: 5 }),
        { clock: time, waits },
      ).then(
        () => assert.fail('should not succeed'),
        (e: CxError) => e,
      ),
    );
    await settle();
    assert.equal(waits.size, 20);
    waits.close();
    const errors = await Promise.all(all);
    assert.deepEqual(
      errors.map((e) => [e.code, e.details.sent, e.details.attempts]),
      Array(20).fill(['CX_CLOSED', false, 1]),
    );
    assert.equal(time.timers, 0, 'no timer left behind');
    await assert.rejects(waits.wait(10), { code: 'CX_CLOSED' });
  });
});
