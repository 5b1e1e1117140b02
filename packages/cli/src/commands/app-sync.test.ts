import { describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { diffAgainstLive, diffHeader } from './app-diff.ts';
import { satisfied, wantedOrDefault } from './app-follow.ts';
import { resourceRows } from './app-resources.ts';
import { syncRequestOf } from './app-sync.ts';

const app = (
  sync: string,
  health: string,
  more: Partial<Application> = {},
  ignoreDifferences?: Application['spec']['ignoreDifferences'],
): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' },
    source: { repoURL: 'https://git.example/web.git' },
    ...(ignoreDifferences ? { ignoreDifferences } : {}),
  },
  status: { sync: { status: sync }, health: { status: health } },
  ...more,
});

describe('app wait (argocd checkResourceStatus)', () => {
  it('waits for Synced, Healthy and no operation when nothing is named', () => {
    expect(wantedOrDefault({})).toEqual({ sync: true, health: true, operation: true });
    expect(wantedOrDefault({ degraded: true })).toEqual({ degraded: true });
  });

  const cases: [string, object, string, boolean][] = [
    ['--health on Healthy', { health: true }, 'Healthy', true],
    ['--health on Degraded', { health: true }, 'Degraded', false],
    ['--degraded on Degraded', { degraded: true }, 'Degraded', true],
    ['--degraded on Healthy', { degraded: true }, 'Healthy', false],
    ['--degraded --health on Healthy', { degraded: true, health: true }, 'Healthy', true],
    ['--suspended --health on Suspended', { suspended: true, health: true }, 'Suspended', true],
    ['--suspended --degraded on Healthy', { suspended: true, degraded: true }, 'Healthy', false],
    ['--sync alone, any health', { sync: true }, 'Missing', true],
  ];
  it.each(cases)('%s: %s', (_, wanted, health, want) => {
    expect(satisfied(app('Synced', health), wanted)).toBe(want);
  });

  it('--operation waits until no operation is set', () => {
    const running = app('Synced', 'Healthy', { operation: { sync: {} } });
    expect(satisfied(running, { operation: true })).toBe(false);
    expect(satisfied(app('Synced', 'Healthy'), { operation: true })).toBe(true);
  });
});

const flags = {
  timeout: '0',
  project: [],
  resource: [],
  label: [],
  syncOption: [],
  retryLimit: '0',
  retryBackoffDuration: '5s',
  retryBackoffMaxDuration: '3m0s',
  retryBackoffFactor: '2',
  info: [],
  output: 'wide',
};

describe('the sync request (argocd NewApplicationSyncCommand)', () => {
  it('sends the hook strategy and nothing else by default', () => {
    expect(syncRequestOf(flags, [])).toEqual({ strategy: { hook: { force: false } } });
  });

  it('maps every flag', () => {
    const req = syncRequestOf(
      {
        ...flags,
        revision: 'v2',
        prune: true,
        dryRun: true,
        force: true,
        strategy: 'apply',
        replace: true,
        serverSide: true,
        applyOutOfSyncOnly: true,
        syncOption: ['Validate=false'],
        retryLimit: '3',
        retryBackoffDuration: '10s',
        retryBackoffFactor: '3',
        info: ['reason=hotfix=1'],
      },
      [{ group: '', kind: 'ConfigMap', namespace: 'prod', name: 'a' }],
    );
    expect(req).toEqual({
      revision: 'v2',
      prune: true,
      dryRun: true,
      strategy: { apply: { force: true } },
      resources: [{ group: '', kind: 'ConfigMap', namespace: 'prod', name: 'a' }],
      syncOptions: {
        items: [
          'Replace=true',
          'ServerSideApply=true',
          'ApplyOutOfSyncOnly=true',
          'Validate=false',
        ],
      },
      retryStrategy: { limit: 3, backoff: { duration: '10s', maxDuration: '3m0s', factor: 3 } },
      infos: [{ name: 'reason', value: 'hotfix=1' }],
    });
  });

  it.each([
    [{ strategy: 'sideways' }, "Unknown sync strategy: 'sideways'"],
    [{ retryLimit: 'many' }, '--retry-limit must be a whole number'],
    [{ info: ['novalue'] }, '--info should be NAME=VALUE'],
  ])('refuses %j', (over, message) => {
    expect(() => syncRequestOf({ ...flags, ...over }, [])).toThrow(message);
  });
});

const cm = (
  name: string,
  data: Record<string, string>,
  annotations?: Record<string, string>,
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'prod', ...(annotations ? { annotations } : {}) },
  data,
});
const liveItem = (o: KubeObject, hook = false) => ({
  kind: o.kind,
  namespace: o.metadata.namespace ?? '',
  name: o.metadata.name ?? '',
  liveState: JSON.stringify(o),
  ...(hook ? { hook: true } : {}),
});

describe('app diff --local / --revision', () => {
  const live = [
    liveItem(cm('same', { a: '1' }, { 'gitward.dev/tracking-id': 'web:/ConfigMap:prod/same' })),
    liveItem(cm('changed', { a: '1' })),
    liveItem(cm('gone', { a: '1' })),
    liveItem(cm('a-hook', { a: '1' }), true),
  ];

  it('shows what differs, what is new, and what the target no longer has; never hooks', () => {
    const target = [
      cm('same', { a: '1' }),
      cm('changed', { a: '2' }),
      cm('new', { a: '1' }),
      cm('pre', { a: '1' }, { 'argocd.argoproj.io/hook': 'PreSync' }),
    ];
    const items = diffAgainstLive(app('Synced', 'Healthy'), target, live);
    expect(items.map((i) => i.key.name)).toEqual(['changed', 'new', 'gone']);
    expect(items[0]?.diff).toMatch(/-\s+a: "1"[\s\S]*\+\s+a: "2"/);
  });

  it("applies the app's ignoreDifferences", () => {
    const a = app('Synced', 'Healthy', {}, [{ kind: 'ConfigMap', jsonPointers: ['/data/a'] }]);
    const items = diffAgainstLive(
      a,
      [cm('changed', { a: '2' })],
      [live[1] ?? liveItem(cm('x', {}))],
    );
    expect(items).toEqual([]);
  });

  it("prints argocd's header", () => {
    expect(diffHeader({ group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web' })).toBe(
      '\n===== apps/Deployment prod/web ======',
    );
  });
});

describe('app resources', () => {
  const nodes = [
    { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web' },
    {
      group: 'apps',
      kind: 'ReplicaSet',
      namespace: 'prod',
      name: 'web-1',
      parentRefs: [{ kind: 'Deployment', name: 'web' }],
    },
  ];
  const orphans = [{ kind: 'ConfigMap', namespace: 'prod', name: 'stray' }];

  it('lists top-level objects and orphans, or orphans only', () => {
    expect(resourceRows(nodes, orphans, { managed: true, orphaned: true })).toEqual([
      ['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'ORPHANED'],
      ['apps', 'Deployment', 'prod', 'web', 'No'],
      ['-', 'ConfigMap', 'prod', 'stray', 'Yes'],
    ]);
    expect(resourceRows(nodes, orphans, { managed: false, orphaned: true })).toHaveLength(2);
  });
});
