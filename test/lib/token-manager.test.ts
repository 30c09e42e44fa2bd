import assert from 'node:assert/strict';
import { CxError } from '../../nodes/lib/errors';
import { LoginRefusals } from '../../nodes/lib/login-refusals';
import { TokenManager } from '../../nodes/lib/token-manager';

describe('TokenManager', () => {
  const fakeClock = () => {
    let t = Date.UTC(2026, 10, 28, 9);
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  it('makes one login for a thousand concurrent callers', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}`, expiry: clock.now() + 600000 }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 60000,
    });
    const got = await Promise.all(Array.from({ length: 1000 }, () => tm.get()));
    assert.equal(logins, 1);
    assert.ok(got.every((g) => g.token === 't1'));
  });

  it('refreshes a margin before expiry, not before', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}`, expiry: clock.now() + 600000 }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 60000,
    });
    await tm.get();
    clock.advance(539000);
    assert.equal((await tm.get()).token, 't1');
    clock.advance(2000);
    assert.equal((await tm.get()).token, 't2');
  });

  it('uses a token without a readable expiry until it is invalidated; invalidation is by token', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}` }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 60000,
    });
    await tm.get();
    clock.advance(86400000);
    assert.equal((await tm.get()).token, 't1');
    tm.invalidate('t1');
    assert.equal((await tm.get()).token, 't2');
    tm.invalidate('t1'); // a late caller with the old token must not throw away the new one
    assert.equal((await tm.get()).token, 't2');
    assert.equal(logins, 2);
  });

  it('after a refused login, fails fast with the same error for the cool-down, then tries again', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(
      async () => {
        logins++;
        throw new CxError('CX_LOGIN_FAILED', 'Invalid login. Please try again.', {
          invalidReason: 'Invalid login. Please try again.',
        });
      },
      clock,
      { refreshMarginMs: 60000, cooldownMs: 60000 },
    );
    await assert.rejects(tm.get(), { code: 'CX_LOGIN_FAILED' });
    clock.advance(59000);
    await assert.rejects(tm.get(), { code: 'CX_LOGIN_FAILED', message: 'Invalid login. Please try again.' });
    assert.equal(logins, 1);
    clock.advance(2000);
    await assert.rejects(tm.get(), { code: 'CX_LOGIN_FAILED' });
    assert.equal(logins, 2);
  });

  it('after a network failure, pauses for the login interval only, not the cool-down', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(
      async () => {
        logins++;
        throw new CxError('CX_NETWORK', 'refused');
      },
      clock,
      { refreshMarginMs: 60000, cooldownMs: 60000, loginIntervalMs: 10000 },
    );
    await assert.rejects(tm.get(), { code: 'CX_NETWORK' });
    await assert.rejects(tm.get(), { code: 'CX_NETWORK', message: /No new login is tried for another 10 s/ });
    assert.equal(logins, 1);
    clock.advance(10000);
    await assert.rejects(tm.get(), { code: 'CX_NETWORK' });
    assert.equal(logins, 2);
  });

  it('caps the margin at half the token life so short tokens do not cause a login per call', async () => {
    const clock = fakeClock();
    let logins = 0;
    const tm = new TokenManager(async () => ({ token: `t${++logins}`, expiry: clock.now() + 30000 }), clock, {
      refreshMarginMs: 60000,
      cooldownMs: 0,
    });
    await tm.get();
    await tm.get();
    assert.equal(logins, 1);
  });
  it('ready() hands over the token at once only when get() would, with no login, refusal or renewal due', async () => {
    const clock = fakeClock();
    let logins = 0;
    let release: () => void = () => undefined;
    const registry = new LoginRefusals();
    const tm = new TokenManager(
      () =>
        new Promise((resolve) => {
          release = () => resolve({ token: `t${++logins}`, expiry: clock.now() + 600000 });
        }),
      clock,
      { refreshMarginMs: 60000, cooldownMs: 60000, refusals: { registry, key: 'k' } },
    );
    assert.equal(tm.ready(), undefined, 'no token yet');
    const first = tm.get();
    assert.equal(tm.ready(), undefined, 'a login in flight');
    release();
    await first;
    assert.equal(tm.ready()?.token, 't1');
    registry.set('k', new CxError('CX_LOGIN_FAILED', 'refused'), clock.now() + 1000);
    assert.equal(tm.ready(), undefined, 'a refusal met by another connection stands');
    await assert.rejects(tm.get(), (e: CxError) => e.code === 'CX_LOGIN_FAILED');
    clock.advance(1000);
    assert.equal(tm.ready()?.token, 't1', 'the refusal is over');
    clock.advance(539000);
    assert.equal(tm.ready(), undefined, 'renewal due a margin before expiry');
    const renewed = tm.get();
    release();
    assert.equal((await renewed).token, 't2');
    tm.close();
    assert.equal(tm.ready(), undefined, 'closed');
  });
});
