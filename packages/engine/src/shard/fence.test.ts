import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createShardFence, shardView, type ShardDecision, type ShardFence } from './fence.ts';

const apps = Array.from({ length: 30 }, (_, i) => `app-${i}`);
const published = (entries: Record<string, string | undefined>) => new Map(Object.entries(entries));
const decisions = (f: ShardFence) => {
  const out: Record<ShardDecision, number> = { run: 0, wait: 0, other: 0 };
  for (const a of apps) out[f.decide(a)]++;
  return out;
};

describe('shardView', () => {
  it('has one id for the same sets, whatever their order', () => {
    expect(shardView(['b', 'a'], ['y', 'x', 'x']).id).toBe(shardView(['a', 'b'], ['x', 'y']).id);
  });
  it.each([
    ['a member more', ['a', 'b', 'c'], ['x', 'y']],
    ['an app more', ['a', 'b'], ['x', 'y', 'z']],
    ['names split differently', ['a', 'bx'], ['y']],
  ])('changes its id with %s', (_, members, names) => {
    expect(shardView(members, names).id).not.toBe(shardView(['a', 'b'], ['x', 'y']).id);
  });
});

describe('createShardFence', () => {
  it('owns nothing before a view, and waits on an owned app until the view settles', () => {
    const f = createShardFence('a');
    expect(f.decide('app-0')).toBe('other');
    const v = shardView(['a'], apps);
    f.adopt(v);
    expect(decisions(f)).toEqual({ run: 0, wait: 30, other: 0 });
    f.observe(published({ a: v.id }));
    expect(f.settled()).toBe(true);
    expect(decisions(f)).toEqual({ run: 30, wait: 0, other: 0 });
  });

  it('does not settle while a member has published an older view, or while it is not a member', () => {
    const f = createShardFence('a');
    const old = shardView(['a'], apps);
    const v = shardView(['a', 'b'], apps);
    f.adopt(v);
    f.observe(published({ a: v.id, b: old.id }));
    expect(f.settled()).toBe(false);
    const without = createShardFence('c');
    without.adopt(v);
    without.observe(published({ a: v.id, b: v.id }));
    expect(without.settled()).toBe(false);
  });

  it('on a join keeps running the apps it keeps and makes the gained ones wait for the others', () => {
    const a = createShardFence('a');
    const alone = shardView(['a', 'b'], apps);
    a.adopt(alone);
    a.observe(published({ a: alone.id, b: alone.id }));
    const joined = shardView(['a', 'b', 'c'], apps);
    a.adopt(joined);
    const kept = apps.filter((x) => alone.owner.get(x) === 'a' && joined.owner.get(x) === 'a');
    const gained = apps.filter((x) => alone.owner.get(x) !== 'a' && joined.owner.get(x) === 'a');
    for (const x of kept) expect(a.decide(x)).toBe('run');
    for (const x of gained) expect(a.decide(x)).toBe('wait');
    // c has published the new view, b not yet: still not settled.
    a.observe(published({ a: joined.id, b: alone.id, c: joined.id }));
    for (const x of gained) expect(a.decide(x)).toBe('wait');
    a.observe(published({ a: joined.id, b: joined.id, c: joined.id }));
    for (const x of [...kept, ...gained]) expect(a.decide(x)).toBe('run');
  });

  it('once it lost an app, waits for it again even when a later view gives it back', () => {
    const f = createShardFence('a');
    const v1 = shardView(['a'], apps);
    f.adopt(v1);
    f.observe(published({ a: v1.id }));
    const v2 = shardView(['a', 'b'], apps);
    f.adopt(v2);
    const lost = apps.filter((x) => v2.owner.get(x) === 'b');
    expect(lost.length).toBeGreaterThan(0);
    // b leaves again: the apps come back, but b may have run them in v2.
    f.adopt(shardView(['a'], apps));
    for (const x of lost) expect(f.decide(x)).toBe('wait');
  });

  // The safety property, simulated: replicas adopt views and publish them in any interleaving
  // (each publishes only views it adopted, after it stopped running apps it lost); at no step
  // may two replicas decide 'run' for one app.
  it('never lets two replicas run one app, whatever the order of adoptions and publications', () => {
    const replicas = ['a', 'b', 'c', 'd'];
    // d joins late (a view with d after views without it); any other member may leave.
    const memberSets = [
      ['a', 'b', 'c'],
      ['a', 'b'],
      ['b', 'c'],
      ['a', 'c'],
      ['a', 'b', 'c', 'd'],
      ['b', 'd'],
    ];
    const appSets = [apps.slice(0, 10), apps.slice(0, 12), apps.slice(2, 12)];
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('adopt' as const),
        who: fc.constantFrom(...replicas),
        members: fc.nat(memberSets.length - 1),
        apps: fc.nat(appSets.length - 1),
      }),
      fc.record({ kind: fc.constant('publish' as const), who: fc.constantFrom(...replicas) }),
      fc.record({ kind: fc.constant('observe' as const), who: fc.constantFrom(...replicas) }),
    );
    const views = memberSets.map((m) => appSets.map((a) => shardView(m, a)));
    const checked = apps.slice(0, 12);
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const fences = Object.fromEntries(replicas.map((r) => [r, createShardFence(r)]));
        const board = new Map<string, string | undefined>();
        // A view without r is adopted only once r's Lease expired, and r stopped acting before
        // that (its own lease check): from then on r is gone for good (a restart is a new member).
        const dead = new Set<string>();
        const joined = new Set<string>();
        for (const s of steps) {
          if (dead.has(s.who)) continue;
          const f = fences[s.who] ?? createShardFence(s.who);
          if (s.kind === 'adopt') {
            const view = views[s.members]?.[s.apps] ?? shardView([], []);
            if (view.members.some((m) => dead.has(m))) continue;
            for (const r of joined) if (!view.members.includes(r)) dead.add(r);
            for (const m of view.members) joined.add(m);
            f.adopt(view);
          } else if (s.kind === 'publish') board.set(s.who, f.view()?.id);
          else f.observe(board);
          for (const app of checked) {
            const live = replicas.filter((r) => !dead.has(r));
            const running = live.filter((r) => fences[r]?.decide(app) === 'run');
            expect(running.length).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
