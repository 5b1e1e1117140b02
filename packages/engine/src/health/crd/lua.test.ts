import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HealthStatusCode, type KubeObject } from '@gitward/model';
import { assessHealth } from '../assess.ts';
import { crdCheckKeys } from './index.ts';
import {
  concat,
  get,
  ipairs,
  isEmptyTable,
  length,
  lessThan,
  pairs,
  ScriptError,
  toNumber,
  truthy,
} from './lua.ts';

describe('Lua semantics of the checks', () => {
  it('indexes as Lua does', () => {
    expect(get({ a: 1 }, 'a')).toBe(1);
    expect(get({ a: null }, 'a')).toBeUndefined();
    expect(get({}, 'toString')).toBeUndefined();
    expect(get([1, 2], 'length')).toBeUndefined();
    expect(get('text', 'type')).toBeUndefined();
    expect(() => get(undefined, 'a')).toThrow(
      "attempt to index a non-table object(nil) with key 'a'",
    );
    expect(() => get(3, 'a')).toThrow(ScriptError);
    expect(() => get(false, 'a')).toThrow('object(boolean)');
  });

  it('iterates, measures and compares as Lua does', () => {
    expect(ipairs([1, 2, null, 4])).toEqual([1, 2, 4]);
    expect(ipairs({ a: 1 })).toEqual([]);
    expect(() => ipairs(undefined)).toThrow('bad argument #1 to ipairs (table expected, got nil)');
    expect(pairs([null, 'a', null, 'b'])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(pairs({ a: 1, b: null })).toEqual([['a', 1]]);
    expect(length([1, 2])).toBe(2);
    expect(length([null, 2])).toBe(1);
    expect(isEmptyTable([null])).toBe(true);
    expect(isEmptyTable({ a: null })).toBe(true);
    expect(length({ a: 1 })).toBe(0);
    expect(isEmptyTable({})).toBe(true);
    expect(isEmptyTable([])).toBe(true);
    expect(() => isEmptyTable('x')).toThrow(ScriptError);
    expect(truthy(0)).toBe(true);
    expect(truthy('')).toBe(true);
    expect(truthy(false)).toBe(false);
    expect(truthy(undefined)).toBe(false);
    expect(concat('a', 1, 'b', 0.5, 1e-7)).toBe('a1b0.51e-07');
    expect(() => concat('a', ' ', undefined)).toThrow(
      'cannot perform concat operation between string and nil',
    );
    expect(() => concat(undefined, ' is ', 'x')).toThrow(
      'cannot perform concat operation between nil and string',
    );
    expect(() => concat('a', {}, 'b')).toThrow('between table and string');
    expect(lessThan(1, 2)).toBe(true);
    expect(lessThan('a', 'b')).toBe(true);
    expect(() => lessThan(1, '2')).toThrow('attempt to compare number with string');
  });

  it.each([
    [5, 5],
    ['5', 5],
    [' 12 ', 12],
    ['1e2', 100],
    ['0x10', 16],
    ['.5', 0.5],
    ['abc', undefined],
    ['', undefined],
    [true, undefined],
    [undefined, undefined],
  ])('tonumber(%j) is %j', (v, want) => {
    expect(toNumber(v)).toBe(want);
  });
});

const codes: ReadonlySet<string> = new Set(Object.values(HealthStatusCode));
const concrete = (key: string) => key.replace('*.', 'any.').replace('/*', '/Anything');

describe('every built-in check, on any object', () => {
  it('answers a valid health or none, and never throws', () => {
    const [first, ...rest] = crdCheckKeys.map(concrete);
    fc.assert(
      fc.property(
        fc.constantFrom(first ?? '', ...rest),
        fc.record(
          {
            spec: fc.jsonValue(),
            status: fc.oneof(
              fc.jsonValue(),
              fc.record({
                phase: fc.jsonValue(),
                conditions: fc.array(
                  fc.record({
                    type: fc.jsonValue(),
                    status: fc.jsonValue(),
                    reason: fc.jsonValue(),
                  }),
                ),
              }),
            ),
          },
          { requiredKeys: [] },
        ),
        (key, fields) => {
          const slash = key.lastIndexOf('/');
          const obj = {
            apiVersion: `${key.slice(0, slash)}/v1`,
            kind: key.slice(slash + 1),
            metadata: { name: 'x', generation: 1 },
            ...fields,
          } as KubeObject;
          const h = assessHealth(obj);
          if (h !== undefined) expect(codes.has(h.status)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
