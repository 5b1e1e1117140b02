import { describe, expect, it } from 'vitest';
import { ApiError } from './http/api-error.ts';
import { applyJsonMergePatch, applyJsonPatch } from './json-patch.ts';

const doc = { spec: { a: 1, list: ['x', 'y'], 'we/ird': true } };

function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError');
}

describe('applyJsonPatch', () => {
  it.each([
    ['replace', [{ op: 'replace', path: '/spec/a', value: 2 }], { a: 2 }],
    ['add a key', [{ op: 'add', path: '/spec/b', value: 'n' }], { b: 'n' }],
    ['append', [{ op: 'add', path: '/spec/list/-', value: 'z' }], { list: ['x', 'y', 'z'] }],
    ['insert', [{ op: 'add', path: '/spec/list/0', value: 'w' }], { list: ['w', 'x', 'y'] }],
    ['remove from a list', [{ op: 'remove', path: '/spec/list/0' }], { list: ['y'] }],
    ['escaped key', [{ op: 'replace', path: '/spec/we~1ird', value: false }], { 'we/ird': false }],
    ['move', [{ op: 'move', from: '/spec/a', path: '/spec/c' }], { c: 1 }],
    ['copy', [{ op: 'copy', from: '/spec/list', path: '/spec/l2' }], { l2: ['x', 'y'] }],
    [
      'test then replace',
      [
        { op: 'test', path: '/spec/a', value: 1 },
        { op: 'replace', path: '/spec/a', value: 3 },
      ],
      { a: 3 },
    ],
  ])('%s', (_name, ops, expected) => {
    expect((applyJsonPatch(doc, ops) as typeof doc).spec).toMatchObject(expected);
  });

  it('removes a key and leaves the input alone', () => {
    const out = applyJsonPatch(doc, [{ op: 'remove', path: '/spec/a' }]) as typeof doc;
    expect(out.spec).not.toHaveProperty('a');
    expect(doc.spec.a).toBe(1);
  });

  it('uses only the fields an operation takes, read as own properties', () => {
    const op = Object.assign(Object.create({ value: 'inherited' }) as object, {
      op: 'add',
      path: '/spec/b',
    });
    expect(thrown(() => applyJsonPatch(doc, [op])).message).toMatch(/has no value/);
  });

  it.each([
    ['not a list', { op: 'add' }, /list of operations/],
    ['an operation that is not an object', ['add'], /operation 0 is not an object/],
    [
      'a missing parent',
      [{ op: 'add', path: '/nope/x', value: 1 }],
      /operation 0 \(add \/nope\/x\)/,
    ],
    ['a missing key', [{ op: 'remove', path: '/spec/zz' }], /does not exist/],
    ['an unknown op', [{ op: 'merge', path: '/spec/a' }], /op must be one of/],
    ['the library-internal _get', [{ op: '_get', path: '/spec/a' }], /op must be one of/],
    ['an op named after a prototype member', [{ op: 'constructor', path: '/a' }], /op must be/],
    ['a relative path', [{ op: 'add', path: 'spec', value: 1 }], /must be empty or start with/],
    ['a path that is not a string', [{ op: 'remove', path: 1 }], /path must be a string/],
    ['move without from', [{ op: 'move', path: '/spec/b' }], /from must be a string/],
    ['a move into itself', [{ op: 'move', from: '/spec', path: '/spec/x' }], /into itself/],
    ['a move of the root', [{ op: 'move', from: '', path: '/spec' }], /into itself/],
    ['a copy to the root from nowhere', [{ op: 'copy', from: '/zz', path: '' }], /does not exist/],
    ['an index past the end', [{ op: 'add', path: '/spec/list/9', value: 1 }], /operation 0/],
    ['a second bad operation', [{ op: 'test', path: '/spec/a', value: 1 }, { op: 'x' }], /1: op/],
  ])('refuses %s with 400 INVALID_ARGUMENT', (_name, ops, message) => {
    const err = thrown(() => applyJsonPatch(doc, ops));
    expect([err.status, err.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(err.message).toMatch(message);
    // The library's error text goes on to print the whole document: never shown.
    expect(err.message).not.toContain('\n');
  });

  it('answers a failed test with FAILED_PRECONDITION', () => {
    const err = thrown(() => applyJsonPatch(doc, [{ op: 'test', path: '/spec/a', value: 9 }]));
    expect([err.status, err.code]).toEqual([400, 'FAILED_PRECONDITION']);
    expect(err.message).toMatch(/operation 0 \(test \/spec\/a\): test failed/);
  });

  // Operations as JSON text: JSON.parse makes `__proto__` an own key, as a request body would.
  it.each([
    ['__proto__ in a path', '{"op":"add","path":"/__proto__/policy.default","value":"role:admin"}'],
    ['__proto__ deeper', '{"op":"add","path":"/spec/__proto__/x","value":"y"}'],
    ['constructor/prototype', '{"op":"add","path":"/constructor/prototype/x","value":1}'],
    ['constructor alone', '{"op":"add","path":"/spec/constructor/x","value":1}'],
    ['__proto__ after escaped segments', '{"op":"add","path":"/spec/~0~1/__proto__","value":1}'],
    ['an Object.prototype member', '{"op":"remove","path":"/spec/toString"}'],
    ['__proto__ in from', '{"op":"copy","from":"/__proto__","path":"/spec/p"}'],
    ['__proto__ inside a value', '{"op":"add","path":"/spec/b","value":{"__proto__":{"x":1}}}'],
    ['constructor inside a value', '{"op":"add","path":"/spec","value":{"l":[{"constructor":1}]}}'],
  ])('refuses %s and leaves Object.prototype alone', (_name, op) => {
    const err = thrown(() => applyJsonPatch(doc, JSON.parse(`[${op}]`)));
    expect([err.status, err.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(err.message).toMatch(/may not (touch|use)/);
    expect(({} as Record<string, unknown>)['policy.default']).toBeUndefined();
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('allows a key that merely contains a prototype name', () => {
    const ops = [{ op: 'add', path: '/spec/my-constructor', value: { __protocol: 1 } }];
    expect(applyJsonPatch(doc, ops)).toMatchObject({
      spec: { 'my-constructor': { __protocol: 1 } },
    });
  });

  it('refuses a value nested deeper than any object', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    const err = thrown(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/d', value: deep }]));
    expect(err.message).toMatch(/nested too deeply/);
  });
});

describe('applyJsonMergePatch', () => {
  it('merges, deletes with null, replaces lists, and leaves the input alone', () => {
    const out = applyJsonMergePatch(doc, { spec: { a: null, b: 2, list: ['z'] } });
    expect(out).toEqual({ spec: { b: 2, list: ['z'], 'we/ird': true } });
    expect(doc.spec.a).toBe(1);
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"policy.default":"role:admin"}}', '/__proto__'],
    ['__proto__ deeper', '{"metadata":{"labels":{"__proto__":{"x":"y"}}}}', '/metadata/labels'],
    ['constructor', '{"spec":{"constructor":{"prototype":{"x":1}}}}', '/spec/constructor'],
    ['an Object.prototype member', '{"spec":{"hasOwnProperty":1}}', '/spec/hasOwnProperty'],
  ])('refuses %s', (_name, body, at) => {
    const err = thrown(() => applyJsonMergePatch(doc, JSON.parse(body)));
    expect([err.status, err.code]).toEqual([400, 'INVALID_ARGUMENT']);
    expect(err.message).toContain(at);
    expect(({} as Record<string, unknown>)['policy.default']).toBeUndefined();
  });
});
