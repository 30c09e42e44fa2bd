import assert from 'node:assert/strict';
import { parseTokenExpiry } from '../../nodes/lib/token-expiry';

describe('TokenExpiry', () => {
  it('reads WCF local times with seven digits and an offset', () => {
    assert.equal(parseTokenExpiry('2023-06-01T19:00:16.5718655+01:00'), Date.UTC(2023, 5, 1, 18, 0, 16, 571));
    assert.equal(parseTokenExpiry('2023-12-01T19:00:00Z'), Date.UTC(2023, 11, 1, 19));
  });

  it('reads an expiry without offset as UK local time, summer and winter', () => {
    assert.equal(parseTokenExpiry('2023-06-01T19:00:00'), Date.UTC(2023, 5, 1, 18));
    assert.equal(parseTokenExpiry('2023-12-01T19:00:00'), Date.UTC(2023, 11, 1, 19));
  });

  it('gives undefined for what it cannot read', () => {
    assert.equal(parseTokenExpiry('soon'), undefined);
    assert.equal(parseTokenExpiry(null), undefined);
  });
});
