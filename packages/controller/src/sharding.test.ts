import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { ShardMember } from '@gitward/infra';
import { createSharding, type Sharding } from './sharding.ts';

const apps = Array.from({ length: 12 }, (_, i) => `app-${i}`);

/** Replicas sharing one board of leases, as their membership would read it (no apiserver). */
function cluster(ids: readonly string[], opts: { expected?: number; leaseLeft?: number } = {}) {
  const live = new Set(ids);
  const shards = new Map<string, Sharding>();
  const members = (): ShardMember[] =>
    [...live].sort().map((identity) => ({ identity, view: shards.get(identity)?.published() }));
  for (const id of ids) {
    const s = createSharding({
      identity: id,
      members,
      validUntil: () => Date.now() + (opts.leaseLeft ?? 10_000),
      minLeaseLeftMs: 5_000,
      expected: opts.expected ?? ids.length,
      startupWaitMs: 60_000,
      batchMs: 0,
    });
    shards.set(id, s);
    for (const a of apps) s.appAdded(a);
  }
  /** Every replica reads the board and publishes once it has nothing in flight, until quiet. */
  async function settle(busy: Record<string, string[]> = {}) {
    for (let round = 0; round < 4; round++) {
      for (const s of shards.values()) s.membersChanged();
      await sleep(5);
      for (const [id, s] of shards) s.drained(new Set(busy[id] ?? []));
    }
  }
  const running = (id: string) => apps.filter((a) => shards.get(id)?.decide(a) === 'run');
  return { live, shards, settle, running };
}

describe('createSharding', () => {
  it('splits the apps once every replica published the same view', async () => {
    const c = cluster(['a', 'b', 'c']);
    expect(c.running('a')).toEqual([]);
    await c.settle();
    const runs = ['a', 'b', 'c'].map((id) => c.running(id));
    expect(runs.flat().sort()).toEqual([...apps].sort());
    expect(runs.map((r) => r.length)).toEqual(
      ['a', 'b', 'c'].map((id) => c.shards.get(id)?.owned()),
    );
  });

  it('waits for the expected replicas before acting', async () => {
    const c = cluster(['a', 'b'], { expected: 3 });
    await c.settle();
    expect([...c.running('a'), ...c.running('b')]).toEqual([]);
  });

  it('holds a gained app while the replica that had it is still reconciling it', async () => {
    const c = cluster(['a', 'b', 'c']);
    await c.settle();
    const fromC = c.running('c');
    // c leaves (its lease released) while it still runs one of its apps: until it stops and
    // publishes, nobody else may take that app... c is gone from the board, so the view settles
    // without it: that is the case its own lease check covers (it stops before expiry).
    c.live.delete('c');
    c.shards.delete('c');
    await c.settle();
    const taken = [...c.running('a'), ...c.running('b')];
    expect(taken).toEqual(expect.arrayContaining(fromC));
    // A replica that joins takes apps only once a and b dropped them.
    const d = createSharding({
      identity: 'd',
      members: () =>
        ['a', 'b', 'd'].map((identity) => ({
          identity,
          view: c.shards.get(identity)?.published() ?? d.published(),
        })),
      validUntil: () => Date.now() + 10_000,
      minLeaseLeftMs: 5_000,
      expected: 3,
      startupWaitMs: 60_000,
      batchMs: 0,
    });
    for (const a of apps) d.appAdded(a);
    c.shards.set('d', d);
    c.live.add('d');
    const aBefore = c.running('a');
    // a is busy with all its apps: it cannot publish the view that moves some of them to d.
    await c.settle({ a: aBefore });
    expect(c.running('d').filter((x) => aBefore.includes(x))).toEqual([]);
    await c.settle();
    const moved = apps.filter((x) => aBefore.includes(x) && d.decide(x) !== 'other');
    for (const x of moved) expect(d.decide(x)).toBe('run');
    for (const x of moved) expect(c.shards.get('a')?.decide(x)).toBe('other');
  });

  it('runs nothing on a lease with less than the pass budget left', async () => {
    const c = cluster(['a'], { leaseLeft: 1_000 });
    await c.settle();
    expect(c.running('a')).toEqual([]);
    expect(c.shards.get('a')?.decide('app-0')).toBe('wait');
  });
});
