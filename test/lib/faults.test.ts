import assert from 'node:assert/strict';
import { DEFAULT_INVALID_TOKEN_PATTERN } from '../../nodes/lib/client-options';
import { INVALID_TOKEN_TEXT_CHARS, isInvalidTokenFault } from '../../nodes/lib/faults';
import type { SoapAnswer } from '../../nodes/lib/response-reader';

const fault = (string: string): SoapAnswer => ({ status: 500, fault: { code: 's:Client', string, detail: '' } });
const DEFAULT = new RegExp(DEFAULT_INVALID_TOKEN_PATTERN, 'i');

/** Runs `fn` and returns how long it held the thread, ms. */
const timed = (fn: () => unknown): number => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};

describe('fault hints: the invalid-token fault', () => {
  it("matches Cx's fault with any dash, colon or spacing, in any case", () => {
    for (const text of [
      'Exception Message:Access denied – Invalid token',
      'Access denied - invalid token',
      'ACCESS DENIED:INVALID TOKEN',
      'Access denied — Invalid token',
      'Access denied Invalid token',
    ])
      assert.ok(isInvalidTokenFault(fault(text), DEFAULT), text);
    assert.ok(!isInvalidTokenFault(fault('Access denied'), DEFAULT));
    assert.ok(!isInvalidTokenFault({ status: 200, result: 'Access denied - invalid token' }, DEFAULT));
  });

  it('the default pattern cannot backtrack: "Access denied" and 60,000 spaces is decided at once', () => {
    // The former pattern (two optional runs of spaces around an optional dash) took seconds here,
    // growing with the square of the length.
    const ms = timed(() => assert.equal(DEFAULT.test(`Access denied${' '.repeat(60000)}`), false));
    assert.ok(ms < 200, `${ms.toFixed(0)} ms`);
  });

  it('a user pattern that backtracks sees only a bounded prefix of the fault text', () => {
    const quadratic = /access\s*\s*invalid/i; // quadratic on a run of spaces
    const text = `access${' '.repeat(200000)}`;
    const ms = timed(() => assert.equal(isInvalidTokenFault(fault(text), quadratic), false));
    // 1,024 characters squared is about a million steps; 200,000 squared would hold the loop for minutes.
    assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
    assert.ok(isInvalidTokenFault(fault(`access invalid${' '.repeat(200000)}`), quadratic));
    assert.equal(INVALID_TOKEN_TEXT_CHARS, 1024);
  });
});
