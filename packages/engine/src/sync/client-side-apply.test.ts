import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import type { JsonObject } from '../diff/json.ts';
import {
  applyMergePatch,
  clientSideApply,
  createMergePatch,
  lastAppliedAnnotation,
  lastAppliedOf,
  threeWayMergePatch,
  withLastApplied,
} from './client-side-apply.ts';

describe('createMergePatch / applyMergePatch (RFC 7386)', () => {
  const cases: { name: string; from: JsonObject; to: JsonObject; patch: JsonObject }[] = [
    { name: 'equal', from: { a: 1, b: { c: 2 } }, to: { b: { c: 2 }, a: 1 }, patch: {} },
    { name: 'added key', from: { a: 1 }, to: { a: 1, b: 2 }, patch: { b: 2 } },
    { name: 'removed key is null', from: { a: 1, b: 2 }, to: { a: 1 }, patch: { b: null } },
    { name: 'changed scalar', from: { a: 1 }, to: { a: 2 }, patch: { a: 2 } },
    {
      name: 'nested objects recurse',
      from: { s: { x: 1, y: 2 } },
      to: { s: { x: 1, z: 3 } },
      patch: { s: { y: null, z: 3 } },
    },
    {
      name: 'lists are replaced whole',
      from: { l: [1, 2, 3] },
      to: { l: [1, 3] },
      patch: { l: [1, 3] },
    },
    { name: 'object becomes scalar', from: { a: { b: 1 } }, to: { a: 'x' }, patch: { a: 'x' } },
  ];
  it.each(cases)('$name', ({ from, to, patch }) => {
    expect(createMergePatch(from, to)).toEqual(patch);
    expect(applyMergePatch(from, patch)).toEqual(to);
  });
});

describe('threeWayMergePatch (kubectl apply)', () => {
  const cases: {
    name: string;
    original: JsonObject | undefined;
    modified: JsonObject;
    current: JsonObject;
    patch: JsonObject;
  }[] = [
    {
      name: 'nothing changed: empty patch, live-only fields untouched',
      original: { data: { a: '1' } },
      modified: { data: { a: '1' } },
      current: { data: { a: '1' }, status: { x: 1 } },
      patch: {},
    },
    {
      name: 'a field removed from the manifest since the last apply is deleted',
      original: { data: { a: '1', b: '2' } },
      modified: { data: { a: '1' } },
      current: { data: { a: '1', b: '2' } },
      patch: { data: { b: null } },
    },
    {
      name: 'a field another writer added (never in last-applied) is kept',
      original: { data: { a: '1' } },
      modified: { data: { a: '1' } },
      current: { data: { a: '1', added: 'by-hand' } },
      patch: {},
    },
    {
      name: 'a live edit of a managed field is reverted',
      original: { spec: { replicas: 2 } },
      modified: { spec: { replicas: 2 } },
      current: { spec: { replicas: 5 } },
      patch: { spec: { replicas: 2 } },
    },
    {
      name: 'changes and deletions together',
      original: { spec: { a: 1, b: 2 }, keep: true },
      modified: { spec: { a: 3 }, keep: true, c: [1] },
      current: { spec: { a: 1, b: 2, d: 4 }, keep: true },
      patch: { spec: { a: 3, b: null }, c: [1] },
    },
    {
      name: 'without last-applied nothing is deleted',
      original: undefined,
      modified: { data: { a: '1' } },
      current: { data: { a: '1', b: '2' } },
      patch: {},
    },
    {
      name: 'an empty object set on purpose is a value',
      original: {},
      modified: { spec: {} },
      current: {},
      patch: { spec: {} },
    },
    {
      name: 'a deletion already gone from live is still sent (harmless)',
      original: { a: 1 },
      modified: {},
      current: {},
      patch: { a: null },
    },
  ];
  it.each(cases)('$name', ({ original, modified, current, patch }) => {
    expect(threeWayMergePatch(original, modified, current)).toEqual(patch);
  });
});

const cm = (data: Record<string, string>, annotations?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', ...(annotations ? { annotations } : {}) },
  data,
});

describe('withLastApplied / clientSideApply', () => {
  it('records the manifest without its own annotation, keys sorted, stable', () => {
    const once = withLastApplied(cm({ b: '2', a: '1' }, { x: 'y' }));
    const twice = withLastApplied(once);
    expect(twice).toEqual(once);
    const text = once.metadata.annotations?.[lastAppliedAnnotation] ?? '';
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(cm({ a: '1', b: '2' }, { x: 'y' }));
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"b"'));
    expect(lastAppliedOf(once)).toEqual(cm({ a: '1', b: '2' }, { x: 'y' }));
  });

  it('drops an annotations map that held only the old last-applied', () => {
    const out = withLastApplied(cm({}, { [lastAppliedAnnotation]: '{}' }));
    expect(lastAppliedOf(out)).toEqual(cm({}));
  });

  it.each([
    ['absent', undefined],
    ['not JSON', 'nope'],
    ['not an object', '[1]'],
  ])('reads no last-applied when it is %s', (_name, text) => {
    expect(lastAppliedOf(cm({}, text === undefined ? {} : { [lastAppliedAnnotation]: text }))).toBe(
      undefined,
    );
  });

  it('creates a missing object with the annotation', () => {
    const out = clientSideApply(cm({ a: '1' }), undefined);
    expect(out.kind).toBe('create');
    if (out.kind === 'create') expect(lastAppliedOf(out.object)).toEqual(cm({ a: '1' }));
  });

  it('patches a live object: removed keys deleted, annotation updated, unchanged is {}', () => {
    const first = withLastApplied(cm({ a: '1', b: '2' }));
    const live = { ...first, metadata: { ...first.metadata, resourceVersion: '7' } };
    const removed = clientSideApply(cm({ a: '1' }), live);
    expect(removed).toEqual({
      kind: 'patch',
      patch: {
        data: { b: null },
        metadata: {
          annotations: {
            [lastAppliedAnnotation]: withLastApplied(cm({ a: '1' })).metadata.annotations?.[
              lastAppliedAnnotation
            ],
          },
        },
      },
    });
    expect(clientSideApply(cm({ b: '2', a: '1' }), live)).toEqual({ kind: 'patch', patch: {} });
  });
});

describe('createMergePatch and applyMergePatch (property)', () => {
  // Keys a parser hands over as own properties: they must stay data, never a prototype.
  const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'a', 'b'), fc.string());
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.integer(), fc.boolean(), tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  }));
  it('the patch from one object to another turns the first into the second', () => {
    fc.assert(
      fc.property(json.object, json.object, (from, to) => {
        const patch = createMergePatch(from, to);
        expect(applyMergePatch(from, patch)).toEqual(to);
        expect(({} as Record<string, unknown>)['a']).toBeUndefined();
      }),
    );
  });
});
