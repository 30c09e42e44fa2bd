/**
 * Feeds an answer's chunks to its parser without hogging the event loop. When data is waiting,
 * libuv reads up to 32 socket buffers in one turn; parsing each as it arrived made a
 * 10,000-record answer block Node-RED for 200+ ms. So chunks are parsed at once only while this
 * turn's parsing stays under a small budget; past it they queue and are parsed in slices on
 * later turns (setImmediate), and the socket is paused while the queue is long. Small answers,
 * the common case, are still parsed synchronously with no extra turn.
 */
const BUDGET_MS = 6;
const SLICE_BYTES = 16 * 1024;
const HIGH_WATER_CHUNKS = 8;

// Parsing time spent in the current event-loop turn, by all answers together: the loop is one
// for the whole process, so the budget is too. Reset once per turn, by one shared immediate.
let turnWork = 0;
let turnResetPending = false;
function resetTurn(): void {
  turnResetPending = false;
  turnWork = 0;
}

export class ChunkPump {
  private readonly queue: Buffer[] = [];
  private scheduled = false;
  private ended = false;
  private stopped = false;
  private paused = false;

  constructor(
    private readonly stream: NodeJS.ReadableStream,
    private readonly consume: (chunk: Buffer) => void,
    private readonly onError: (err: Error) => void,
    private readonly onEnd: () => void,
  ) {}

  push(data: Buffer): void {
    if (this.stopped) return;
    if (!this.scheduled && this.queue.length === 0 && data.length <= SLICE_BYTES && turnWork < BUDGET_MS) {
      this.run(data);
      return;
    }
    this.queue.push(data);
    if (this.queue.length > HIGH_WATER_CHUNKS && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    this.schedule();
  }

  end(): void {
    if (this.stopped) return;
    this.ended = true;
    if (!this.scheduled && this.queue.length === 0) this.finish();
  }

  /** No more parsing (the request failed or settled); a scheduled turn then does nothing. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private run(data: Buffer): void {
    const started = performance.now();
    try {
      this.consume(data);
    } catch (err) {
      this.stop();
      this.onError(err as Error);
      return;
    }
    turnWork += performance.now() - started;
    if (!turnResetPending) {
      turnResetPending = true;
      setImmediate(resetTurn);
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    if (this.stopped) return;
    const started = performance.now();
    while (this.queue.length > 0 && performance.now() - started < BUDGET_MS) {
      let chunk = this.queue[0];
      if (chunk.length > SLICE_BYTES) {
        this.queue[0] = chunk.subarray(SLICE_BYTES);
        chunk = chunk.subarray(0, SLICE_BYTES);
      } else {
        this.queue.shift();
      }
      this.run(chunk);
      if (this.stopped) return;
    }
    if (this.queue.length > 0) {
      this.schedule();
      return;
    }
    if (this.paused) {
      this.paused = false;
      this.stream.resume();
    }
    if (this.ended) this.finish();
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.onEnd();
  }
}
