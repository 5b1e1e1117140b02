import { describe, expect, it } from 'vitest';
import type { ApiResourceIndex, KubeClient } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import { createApplyMemo, createPredictor } from '@gitward/control';
import { createApplier } from './sync/applier.ts';

const cm = (name: string, data: Record<string, string>, rv?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: 'ns',
    ...(rv !== undefined && { resourceVersion: rv }),
    ...(rv !== undefined && { managedFields: [{ manager: 'gitward', fieldsV1: {} }] }),
  },
  data,
});

describe('createApplyMemo', () => {
  it('keeps as many entries as the caller says the apps manage, 20,000 at least', () => {
    const fill = (memo: ReturnType<typeof createApplyMemo>, n: number) => {
      for (let i = 0; i < n; i++) memo.dryRan(cm(`c${i}`, {}), undefined, cm(`c${i}`, {}, '1'));
    };
    const fixed = createApplyMemo();
    fill(fixed, 25_000);
    expect(fixed.size()).toBe(20_000);
    expect(fixed.get(cm('c0', {}), undefined)).toBeUndefined();
    const sized = createApplyMemo({ maxEntries: () => 30_000 });
    fill(sized, 25_000);
    expect(sized.size()).toBe(25_000);
    expect(sized.get(cm('c0', {}), undefined)).toBeDefined();
  });

  it('answers for the same content over the same live version only', () => {
    const memo = createApplyMemo();
    const desired = cm('a', { k: '1' });
    const live = cm('a', { k: '0' }, '5');
    const answer = memo.dryRan(desired, live, cm('a', { k: '1' }, '5'));
    // Kept without managedFields: the diff reads the live object's.
    expect(answer.metadata['managedFields']).toBeUndefined();
    expect(memo.get(desired, live)).toBe(answer);
    expect(memo.get(desired, cm('a', { k: '0' }, '6'))).toBeUndefined();
    expect(memo.get(cm('a', { k: '2' }), live)).toBeUndefined();
    expect(memo.get(desired, undefined)).toBeUndefined();
  });

  it('after a real apply, answers for the object the apply made', () => {
    const memo = createApplyMemo();
    const desired = cm('a', { k: '1' });
    memo.applied(desired, cm('a', { k: '1' }, '9'));
    expect(memo.get(desired, cm('a', { k: '1' }, '9'))?.['data']).toEqual({ k: '1' });
    // Someone else changed it since: no answer.
    expect(memo.get(desired, cm('a', { k: '1' }, '10'))).toBeUndefined();
  });

  it('keeps one answer per object', () => {
    const memo = createApplyMemo();
    for (let v = 0; v < 5; v++) memo.dryRan(cm('a', { v: `${v}` }), undefined, cm('a', {}, `${v}`));
    memo.dryRan(cm('b', {}), undefined, cm('b', {}, '1'));
    expect(memo.size()).toBe(2);
  });
});

describe('the predictor and the applier sharing a memo', () => {
  const index: ApiResourceIndex = {
    lookup: () => ({
      group: '',
      version: 'v1',
      kind: 'ConfigMap',
      plural: 'configmaps',
      namespaced: true,
      verbs: ['get', 'list', 'watch', 'patch'],
      preferred: true,
    }),
  } as unknown as ApiResourceIndex;
  const fakeKube = () => {
    const calls: { method: string; dryRun: boolean }[] = [];
    let version = 5;
    const kube = {
      request: (
        method: string,
        _path: string,
        opts: { body?: KubeObject; query?: Record<string, string> },
      ) => {
        const dryRun = opts.query?.['dryRun'] === 'All';
        calls.push({ method, dryRun });
        if (!dryRun) version++;
        const body = opts.body ?? cm('missing', {});
        return Promise.resolve({
          status: 200,
          body: { ...body, metadata: { ...body.metadata, resourceVersion: `${version}` } },
        });
      },
    } as unknown as KubeClient;
    return { kube, calls };
  };
  const options = { dryRun: false, replace: false, force: false, validate: true };

  it('makes one request per object for predict, dry run, apply and the next predict', async () => {
    const { kube, calls } = fakeKube();
    const memo = createApplyMemo();
    const predictor = createPredictor(kube, memo);
    const applier = createApplier(kube, { memo });
    const desired = cm('a', { k: '1' });
    const live = cm('a', { k: '0' }, '5');
    const id = '/ConfigMap/ns/a';
    await predictor.predictAll([desired], new Map([[id, live]]), index);
    expect(calls).toEqual([{ method: 'PATCH', dryRun: true }]);
    // The sync's dry run over the same live version is answered from the memo.
    expect(await applier.apply(desired, live, index, { ...options, dryRun: true })).toMatchObject({
      ok: true,
    });
    expect(calls).toHaveLength(1);
    await applier.apply(desired, live, index, options);
    expect(calls).toEqual([
      { method: 'PATCH', dryRun: true },
      { method: 'PATCH', dryRun: false },
    ]);
    // The comparison after the sync sees the applied object live: nothing to ask.
    const after = cm('a', { k: '1' }, '6');
    const predicted = await predictor.predictAll([desired], new Map([[id, after]]), index);
    expect(predicted.get(id)?.['data']).toEqual({ k: '1' });
    expect(calls).toHaveLength(2);
    expect(predictor.stats).toEqual({ dryRuns: 1, cacheHits: 1 });
  });

  it('still asks the apiserver for a dry run over a newer live version', async () => {
    const { kube, calls } = fakeKube();
    const memo = createApplyMemo();
    const applier = createApplier(kube, { memo });
    const desired = cm('a', { k: '1' });
    await applier.apply(desired, cm('a', {}, '5'), index, { ...options, dryRun: true });
    await applier.apply(desired, cm('a', {}, '7'), index, { ...options, dryRun: true });
    expect(calls).toHaveLength(2);
  });
});
