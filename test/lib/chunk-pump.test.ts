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

  it('spreads a burst of large chunks over later turns, in order, with backpressure', async () => {
    const stream = new FakeStream();
    const seen: number[] = [];
    let ended: () => void = () => {};
    const done = new Promise<void>((r) => (ended = r));
    const pump = new ChunkPump(
      stream as never,
      (b) => {
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
    const inFirstTurn = seen.length;
    assert.ok(inFirstTurn < 32 * 4, `all ${inFirstTurn} slices were parsed in the first turn`);
    assert.ok(stream.pauses >= 1, 'the stream was paused while the queue was long');
    await done;
    assert.equal(seen.length, 32 * 4, 'every 16 KB slice parsed');
    assert.deepEqual(
      seen,
      Array.from({ length: 128 }, (_, i) => Math.floor(i / 4)),
    );
    assert.equal(stream.resumes, stream.pauses);
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
