import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addRevocation, createMemoryRevocationStore, revocationEntries } from './revocations.ts';

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

describe('addRevocation', () => {
  const parse = (v: string) => JSON.parse(v) as Record<string, number>;

  it('adds the entry and prunes the expired ones', () => {
    const out = addRevocation(
      JSON.stringify({ old: 50, live: 500 }),
      { jti: 'new', exp: 300 },
      100,
    );
    expect(parse(out.value)).toEqual({ live: 500, new: 300 });
    expect(out.dropped).toBe(0);
  });

  it('past the cap forgets the entries that expire soonest', () => {
    const raw = JSON.stringify({ a: 200, b: 300, c: 400 });
    const out = addRevocation(raw, { jti: 'd', exp: 900 }, 100, 3);
    expect(parse(out.value)).toEqual({ b: 300, c: 400, d: 900 });
    expect(out.dropped).toBe(1);
  });

  it.each(['', 'not json', '[1,2]', 'null', '{"a":"x","__proto__":5}'])(
    'reads %j as a list of numeric own entries only',
    (raw) => {
      const out = addRevocation(raw, { jti: 'n', exp: 200 }, 100);
      expect(parse(out.value)['n']).toBe(200);
      expect(({} as Record<string, unknown>)['a']).toBeUndefined();
    },
  );

  it('whatever the stored list, the result is bounded, live, and keeps the newest', () => {
    const list = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.integer(), fc.string()), {
      maxKeys: 40,
    });
    fc.assert(
      fc.property(list, fc.integer({ min: 1, max: 20 }), (stored, max) => {
        const now = 1000;
        const out = addRevocation(JSON.stringify(stored), { jti: 'me', exp: 2 ** 32 }, now, max);
        const entries = revocationEntries(out.value);
        expect(entries.length).toBeLessThanOrEqual(max);
        expect(entries.every(([, exp]) => exp > now)).toBe(true);
        expect(entries.some(([jti]) => jti === 'me')).toBe(true);
      }),
    );
  });

  it('never throws on any stored text', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        addRevocation(raw, { jti: 'x', exp: 10 }, 1);
      }),
    );
  });
});
