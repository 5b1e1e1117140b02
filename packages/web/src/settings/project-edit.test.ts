import { describe, expect, it } from 'vitest';
import type { AppProjectSpec } from '@gitward/model';
import {
  addDestination,
  addGroupKind,
  addSourceRepo,
  addSyncWindow,
  removeEntry,
  splitList,
  type Edit,
  type WindowInput,
} from './project-edit.ts';

const spec: AppProjectSpec = {
  description: 'team a',
  sourceRepos: ['https://github.com/org/a.git'],
  destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'a' }],
  clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
};

const specOf = (e: Edit) => (e.ok ? e.spec : e.reason);

describe('addSourceRepo', () => {
  it.each<[string, AppProjectSpec, string, unknown]>([
    [
      'adds',
      spec,
      ' https://github.com/org/* ',
      { ...spec, sourceRepos: ['https://github.com/org/a.git', 'https://github.com/org/*'] },
    ],
    ['adds to a project without any', {}, '*', { sourceRepos: ['*'] }],
    ['refuses empty', spec, '  ', expect.stringContaining('Enter')],
    [
      'refuses duplicates',
      spec,
      'https://github.com/org/a.git',
      expect.stringContaining('already'),
    ],
    ['refuses !*', spec, '!*', expect.stringContaining('not allowed')],
  ])('%s', (_name, s, repo, want) => {
    expect(specOf(addSourceRepo(s, repo))).toEqual(want);
  });
});

describe('addDestination', () => {
  it.each<[string, { server?: string; name?: string; namespace?: string }, unknown]>([
    [
      'by server',
      { server: 'https://x', namespace: 'b' },
      [spec.destinations?.[0], { server: 'https://x', namespace: 'b' }],
    ],
    [
      'by name',
      { name: 'in-cluster', namespace: '*' },
      [spec.destinations?.[0], { name: 'in-cluster', namespace: '*' }],
    ],
    ['refuses no cluster', { namespace: 'b' }, expect.stringContaining('server URL')],
    ['refuses no namespace', { server: 'https://x' }, expect.stringContaining('namespace')],
    [
      'refuses duplicates',
      { server: 'https://kubernetes.default.svc', namespace: 'a' },
      expect.stringContaining('already'),
    ],
  ])('%s', (_name, d, want) => {
    const out = addDestination(spec, d);
    expect(out.ok ? out.spec.destinations : out.reason).toEqual(want);
  });
});

describe('addGroupKind', () => {
  it.each<[string, Parameters<typeof addGroupKind>[1], { group: string; kind: string }, unknown]>([
    [
      'adds to an allow list',
      'clusterResourceWhitelist',
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      [
        { group: '', kind: 'Namespace' },
        { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' },
      ],
    ],
    [
      'starts a deny list',
      'namespaceResourceBlacklist',
      { group: '', kind: 'ResourceQuota' },
      [{ group: '', kind: 'ResourceQuota' }],
    ],
    [
      'refuses no kind',
      'namespaceResourceWhitelist',
      { group: 'apps', kind: ' ' },
      expect.stringContaining('Enter a kind'),
    ],
    [
      'refuses duplicates',
      'clusterResourceWhitelist',
      { group: '', kind: 'Namespace' },
      'core/Namespace is already listed.',
    ],
  ])('%s', (_name, key, gk, want) => {
    const out = addGroupKind(spec, key, gk);
    expect(out.ok ? out.spec[key] : out.reason).toEqual(want);
  });
});

describe('addSyncWindow', () => {
  const w: WindowInput = {
    kind: 'deny',
    schedule: '0 22 * * *',
    duration: '1h',
    applications: '*',
    namespaces: '',
    clusters: '',
    manualSync: false,
    timeZone: '',
  };
  it.each<[string, Partial<WindowInput>, unknown]>([
    ['adds', {}, [{ kind: 'deny', schedule: '0 22 * * *', duration: '1h', applications: ['*'] }]],
    [
      'with every field',
      {
        kind: 'allow',
        namespaces: 'a, b',
        clusters: 'in-cluster',
        manualSync: true,
        timeZone: 'Europe/Paris',
        duration: '1h30m',
      },
      [
        {
          kind: 'allow',
          schedule: '0 22 * * *',
          duration: '1h30m',
          applications: ['*'],
          namespaces: ['a', 'b'],
          clusters: ['in-cluster'],
          manualSync: true,
          timeZone: 'Europe/Paris',
        },
      ],
    ],
    ['refuses a bad kind', { kind: 'maybe' }, 'Kind is allow or deny.'],
    ['refuses a short schedule', { schedule: '0 22 *' }, expect.stringContaining('five fields')],
    ['refuses a bad duration', { duration: '1 hour' }, expect.stringContaining('duration')],
    ['refuses no targets', { applications: ' , ' }, expect.stringContaining('needs applications')],
  ])('%s', (_name, over, want) => {
    const out = addSyncWindow(spec, { ...w, ...over });
    expect(out.ok ? out.spec.syncWindows : out.reason).toEqual(want);
  });
});

describe('removeEntry', () => {
  it.each<[string, Parameters<typeof removeEntry>[1], number, unknown]>([
    [
      'removes the last source repo and drops the list',
      'sourceRepos',
      0,
      {
        description: 'team a',
        destinations: spec.destinations,
        clusterResourceWhitelist: spec.clusterResourceWhitelist,
      },
    ],
    ['refuses an index out of range', 'destinations', 3, 'That entry is gone already.'],
    ['refuses on an absent list', 'syncWindows', 0, 'That entry is gone already.'],
  ])('%s', (_name, key, index, want) => {
    expect(specOf(removeEntry(spec, key, index))).toEqual(want);
  });
});

describe('splitList', () => {
  it.each([
    ['a, b,,c ', ['a', 'b', 'c']],
    ['', []],
  ])('%s', (text, want) => {
    expect(splitList(text)).toEqual(want);
  });
});
