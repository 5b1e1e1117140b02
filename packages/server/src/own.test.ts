import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_INPUT_DEPTH,
  findKeyProblem,
  ownBody,
  isPrototypeKey,
  own,
  ownJson,
  ownStringMap,
} from './own.ts';

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('own-property helpers', () => {
  it('ownStringMap keeps own string values on an object without a prototype', () => {
    const data = JSON.parse('{"a":"1","b":2,"__proto__":"x"}') as unknown;
    const map = ownStringMap(data);
    expect(Object.getPrototypeOf(map)).toBeNull();
    expect(Object.entries(map)).toEqual([
      ['a', '1'],
      ['__proto__', 'x'],
    ]);
    expect(own(map, 'toString')).toBeUndefined();
    expect('toString' in map).toBe(false);
    expect(ownStringMap(['a'])).toEqual(Object.create(null));
    expect(ownStringMap(null)).toEqual(Object.create(null));
  });

  it('own never answers from a prototype', () => {
    const map = Object.assign(Object.create({ inherited: 'no' }) as Record<string, string>, {
      mine: 'yes',
    });
    expect(own(map, 'mine')).toBe('yes');
    expect(own(map, 'inherited')).toBeUndefined();
    expect(own({}, 'toString')).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'])(
    'refuses %s as a key',
    (key) => expect(isPrototypeKey(key)).toBe(true),
  );

  it.each(['proto', 'labels', '0', '-', 'my-constructor'])('accepts %s as a key', (key) =>
    expect(isPrototypeKey(key)).toBe(false),
  );

  it('findKeyProblem points at the first refused key and bounds the depth', () => {
    expect(findKeyProblem(JSON.parse('{"a":[{"b":{"__proto__":1}}]}'))).toEqual({
      kind: 'prototype-key',
      key: '__proto__',
      path: '/a/0/b/__proto__',
    });
    expect(findKeyProblem(nested(MAX_INPUT_DEPTH - 1))).toBeUndefined();
    expect(findKeyProblem(nested(MAX_INPUT_DEPTH + 5))).toMatchObject({ kind: 'too-deep' });
  });

  it('ownJson copies any JSON into prototype-free objects, equal in content', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => {
        const copy = ownJson(value);
        expect(copy.ok).toBe(true);
        if (!copy.ok) return;
        expect(JSON.stringify(copy.value)).toBe(JSON.stringify(value));
        const stack: unknown[] = [copy.value];
        for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
          if (typeof v !== 'object' || v === null) continue;
          if (!Array.isArray(v)) expect(Object.getPrototypeOf(v)).toBeNull();
          stack.push(...(Object.values(v) as unknown[]));
        }
      }),
    );
    const proto = ownJson(JSON.parse('{"__proto__":{"x":1}}'));
    expect(proto.ok && Object.keys(proto.value as object)).toEqual(['__proto__']);
    expect(ownJson(nested(MAX_INPUT_DEPTH + 1))).toEqual({ ok: false });
  });

  it('ownBody gives handlers a prototype-free object, empty for anything else, 400 when too deep', () => {
    const body = ownBody(JSON.parse('{"username":"a","nested":{"x":1}}'));
    expect(Object.getPrototypeOf(body)).toBeNull();
    expect(Object.getPrototypeOf(body['nested'])).toBeNull();
    expect(body['password']).toBeUndefined();
    for (const other of [null, 'text', 3, ['a']]) expect(Object.keys(ownBody(other))).toEqual([]);
    expect(() => ownBody(nested(MAX_INPUT_DEPTH + 1))).toThrow(/nested too deeply/);
  });
});
