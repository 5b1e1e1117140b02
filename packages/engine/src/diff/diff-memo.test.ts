import type { KubeObject } from '@gitward/model';
import { describe, expect, it } from 'vitest';
import { createDiffMemo } from './diff-memo.ts';
import { diffResource } from './diff-resource.ts';

const cm = (data: Record<string, string>, rv = '1'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'ns', resourceVersion: rv },
  data,
});

describe('createDiffMemo', () => {
  it('answers as diffResource does, and again from memory while both sides are the same', () => {
    const diff = createDiffMemo();
    const desired = cm({ a: '2' });
    const predicted = cm({ a: '2' });
    const live = cm({ a: '1' });
    const first = diff(desired, live, predicted);
    expect(first).toEqual(diffResource(desired, live, predicted));
    expect(first.modified).toBe(true);
    expect(diff(cm({ a: '2' }), live, predicted)).toBe(first);
  });

  it('keeps an equal pair without its normalized objects', () => {
    const diff = createDiffMemo();
    const obj = cm({ a: '1' });
    const equal = diff(obj, obj, obj);
    expect(equal).toEqual({ key: diffResource(obj, obj, obj).key, modified: false, diff: '' });
    expect(diff(obj, obj, obj)).toBe(equal);
  });

  it('diffs again when the live object, the prediction or the options are new', () => {
    const diff = createDiffMemo();
    const predicted = cm({ a: '2' });
    const live = cm({ a: '1' });
    const first = diff(predicted, live, predicted);
    const newLive = cm({ a: '2' }, '2');
    expect(diff(predicted, newLive, predicted).modified).toBe(false);
    expect(diff(predicted, live, cm({ a: '1' })).modified).toBe(false);
    const ignoring = diff(predicted, live, predicted, {
      ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data'] }],
    });
    expect(ignoring.modified).toBe(false);
    expect(diff(predicted, live, predicted)).not.toBe(first);
    expect(diff(predicted, live, predicted).modified).toBe(true);
  });

  it('calls through without a prediction or a live object', () => {
    const diff = createDiffMemo();
    const desired = cm({ a: '2' });
    const live = cm({ a: '1' });
    expect(diff(desired, live, undefined)).not.toBe(diff(desired, live, undefined));
    expect(diff(desired, undefined, desired).modified).toBe(true);
  });
});
