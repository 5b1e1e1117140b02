import { describe, expect, it } from 'vitest';
import { createMemoryRevocationStore } from './revocations.ts';

const clock = (start: number) => {
  const c = { t: start, now: () => c.t };
  return c;
};

describe('createMemoryRevocationStore', () => {
  it('remembers a revocation until its expiry, then forgets it', async () => {
    const c = clock(1_000);
    const store = createMemoryRevocationStore({ now: c.now });
    await store.revoke('a', new Date(5_000));
    expect(store.isRevoked('a')).toBe(true);
    expect(store.isRevoked('b')).toBe(false);
    c.t = 4_999;
    expect(store.isRevoked('a')).toBe(true);
    c.t = 5_000;
    expect(store.isRevoked('a')).toBe(false);
    expect(store.entries()).toEqual([]);
  });

  it.each([
    ['an already expired token is not stored', [['a', 500]], []],
    [
      'a later expiry extends a revocation',
      [
        ['a', 2_000],
        ['a', 3_000],
      ],
      [['a', 3_000]],
    ],
    [
      'an earlier expiry does not shorten it',
      [
        ['a', 3_000],
        ['a', 2_000],
      ],
      [['a', 3_000]],
    ],
  ] as const)('%s', async (_name, revokes, expected) => {
    const store = createMemoryRevocationStore({ now: () => 1_000 });
    for (const [jti, exp] of revokes) await store.revoke(jti, new Date(exp));
    expect(store.entries()).toEqual(expected.map(([jti, exp]) => ({ jti, exp: new Date(exp) })));
  });

  it('prunes expired entries on every revoke, keeping memory bounded', async () => {
    const c = clock(0);
    const store = createMemoryRevocationStore({ now: c.now });
    for (let i = 0; i < 100; i++) await store.revoke(`old-${i}`, new Date(10));
    c.t = 20;
    await store.revoke('new', new Date(100));
    expect(store.entries().map((e) => e.jti)).toEqual(['new']);
  });

  it('loads persisted revocations, dropping the expired ones', () => {
    const store = createMemoryRevocationStore({
      now: () => 1_000,
      initial: [
        { jti: 'live', exp: new Date(2_000) },
        { jti: 'dead', exp: new Date(500) },
      ],
    });
    expect(store.isRevoked('live')).toBe(true);
    expect(store.isRevoked('dead')).toBe(false);
    expect(store.entries()).toEqual([{ jti: 'live', exp: new Date(2_000) }]);
  });
});
