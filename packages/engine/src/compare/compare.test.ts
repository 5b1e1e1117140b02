import { describe, expect, it } from 'vitest';
import { formatResourceKey, resourceKeyOf, type KubeObject } from '@gitward/model';
import { compareApplication } from './compare.ts';
import { buildStatus } from './status.ts';

const cm = (
  name: string,
  data: Record<string, string>,
  annotations: Record<string, string> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', annotations },
  data,
});
const byKey = (objs: KubeObject[]) =>
  new Map(objs.map((o) => [formatResourceKey(resourceKeyOf(o)), o]));
const input = (desired: KubeObject[], live: KubeObject[], managed: KubeObject[] = live) => ({
  desired,
  live: byKey(live),
  managed,
  predicted: new Map<string, KubeObject>(),
  ignoreDifferences: [],
});

describe('compareApplication', () => {
  it('is Synced and Healthy when every resource matches', () => {
    const r = compareApplication(input([cm('a', { x: '1' })], [cm('a', { x: '1' })]));
    expect(r.syncStatus).toBe('Synced');
    expect(r.health.status).toBe('Healthy');
  });

  it('is OutOfSync when a resource differs or is missing, and Missing health for the absent one', () => {
    const r = compareApplication(input([cm('a', { x: '2' }), cm('b', {})], [cm('a', { x: '1' })]));
    expect(r.syncStatus).toBe('OutOfSync');
    expect(r.resources.map((x) => [x.key.name, x.status, x.health?.status])).toEqual([
      ['a', 'OutOfSync', undefined],
      ['b', 'OutOfSync', 'Missing'],
    ]);
  });

  it('marks tracked objects no longer in Git as requiring pruning, unless IgnoreExtraneous', () => {
    const gone = cm('gone', {});
    const quiet = cm('quiet', {}, { 'argocd.argoproj.io/compare-options': 'IgnoreExtraneous' });
    const r = compareApplication(input([], [], [gone, quiet]));
    expect(r.resources.map((x) => [x.key.name, x.status, x.requiresPruning])).toEqual([
      ['gone', 'OutOfSync', true],
      ['quiet', 'Synced', false],
    ]);
    expect(r.syncStatus).toBe('OutOfSync');
  });

  // As Argo CD: hooks belong to syncs and deletion, never to the app's resources, whether desired
  // (named or generateName), live and tracked, or Helm's; and so never to its sync status or health.
  it.each([
    ['a PreSync hook', { 'argocd.argoproj.io/hook': 'PreSync' }],
    ['a PreDelete hook', { 'argocd.argoproj.io/hook': 'PreDelete' }],
    ['a Skip object', { 'argocd.argoproj.io/hook': 'Skip' }],
    ['a Helm hook', { 'helm.sh/hook': 'pre-install' }],
  ])('leaves %s out of the resources', (_, annotations) => {
    const hook = cm('migrate', { v: '2' }, annotations);
    const liveHook = cm('old-run', { v: '1' }, annotations);
    const unnamed: KubeObject = {
      ...hook,
      metadata: { generateName: 'migrate-', namespace: 'ns', annotations },
    };
    const r = compareApplication(input([hook, unnamed, cm('a', {})], [liveHook, cm('a', {})]));
    expect(r.resources.map((x) => x.key.name)).toEqual(['a']);
    expect(r.syncStatus).toBe('Synced');
    expect(r.health.status).toBe('Healthy');
  });

  it('does not let a failed hook Job lower the app health', () => {
    const annotations = { 'argocd.argoproj.io/hook': 'PreSync' };
    const job: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate', namespace: 'ns', annotations },
    };
    const failed: KubeObject = {
      ...job,
      status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] },
    };
    const r = compareApplication(input([job, cm('a', {})], [failed, cm('a', {})]));
    expect(r.health.status).toBe('Healthy');
  });

  it('keeps a Helm crd-install object: it is applied as an ordinary resource', () => {
    const crdInstall = cm('c', {}, { 'helm.sh/hook': 'crd-install' });
    const r = compareApplication(input([crdInstall], []));
    expect(r.resources.map((x) => [x.key.name, x.status])).toEqual([['c', 'OutOfSync']]);
  });

  it('reads sync waves', () => {
    const r = compareApplication(
      input([cm('a', {}, { 'argocd.argoproj.io/sync-wave': '-2' })], []),
    );
    expect(r.resources[0]?.syncWave).toBe(-2);
  });
});

describe('buildStatus', () => {
  const destination = { server: 'https://kubernetes.default.svc', namespace: 'ns' };
  const compared = compareApplication(input([cm('a', {})], [cm('a', {})]));

  it('writes sync, health, resources and keeps condition times while unchanged', () => {
    const first = buildStatus({
      previous: undefined,
      report: {
        kind: 'compared',
        result: compared,
        revision: 'abc',
        sourceType: 'Directory',
        warnings: [{ type: 'W', message: 'm' }],
      },
      source: undefined,
      destination,
      now: 't1',
    });
    expect(first.sync?.status).toBe('Synced');
    expect(first.sync?.revision).toBe('abc');
    expect(first.resources).toHaveLength(1);
    const second = buildStatus({
      previous: first,
      report: {
        kind: 'compared',
        result: compared,
        revision: 'abc',
        sourceType: 'Directory',
        warnings: [{ type: 'W', message: 'm' }],
      },
      source: undefined,
      destination,
      now: 't2',
    });
    expect(second.conditions?.[0]?.lastTransitionTime).toBe('t1');
    expect(second.health?.lastTransitionTime).toBe('t1');
  });

  it('keeps the last resources on failure and reports Unknown with the cause', () => {
    const good = buildStatus({
      previous: undefined,
      report: {
        kind: 'compared',
        result: compared,
        revision: 'abc',
        sourceType: 'Directory',
        warnings: [],
      },
      source: undefined,
      destination,
      now: 't1',
    });
    const failed = buildStatus({
      previous: good,
      report: { kind: 'failed', conditions: [{ type: 'ComparisonError', message: 'boom' }] },
      source: undefined,
      destination,
      now: 't2',
    });
    expect(failed.sync?.status).toBe('Unknown');
    expect(failed.resources).toEqual(good.resources);
    expect(failed.conditions).toEqual([
      { type: 'ComparisonError', message: 'boom', lastTransitionTime: 't2' },
    ]);
  });
});
