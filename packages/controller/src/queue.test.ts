import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './queue.ts';

describe('createWorkQueue', () => {
  it('deduplicates keys waiting in the queue', async () => {
    const q = createWorkQueue();
    const seen: string[] = [];
    q.add('a');
    q.add('a');
    q.add('b');
    q.start((k) => {
      seen.push(k);
      return Promise.resolve();
    }, 1);
    await sleep(20);
    expect(seen).toEqual(['a', 'b']);
    await q.stop();
  });

  it('never runs one key twice at once, and re-runs it if re-added meanwhile', async () => {
    const q = createWorkQueue();
    let active = 0;
    let peak = 0;
    let runs = 0;
    q.start(async () => {
      active++;
      peak = Math.max(peak, active);
      runs++;
      await sleep(30);
      active--;
    }, 4);
    q.add('a');
    await sleep(5);
    q.add('a');
    q.add('a');
    await sleep(100);
    expect(peak).toBe(1);
    expect(runs).toBe(2);
    await q.stop();
  });

  it('bounds parallelism across keys', async () => {
    const q = createWorkQueue();
    let active = 0;
    let peak = 0;
    q.start(async () => {
      active++;
      peak = Math.max(peak, active);
      await sleep(20);
      active--;
    }, 2);
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.add(k);
    await sleep(100);
    expect(peak).toBe(2);
    await q.stop();
  });

  it('backs off failing keys exponentially, capped, and forgets on success', async () => {
    const delays: number[] = [];
    const q = createWorkQueue({
      baseBackoffMs: 1000,
      maxBackoffMs: 5000,
      // Fire at once: the test checks the delays asked for, not the clock.
      schedule: (fn, ms) => {
        delays.push(ms);
        setImmediate(fn);
        return { cancel: () => undefined };
      },
    });
    let runs = 0;
    q.start((k) => {
      runs++;
      if (runs <= 4) q.addRateLimited(k);
      else q.forget(k);
      return Promise.resolve();
    }, 1);
    q.add('a');
    await sleep(50);
    expect(runs).toBe(5);
    expect(delays).toEqual([1000, 2000, 4000, 5000]);
    q.addRateLimited('a');
    expect(delays.at(-1)).toBe(1000);
    await q.stop();
  });
});
