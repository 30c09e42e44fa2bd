import { closedError } from './errors';

/**
 * A first-in, first-out cap on concurrent calls. Cx is one IIS site shared by a whole landlord;
 * a burst of messages must queue here, not pile onto it.
 */
export class Limiter {
  private running = 0;
  private readonly queue: Array<{ start: () => void; reject: (e: Error) => void }> = [];
  private closed = false;

  constructor(private readonly max: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(closedError('before-send'));
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            this.queue.shift()?.start();
          });
      };
      if (this.running < this.max) start();
      else this.queue.push({ start, reject });
    });
  }

  /** Rejects everything still queued; running tasks end on their own (their transport closes). */
  close(): void {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(closedError('before-send'));
  }
}
