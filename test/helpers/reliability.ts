// Shared by the reliability tests: a recorder of unhandled rejections, and error assertions.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CxError } from '../../nodes/lib/errors';

/** Records every unhandled rejection between install() and uninstall(); tests assert it stays empty. */
export function unhandledRejections(): { seen: unknown[]; install(): void; uninstall(): void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  return {
    seen,
    install: () => process.on('unhandledRejection', listener),
    uninstall: () => process.off('unhandledRejection', listener),
  };
}

/** Asserts `p` rejects with a CxError of `code` whose message matches every pattern given. */
export async function expectCode(p: Promise<unknown>, code: string, ...text: RegExp[]): Promise<CxError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  assert.ok(
    caught instanceof CxError,
    `expected a CxError ${code}, got ${caught === undefined ? 'success' : String(caught)}`,
  );
  assert.equal(caught.code, code, caught.message);
  for (const t of text) assert.match(caught.message, t);
  return caught;
}

/**
 * A timeout for tests of calls that never answer, short enough to keep the suite fast and long
 * enough that the next, normal call on the same client still fits in it on a loaded 2-core
 * machine (a normal call takes a few ms; 200-500 ms was seen to flake).
 */
export const SHORT_TIMEOUT_MS = 1500;

/**
 * The longest event-loop stall a test tolerates. The bugs these checks catch block for seconds
 * (quadratic work over megabytes), while other processes on a loaded 2-core machine can delay a
 * healthy loop by a few hundred ms; the figures themselves belong in `npm run bench`.
 */
export const MAX_STALL_MS = 1500;

/** Runs `work` and reports the longest event-loop stall during it, in ms (10 ms resolution). */
export async function longestStall<T>(
  work: () => Promise<T>,
): Promise<{ value: T | undefined; error: unknown; stallMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const { value, error } = await outcome(work);
  h.disable();
  return { value, error, stallMs: h.max / 1e6 };
}

/** What `work` resolved or rejected with, without throwing. */
async function outcome<T>(work: () => Promise<T>): Promise<{ value: T | undefined; error: unknown }> {
  try {
    return { value: await work(), error: undefined };
  } catch (error) {
    return { value: undefined, error };
  }
}

/**
 * "What to do": every error message names an action for the person reading it, or (for bad
 * input) the rule the value must follow and the names it may take.
 */
export const SAYS_WHAT_TO_DO =
  /\b(check|try again|raise|fix|set|use|enter|choose|ask|send it again|must|needs|valid names|similar)\b/i;

/** A real collector even without --expose-gc (the flag can be set at run time; a new context sees it). */
export function collector(): () => void {
  if (typeof global.gc === 'function') return global.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/**
 * Runs `work` and reports, in bytes over the heap before it (after a full collection): the peak
 * sampled between slices while it ran, and what it left behind after another full collection.
 */
export async function heapDuring<T>(
  work: () => Promise<T>,
): Promise<{ value: T | undefined; error: unknown; peak: number; retained: number }> {
  const gc = collector();
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed - base)), 1);
  const { value, error } = await outcome(work);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().heapUsed - base);
  gc();
  return { value, error, peak, retained: process.memoryUsage().heapUsed - base };
}
