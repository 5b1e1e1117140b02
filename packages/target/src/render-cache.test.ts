import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundedCache } from './render-cache.ts';

describe('createBoundedCache', () => {
  it('evicts the least recently used entry when over its entry count', () => {
    const c = createBoundedCache<number>({ maxEntries: 2, maxBytes: 100 });
    c.set('a', 1, 1);
    c.set('b', 2, 1);
    expect(c.get('a')).toBe(1);
    c.set('c', 3, 1);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
  });

  it('evicts by bytes, and never keeps an entry bigger than the budget', () => {
    const c = createBoundedCache<string>({ maxEntries: 10, maxBytes: 100 });
    c.set('a', 'a', 60);
    c.set('b', 'b', 30);
    c.set('c', 'c', 30);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([undefined, 'b', 'c']);
    c.set('huge', 'h', 101);
    expect(c.get('huge')).toBeUndefined();
    expect(c.bytes).toBe(60);
  });

  it('replacing a key counts its bytes once', () => {
    const c = createBoundedCache<number>({ maxEntries: 10, maxBytes: 100 });
    c.set('a', 1, 50);
    c.set('a', 2, 40);
    expect([c.size, c.bytes, c.get('a')]).toEqual([1, 40, 2]);
  });

  it('stays within both bounds whatever is stored', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(60))),
        (ops) => {
          const c = createBoundedCache<number>({ maxEntries: 3, maxBytes: 100 });
          for (const [k, bytes] of ops) {
            c.set(k, bytes, bytes);
            expect(c.size).toBeLessThanOrEqual(3);
            expect(c.bytes).toBeLessThanOrEqual(100);
            expect(c.get(k)).toBe(bytes);
          }
        },
      ),
    );
  });
});
