import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, storedEqual } from './json.ts';

/** What the apiserver would keep of a value as a member of an object: its JSON, keys in one order. */
const stored = (v: unknown) => canonicalJson(JSON.parse(JSON.stringify({ v })) as unknown);

// JSON-like values with undefined in them, as a status built in code has.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(undefined, null, true, false, 0, 1, 'a', 'b', ''),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 3 }),
  ),
}));

describe('storedEqual', () => {
  it.each<[string, unknown, unknown, boolean]>([
    ['an undefined member is an absent one', { a: 1, b: undefined }, { a: 1 }, true],
    ['key order does not matter', { a: 1, b: 2 }, { b: 2, a: 1 }, true],
    ['an undefined array element is null', [undefined, 1], [null, 1], true],
    ['a missing member differs from null', { a: null }, {}, false],
    ['another member instead', { a: 1 }, { b: 1 }, false],
    ['arrays of other lengths', [1], [1, 1], false],
    ['an array is not an object', [], {}, false],
  ])('%s', (_, a, b, want) => {
    expect(storedEqual(a, b)).toBe(want);
    expect(storedEqual(b, a)).toBe(want);
  });

  it('agrees with comparing the stored JSON', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(storedEqual(a, b)).toBe(stored(a) === stored(b));
        expect(storedEqual(a, structuredClone(a))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
