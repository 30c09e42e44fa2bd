import assert from 'node:assert/strict';
import { Limiter } from '../../nodes/lib/limiter';

describe('Limiter', () => {
  it('runs at most N at once, in arrival order, and rejects the queue on close', async () => {
    const lim = new Limiter(2);
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const task = (i: number) =>
      lim.run(
        () =>
          new Promise<number>((res) => {
            started.push(i);
            gates.push(() => res(i));
          }),
      );
    const all = [1, 2, 3, 4].map(task);
    assert.deepEqual(started, [1, 2]);
    gates.shift()!();
    await all[0];
    await new Promise(setImmediate);
    assert.deepEqual(started, [1, 2, 3]);
    lim.close();
    await assert.rejects(all[3], { code: 'CX_CLOSED' });
    gates.forEach((g) => g());
    assert.deepEqual(await Promise.all(all.slice(1, 3)), [2, 3]);
  });
});
