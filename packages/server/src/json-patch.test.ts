import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.ts';

const doc = { spec: { a: 1, list: ['x', 'y'], 'we/ird': true } };

describe('applyJsonPatch', () => {
  it.each([
    ['replace', [{ op: 'replace', path: '/spec/a', value: 2 }], { a: 2 }],
    ['add a key', [{ op: 'add', path: '/spec/b', value: 'n' }], { b: 'n' }],
    ['append', [{ op: 'add', path: '/spec/list/-', value: 'z' }], { list: ['x', 'y', 'z'] }],
    ['insert', [{ op: 'add', path: '/spec/list/0', value: 'w' }], { list: ['w', 'x', 'y'] }],
    ['remove from a list', [{ op: 'remove', path: '/spec/list/0' }], { list: ['y'] }],
    ['escaped key', [{ op: 'replace', path: '/spec/we~1ird', value: false }], { 'we/ird': false }],
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

  it.each([
    ['not a list', { op: 'add' }, /list of operations/],
    ['a missing parent', [{ op: 'add', path: '/nope/x', value: 1 }], /does not exist/],
    ['an unknown op', [{ op: 'move', path: '/spec/a' }], /not supported/],
    ['a failed test', [{ op: 'test', path: '/spec/a', value: 9 }], /test failed/],
    ['a relative path', [{ op: 'add', path: 'spec', value: 1 }], /must start with/],
  ])('refuses %s', (_name, ops, message) => {
    expect(() => applyJsonPatch(doc, ops)).toThrow(message);
  });
});
