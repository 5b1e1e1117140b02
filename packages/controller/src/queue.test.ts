import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createWorkQueue } from './queue.ts';

/** A worker that only notes the keys it is given, in order. */
const record = (seen: string[]) => (k: string) => {
  seen.push(k);
  return Promise.resolve();
};

describe('createWorkQueue', () => {
  it('deduplicates keys waiting in the queue', async () => {
    const q = createWorkQueue();
    const seen: string[] = [];
    q.add('a');
    q.add('a');
    q.add('b');
    q.start(record(seen), 1);
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

  it('serves event keys before resync keys, and those before retries', async () => {
    const q = createWorkQueue();
    const seen: string[] = [];
    q.add('r1', 'retry');
    q.add('s1', 'resync');
    q.add('e1');
    q.add('s2', 'resync');
    q.add('e2', 'event');
    q.start(record(seen), 1);
    await sleep(20);
    expect(seen).toEqual(['e1', 'e2', 's1', 's2', 'r1']);
    await q.stop();
  });

  it('moves a waiting key up to the better lane, never down', async () => {
    const q = createWorkQueue();
    const seen: string[] = [];
    q.add('a', 'retry');
    q.add('b', 'resync');
    q.add('a', 'event');
    q.add('b', 'retry');
    expect(q.length).toBe(2);
    q.start(record(seen), 1);
    await sleep(20);
    expect(seen).toEqual(['a', 'b']);
    await q.stop();
  });

  it('lets retries hold at most half the workers, so an event runs while they hang', async () => {
    const q = createWorkQueue();
    const hung = Promise.withResolvers<void>();
    const started: string[] = [];
    q.start(async (k) => {
      started.push(k);
      if (k.startsWith('broken')) await hung.promise;
    }, 4);
    for (let i = 0; i < 10; i++) q.add(`broken-${i}`, 'retry');
    await sleep(10);
    expect(started).toHaveLength(2);
    q.add('healthy');
    q.add('another');
    await sleep(10);
    expect(started.slice(2)).toEqual(['healthy', 'another']);
    hung.resolve();
    await sleep(20);
    expect(started).toHaveLength(12);
    await q.stop();
  });

  it('still runs retries with a single worker', async () => {
    const q = createWorkQueue();
    const seen: string[] = [];
    q.add('a', 'retry');
    q.start(record(seen), 1);
    await sleep(20);
    expect(seen).toEqual(['a']);
    await q.stop();
  });

  it('removes a key: waiting, delayed, and its re-run after a run in progress', async () => {
    const q = createWorkQueue({ baseBackoffMs: 10 });
    const seen: string[] = [];
    const gate = Promise.withResolvers<void>();
    q.add('waiting');
    q.addAfter('delayed', 20);
    q.addRateLimited('failing');
    q.add('keep');
    q.remove('waiting');
    q.remove('delayed');
    q.remove('failing');
    expect(q.length).toBe(1);
    q.start(async (k) => {
      seen.push(k);
      if (k === 'running') await gate.promise;
    }, 2);
    q.add('running');
    await sleep(5);
    q.add('running');
    q.remove('running');
    gate.resolve();
    await sleep(60);
    expect(seen).toEqual(['keep', 'running']);
    await q.stop();
  });

  it('keeps the better lane of a delayed add when an earlier or later one comes for the same key', async () => {
    const fired: { ms: number; fn: () => void }[] = [];
    const q = createWorkQueue({
      schedule: (fn, ms) => {
        fired.push({ ms, fn });
        return { cancel: () => undefined };
      },
    });
    const seen: string[] = [];
    q.addAfter('a', 100, 'event');
    q.addAfter('a', 5000, 'retry');
    q.addAfter('b', 5000, 'retry');
    q.addAfter('b', 100, 'resync');
    q.addAfter('c', 100, 'resync');
    q.start(record(seen), 1);
    for (const f of fired.filter((x) => x.ms === 100)) f.fn();
    await sleep(20);
    // b came back as resync (the better of retry and resync), so after the event a.
    expect(seen).toEqual(['a', 'b', 'c']);
    await q.stop();
  });

  it('adds a key at once for a delay of 0 and drops its pending delay', async () => {
    const timers: { ms: number; fn: () => void; cancelled: boolean }[] = [];
    const q = createWorkQueue({
      schedule: (fn, ms) => {
        const t = { ms, fn, cancelled: false };
        timers.push(t);
        return { cancel: () => void (t.cancelled = true) };
      },
    });
    const seen: string[] = [];
    q.start(record(seen), 1);
    q.addAfter('a', 1000);
    q.addAfter('a', 0);
    await sleep(20);
    expect(seen).toEqual(['a']);
    expect(timers.map((t) => [t.ms, t.cancelled])).toEqual([[1000, true]]);
    // A later delay is scheduled again afresh.
    q.addAfter('a', 500);
    expect(timers.at(-1)?.ms).toBe(500);
    await q.stop();
  });

  it('re-runs a key re-added while it runs in the better of the lanes asked for', async () => {
    const q = createWorkQueue();
    const seen: string[] = [];
    const gate = Promise.withResolvers<void>();
    q.start(async (k) => {
      seen.push(k);
      if (k === 'a' && seen.length === 1) await gate.promise;
    }, 1);
    q.add('a');
    await sleep(5);
    q.add('a', 'retry');
    q.add('a', 'event');
    q.add('z', 'resync');
    gate.resolve();
    await sleep(20);
    expect(seen).toEqual(['a', 'a', 'z']);
    await q.stop();
  });

  describe('tells each run when it was asked for (queuedAt)', () => {
    /** A queue on a hand-moved clock whose delayed adds fire when the test says. */
    function clocked() {
      let clock = 100;
      const timers: (() => void)[] = [];
      const q = createWorkQueue({
        now: () => clock,
        schedule: (fn) => {
          timers.push(fn);
          return { cancel: () => undefined };
        },
      });
      const runs: [string, number][] = [];
      const at = (t: number) => void (clock = t);
      /** One worker noting each key and its queuedAt; resolves once the queue has drained. */
      const drain = async () => {
        q.start((k, run) => {
          runs.push([k, run.queuedAt]);
          return Promise.resolve();
        }, 1);
        await sleep(20);
        await q.stop();
      };
      return { q, runs, timers, at, drain };
    }

    it('the latest add while the key waited, whatever lane it ends in', async () => {
      const { q, runs, at, drain } = clocked();
      q.add('a', 'retry');
      at(200);
      q.add('a', 'resync');
      at(300);
      q.add('a', 'event');
      q.add('b');
      await drain();
      // A read made at 200 cannot answer the ask at 300 (a push may lie between).
      expect(runs).toEqual([
        ['a', 300],
        ['b', 300],
      ]);
    });

    it('for a key re-added while it ran, the latest re-add', async () => {
      const { q, runs, at } = clocked();
      const gate = Promise.withResolvers<void>();
      q.start(async (k, run) => {
        runs.push([k, run.queuedAt]);
        if (runs.length === 1) await gate.promise;
      }, 1);
      q.add('a');
      await sleep(5);
      at(200);
      q.add('a', 'resync');
      at(300);
      q.add('a');
      gate.resolve();
      await sleep(20);
      expect(runs).toEqual([
        ['a', 100],
        ['a', 300],
      ]);
      await q.stop();
    });

    it('for a delayed add, when its timer fired, also for a key that already waited', async () => {
      const { q, runs, timers, at, drain } = clocked();
      q.addAfter('late', 500);
      q.add('waiting');
      q.addAfter('waiting', 500);
      at(650);
      for (const fire of timers) fire();
      await drain();
      expect(runs).toEqual([
        ['waiting', 650],
        ['late', 650],
      ]);
    });
  });
});
