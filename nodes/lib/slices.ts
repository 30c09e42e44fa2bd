/**
 * Runs long synchronous work written as a generator in slices, so that it never holds the event
 * loop (Node-RED runs every flow in one process: README "Reliability and security"). The work
 * `yield`s at points where it may pause; the runner goes on until a slice has taken SLICE_MS, then
 * lets the loop turn (setImmediate) before the next slice. Work that finishes within one slice,
 * the common case, costs no extra turn.
 */
export const SLICE_MS = 8;

/** Runs `work` to its end in one go (small, trusted input: tests, fixtures). */
export function runAtOnce<T>(work: Generator<void, T, void>): T {
  for (;;) {
    const r = work.next();
    if (r.done) return r.value;
  }
}

/** Runs `work` to its end in slices of about SLICE_MS, yielding the event loop between them. */
export function runInSlices<T>(work: Generator<void, T, void>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const slice = (): void => {
      const started = performance.now();
      try {
        for (;;) {
          const r = work.next();
          if (r.done) {
            resolve(r.value);
            return;
          }
          // A look at the clock after every step: steps differ (an element, 16 KB of text).
          if (performance.now() - started >= SLICE_MS) break;
        }
      } catch (err) {
        reject(err);
        return;
      }
      setImmediate(slice);
    };
    slice();
  });
}
