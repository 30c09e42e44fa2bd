import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ChunkPump } from '../../nodes/lib/chunk-pump';

/** A stand-in for a socket stream that records pause() and resume(). */
class FakeStream extends EventEmitter {
  pauses = 0;
  resumes = 0;
  pause() {
    this.pauses++;
    return this;
  }
  resume() {
    this.resumes++;
    return this;
  }
}

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* simulate parsing work */
  }
};

/**
 * Counts parse calls per event-loop turn: a turn starts at the first call after the previous
 * turn's immediates ran (an immediate queued during a turn runs before the pump's next one).
 */
const slicesPerTurn = () => {
  const turns: number[] = [];
  let open = false;
  return {
    turns,
    count() {
      if (!open) {
        open = true;
        turns.push(0);
        setImmediate(() => (open = false));
      }
      turns[turns.length - 1]++;
    },
  };
};

describe('ChunkPump', () => {
  it('parses a small answer at once, in the same turn', () => {
    const seen: number[] = [];
    let ended = false;
    const pump = new ChunkPump(
      new FakeStream() as never,
      (b) => seen.push(b.length),
      (e) => {
        throw e;
      },
      () => (ended = true),
    );
    pump.push(Buffer.alloc(500));
    pump.end();
    assert.deepEqual(seen, [500]);
    assert.equal(ended, true);
  });

  it('spreads a burst of large chunks over later turns within the budget, in order, with backpressure', async () => {
    await new Promise((r) => setImmediate(r)); // start on a fresh turn budget
    const stream = new FakeStream();
    const seen: number[] = [];
    const perTurn = slicesPerTurn();
    let ended: () => void = () => {};
    const done = new Promise<void>((r) => (ended = r));
    const pump = new ChunkPump(
      stream as never,
      (b) => {
        perTurn.count();
        seen.push(b[0]);
        busy(2);
      },
      (e) => {
        throw e;
      },
      () => ended(),
    );
    // What libuv does when data is waiting: 32 reads of 64 KB in one turn.
    for (let i = 0; i < 32; i++) pump.push(Buffer.alloc(65536, i));
    pump.end();
    assert.equal(seen.length, 0, 'a chunk over the slice size is never parsed in the turn it arrived');
    assert.ok(stream.pauses >= 1, 'the stream was paused while the queue was long');
    await done;
    assert.deepEqual(
      seen,
      Array.from({ length: 128 }, (_, i) => Math.floor(i / 4)),
      'every 16 KB slice parsed, in order',
    );
    // Each slice takes at least 2 ms and a turn stops once 6 ms are spent: at most 3 slices per
    // turn however slow the machine, so 128 slices need at least 43 turns.
    assert.ok(Math.max(...perTurn.turns) <= 3, `slices per turn: ${perTurn.turns.join(',')}`);
    assert.ok(perTurn.turns.length >= 43, `${perTurn.turns.length} turns`);
    assert.equal(stream.resumes, stream.pauses);
  });

  it('parses small chunks at once only while the turn is under budget, then queues the rest', async () => {
    await new Promise((r) => setImmediate(r));
    const seen: number[] = [];
    const perTurn = slicesPerTurn();
    let ended: () => void = () => {};
    const done = new Promise<void>((r) => (ended = r));
    const pump = new ChunkPump(
      new FakeStream() as never,
      (b) => {
        perTurn.count();
        seen.push(b[0]);
        busy(2);
      },
      (e) => {
        throw e;
      },
      () => ended(),
    );
    for (let i = 0; i < 20; i++) pump.push(Buffer.alloc(1024, i));
    pump.end();
    // Parsed at once until 6 ms of this turn were spent (at least one, at most three 2 ms chunks).
    assert.ok(seen.length >= 1 && seen.length <= 3, `${seen.length} parsed in the first turn`);
    await done;
    assert.deepEqual(
      seen,
      Array.from({ length: 20 }, (_, i) => i),
    );
    assert.ok(Math.max(...perTurn.turns) <= 3, `chunks per turn: ${perTurn.turns.join(',')}`);
  });

  it('stops at the first parse error and never calls end', async () => {
    let ended = false;
    const errors: Error[] = [];
    const pump = new ChunkPump(
      new FakeStream() as never,
      () => {
        throw new Error('bad xml');
      },
      (e) => errors.push(e),
      () => (ended = true),
    );
    pump.push(Buffer.alloc(10));
    pump.push(Buffer.alloc(10));
    pump.end();
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
    assert.equal(ended, false);
  });
});
