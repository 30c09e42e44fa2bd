import { strict as assert } from 'node:assert';
import { Circuit } from '../../nodes/lib/circuit';
import { CxError } from '../../nodes/lib/errors';
import { FakeTime } from '../helpers/fake-time';

const down = () => Promise.reject(new CxError('CX_NETWORK', 'refused', { cause: 'ECONNREFUSED', sent: false }));
const up = () => Promise.resolve('answer');

async function failTimes(c: Circuit, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await assert.rejects(c.guard(down), { code: 'CX_NETWORK' });
}

describe('Circuit (fail fast while Cx is down)', () => {
  it('opens after the threshold of consecutive transport failures and fails fast with the last reason', async () => {
    const time = new FakeTime();
    const c = new Circuit(time, { threshold: 3, baseOpenMs: 2000 }, time);
    await failTimes(c, 2);
    await c.guard(up); // an answer resets the count
    await failTimes(c, 2);
    assert.equal(c.state(), 'closed');
    await failTimes(c, 1);
    assert.equal(c.state(), 'open');
    let sent = 0;
    await assert.rejects(
      c.guard(() => {
        sent++;
        return up();
      }),
      (e: CxError) => {
        assert.equal(e.code, 'CX_UNAVAILABLE');
        assert.equal(e.details.sent, false);
        assert.equal(e.details.retryInMs, 2000);
        assert.match(e.message, /last: CX_NETWORK.*tried again in 2 s/);
        assert.equal(e.details.cause, 'CX_NETWORK ECONNREFUSED');
        return true;
      },
    );
    assert.equal(sent, 0, 'nothing was sent while open');
    c.close();
    assert.equal(time.timers, 0);
  });

  it('lets one probe through when the interval ends; a failed probe doubles the interval, an answer closes it', async () => {
    const time = new FakeTime();
    const c = new Circuit(time, { threshold: 1, baseOpenMs: 1000, maxOpenMs: 3000 }, time);
    const changes: string[] = [];
    c.onChange(() => changes.push(c.state()));
    await failTimes(c, 1);
    await time.advance(1000);
    assert.equal(c.state(), 'probe-due');
    let release!: (v: string) => void;
    const probe = c.guard(() => new Promise<string>((r) => (release = r)));
    assert.equal(c.state(), 'probing');
    await assert.rejects(c.guard(up), { code: 'CX_UNAVAILABLE' }, 'a second request while the probe is out');
    release('back');
    assert.equal(await probe, 'back');
    assert.equal(c.state(), 'closed');
    assert.deepEqual(changes, ['open', 'probe-due', 'closed']);

    await failTimes(c, 1); // open 1 s
    for (const expected of [2000, 3000, 3000]) {
      await time.advance(c.retryInMs());
      await failTimes(c, 1); // the probe fails
      assert.equal(c.retryInMs(), expected);
    }
    c.close();
  });

  it('the interval ends when its timer fires, even a millisecond before the clock says so', async () => {
    const time = new FakeTime();
    // Node's timers run on a monotonic clock and may fire just before Date.now() reaches their time.
    const early = { after: (ms: number, fn: () => void) => time.after(ms - 1, fn) };
    const c = new Circuit(time, { threshold: 1, baseOpenMs: 2000 }, early);
    const changes: string[] = [];
    c.onChange(() => changes.push(`${c.state()} ${c.retryInMs()}`));
    await failTimes(c, 1);
    await time.advance(1999);
    assert.deepEqual(changes, ['open 2000', 'probe-due 0']);
    assert.equal(await c.guard(up), 'answer', 'the probe goes');
    c.close();
  });

  it('counts only transport failures: a fault or a 500 page is Cx answering', async () => {
    const time = new FakeTime();
    const c = new Circuit(time, { threshold: 2 }, time);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(
        c.guard(() => Promise.reject(new CxError('CX_FAULT', 'f'))),
        { code: 'CX_FAULT' },
      );
      await assert.rejects(
        c.guard(() => Promise.reject(new CxError('CX_HTTP', '500', { status: 500 }))),
        { code: 'CX_HTTP' },
      );
    }
    assert.equal(c.state(), 'closed');
    await assert.rejects(c.guard(() => Promise.reject(new CxError('CX_HTTP', '503', { status: 503 }))));
    await assert.rejects(c.guard(() => Promise.reject(new CxError('CX_TIMEOUT', 't'))));
    assert.equal(c.state(), 'open');
    c.close();
  });

  it('a reserved probe belongs to one message: the first request it sends', async () => {
    const time = new FakeTime();
    const c = new Circuit(time, { threshold: 1, baseOpenMs: 1000 }, time);
    await failTimes(c, 1);
    assert.equal(c.reserveProbe(), false, 'not before the interval ends');
    await time.advance(1000);
    assert.equal(c.reserveProbe(), true);
    assert.equal(c.state(), 'probing');
    c.releaseProbe(); // the message ended without sending anything
    assert.equal(c.state(), 'probe-due');
    assert.equal(c.reserveProbe(), true);
    await failTimes(c, 1);
    c.releaseProbe();
    assert.equal(c.state(), 'open');
    c.close();
  });
});
