import { describe, expect, it } from 'vitest';
import { createSharedReads } from './shared-reads.ts';

/** Shared reads on a hand-moved clock, with reads the test settles itself. */
function bed(opts: { maxKeys?: number; maxAgeMs?: number } = {}) {
  let clock = 1000;
  const started: { at: number; done: PromiseWithResolvers<string | undefined> }[] = [];
  const reads = createSharedReads<string>({ now: () => clock, ...opts });
  return {
    started,
    set: (t: number) => void (clock = t),
    read(key: string, freshAfter?: number) {
      return reads.read(
        key,
        () => {
          const done = Promise.withResolvers<string | undefined>();
          started.push({ at: clock, done });
          return done.promise;
        },
        freshAfter,
      );
    },
  };
}

describe('createSharedReads', () => {
  // One completed read started at 1000, then a lookup at 1010 asking for freshAfter.
  it.each([
    { freshAfter: undefined, reused: false, why: 'no freshAfter: never a completed read' },
    { freshAfter: 900, reused: true, why: 'asked for before the read started' },
    { freshAfter: 1000, reused: true, why: 'asked for as the read started' },
    { freshAfter: 1005, reused: false, why: 'asked for after the read started' },
  ])('a completed read, freshAfter $freshAfter: reused $reused ($why)', async (t) => {
    const b = bed();
    const first = b.read('repo');
    b.started[0]?.done.resolve('refs@1000');
    await first.value;
    b.set(1010);
    const next = b.read('repo', t.freshAfter);
    expect(next.shared).toBe(t.reused);
    expect(next.reused).toBe(t.reused);
    expect(b.started).toHaveLength(t.reused ? 1 : 2);
    if (t.reused) expect(await next.value).toBe('refs@1000');
  });

  it.each([
    { freshAfter: undefined, joined: true },
    { freshAfter: 900, joined: true },
    { freshAfter: 1000, joined: true },
    { freshAfter: 1001, joined: false },
  ])('a read in flight since 1000, freshAfter $freshAfter: joined $joined', (t) => {
    const b = bed();
    b.read('repo');
    b.set(1010);
    const next = b.read('repo', t.freshAfter);
    expect(next.shared).toBe(t.joined);
    expect(next.reused).toBe(false);
    expect(b.started).toHaveLength(t.joined ? 1 : 2);
  });

  it('lets N lookups asked for before a read share it, in flight and once completed', async () => {
    const b = bed();
    const lookups = Array.from({ length: 5 }, () => b.read('repo', 990));
    expect(lookups.map((l) => l.shared)).toEqual([false, true, true, true, true]);
    b.started[0]?.done.resolve('refs');
    expect(await Promise.all(lookups.map((l) => l.value))).toEqual(Array(5).fill('refs'));
    b.set(1500);
    expect(b.read('repo', 995).shared).toBe(true);
    expect(b.started).toHaveLength(1);
  });

  it('keeps the newer read when an older one, started too early for someone, finishes last', async () => {
    const b = bed();
    const old = b.read('repo');
    b.set(1100);
    const newer = b.read('repo', 1050);
    expect(newer.shared).toBe(false);
    // Lookups asked for after 1050 now join the newer read.
    expect(b.read('repo', 1060).shared).toBe(true);
    b.started[1]?.done.resolve('refs@1100');
    await newer.value;
    b.started[0]?.done.resolve('refs@1000');
    await old.value;
    b.set(1200);
    const next = b.read('repo', 1100);
    expect(next.shared).toBe(true);
    expect(await next.value).toBe('refs@1100');
  });

  it('keeps no failed or empty read, and separates keys', async () => {
    const b = bed();
    const failed = b.read('a');
    b.started[0]?.done.reject(new Error('boom'));
    await expect(failed.value).rejects.toThrow('boom');
    const empty = b.read('a', 0);
    expect(empty.shared).toBe(false);
    b.started[1]?.done.resolve(undefined);
    await empty.value;
    expect(b.read('a', 0).shared).toBe(false);
    expect(b.read('b', 0).shared).toBe(false);
    expect(b.started).toHaveLength(4);
  });

  it('drops completed reads older than maxAgeMs and beyond maxKeys', async () => {
    const b = bed({ maxKeys: 2, maxAgeMs: 60_000 });
    for (const key of ['a', 'b', 'c']) {
      const r = b.read(key);
      b.started.at(-1)?.done.resolve(key);
      await r.value;
    }
    // 'a' was the oldest of three kept under a cap of two.
    expect(b.read('a', 0).shared).toBe(false);
    expect(b.read('c', 0).shared).toBe(true);
    b.set(1000 + 60_001);
    expect(b.read('c', 0).shared).toBe(false);
  });
});
