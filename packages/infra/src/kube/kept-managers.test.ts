import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { createKeptManagers, forCache, managersNamedBy } from './kept-managers.ts';

const entry = (manager: unknown) => ({
  manager,
  operation: 'Apply',
  fieldsV1: { 'f:spec': { 'f:replicas': {} } },
});

const withManaged = (managedFields: unknown): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns', resourceVersion: '7', managedFields },
  spec: { replicas: 3 },
});

describe('forCache', () => {
  const kept = createKeptManagers(['kube-controller-manager']);

  it.each([
    {
      case: 'keeps only the entries of kept managers',
      managed: [entry('gitward'), entry('kube-controller-manager'), entry('kubectl')],
      want: [entry('kube-controller-manager')],
      dropped: ['gitward', 'kubectl'],
    },
    {
      case: 'drops the field when no entry is kept',
      managed: [entry('gitward'), entry('kubectl-client-side-apply')],
      want: undefined,
      dropped: ['gitward', 'kubectl-client-side-apply'],
    },
    {
      case: 'drops entries without a manager name',
      managed: [entry(undefined), 'junk', entry('kube-controller-manager')],
      want: [entry('kube-controller-manager')],
      dropped: [''],
    },
    { case: 'drops a managedFields that is not a list', managed: {}, want: undefined, dropped: [] },
  ])('$case', ({ managed, want, dropped }) => {
    const obj = withManaged(managed);
    const seen = new Set<string>();
    const out = forCache(obj, kept, seen);
    expect(out.metadata['managedFields']).toEqual(want);
    expect('managedFields' in out.metadata).toBe(want !== undefined);
    expect([...seen].sort()).toEqual(dropped);
    // The rest is untouched, and the input is not modified.
    expect(out.metadata).toMatchObject({ name: 'web', namespace: 'ns', resourceVersion: '7' });
    expect(out['spec']).toEqual({ replicas: 3 });
    expect(obj.metadata['managedFields']).toEqual(managed);
  });

  it('returns an object without managedFields as it is', () => {
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } };
    expect(forCache(obj, kept)).toBe(obj);
  });

  it('keeps the last-applied annotation (client-side apply reads it)', () => {
    const annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{"a":1}\n' };
    const obj = withManaged([entry('kubectl')]);
    obj.metadata.annotations = annotations;
    expect(forCache(obj, kept).metadata.annotations).toEqual(annotations);
  });
});

describe('createKeptManagers', () => {
  it('tells listeners only the managers a set adds, and waits for them', async () => {
    const kept = createKeptManagers(['a']);
    const calls: string[][] = [];
    let relisted = false;
    kept.onAdded(async (added) => {
      calls.push([...added].sort());
      await Promise.resolve();
      relisted = true;
    });
    await kept.set(['a']);
    expect(calls).toEqual([]);
    await kept.set(['a', 'b', 'c']);
    expect(calls).toEqual([['b', 'c']]);
    expect(relisted).toBe(true);
    await kept.set(['c']);
    expect([kept.has('a'), kept.has('b'), kept.has('c')]).toEqual([false, false, true]);
    expect(calls).toHaveLength(1);
    await kept.set(['a', 'c']);
    expect(calls).toEqual([['b', 'c'], ['a']]);
  });

  it('stops calling a listener once it unsubscribes', async () => {
    const kept = createKeptManagers();
    let calls = 0;
    const off = kept.onAdded(() => {
      calls++;
      return Promise.resolve();
    });
    off();
    await kept.set(['x']);
    expect(calls).toBe(0);
  });
});

describe('managersNamedBy', () => {
  it.each([
    { case: 'no spec', app: {}, want: [] },
    { case: 'no rules', app: { spec: {} }, want: [] },
    { case: 'rules not a list', app: { spec: { ignoreDifferences: {} } }, want: [] },
    {
      case: 'every rule, non-strings skipped',
      app: {
        spec: {
          ignoreDifferences: [
            { kind: 'Deployment', managedFieldsManagers: ['kube-controller-manager', 3] },
            { kind: 'ConfigMap', jsonPointers: ['/data'] },
            { kind: 'Service', managedFieldsManagers: ['other'] },
            null,
          ],
        },
      },
      want: ['kube-controller-manager', 'other'],
    },
  ])('$case', ({ app, want }) => {
    const obj = { apiVersion: 'gitward.dev/v1alpha1', kind: 'Application', metadata: {}, ...app };
    expect(managersNamedBy(obj)).toEqual(want);
  });
});
