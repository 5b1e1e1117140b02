import type { Application, ResourceNode } from '@gitward/model';
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  compareRefs,
  filterNodes,
  nodeLabel,
  refId,
  rootId,
  sameNode,
} from './resource-graph.ts';

const app: Application = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', namespace: 'gitward' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
  },
  status: {
    sync: { status: 'OutOfSync' },
    health: { status: 'Progressing' },
    resources: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'demo',
        name: 'web',
        status: 'OutOfSync',
        health: { status: 'Progressing' },
      },
      {
        group: '',
        version: 'v1',
        kind: 'Service',
        namespace: 'demo',
        name: 'web',
        status: 'Synced',
        health: { status: 'Healthy' },
      },
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'demo',
        name: 'gone',
        status: 'OutOfSync',
        requiresPruning: true,
      },
    ],
  },
};

const tree: ResourceNode[] = [
  {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespace: 'demo',
    name: 'web',
    uid: 'd1',
    health: { status: 'Healthy' },
  },
  { group: '', version: 'v1', kind: 'Service', namespace: 'demo', name: 'web', uid: 's1' },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    namespace: 'demo',
    name: 'web-1',
    uid: 'r1',
    parentRefs: [{ group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web', uid: 'd1' }],
    health: { status: 'Healthy' },
  },
  {
    group: '',
    version: 'v1',
    kind: 'Pod',
    namespace: 'demo',
    name: 'web-1-x',
    uid: 'p1',
    parentRefs: [
      { group: 'apps', kind: 'ReplicaSet', namespace: 'demo', name: 'web-1', uid: 'r1' },
    ],
    health: { status: 'Progressing', message: 'pulling' },
  },
];

describe('buildGraph', () => {
  const nodes = buildGraph(app, tree);
  const byLabel = new Map(nodes.map((n) => [nodeLabel(n), n]));

  it('puts the Application first, then resources in display order', () => {
    expect(nodes.map(nodeLabel)).toEqual([
      'Application/guestbook',
      'ConfigMap/gone',
      'Service/web',
      'Deployment/web',
      'ReplicaSet/web-1',
      'Pod/web-1-x',
    ]);
  });

  it.each([
    [
      'Application/guestbook',
      { root: true, sync: 'OutOfSync', health: 'Progressing', parentIds: [] },
    ],
    [
      'Deployment/web',
      { managed: true, sync: 'OutOfSync', health: 'Healthy', uid: 'd1', parentIds: [rootId] },
    ],
    ['ConfigMap/gone', { managed: true, requiresPruning: true, parentIds: [rootId] }],
    ['ReplicaSet/web-1', { managed: false, parentIds: ['apps/Deployment/demo/web'] }],
    [
      'Pod/web-1-x',
      {
        managed: false,
        health: 'Progressing',
        healthMessage: 'pulling',
        parentIds: ['apps/ReplicaSet/demo/web-1'],
      },
    ],
  ])('%s', (label, want) => {
    expect(byLabel.get(label)).toMatchObject(want);
  });

  it('children carry no sync status (only managed resources have one)', () => {
    expect(byLabel.get('Pod/web-1-x')?.sync).toBeUndefined();
  });
});

describe('filterNodes', () => {
  const nodes = buildGraph(app, tree);
  it.each([
    [{}, 5],
    [{ text: 'web' }, 4],
    [{ text: 'pod web' }, 1],
    [{ sync: 'OutOfSync' }, 2],
    [{ health: 'Healthy' }, 3],
  ])('%j → %i', (f, count) => {
    expect(filterNodes(nodes, f)).toHaveLength(count);
  });
});

describe('compareRefs / refId', () => {
  it('orders by kind rank, then kind, namespace and name', () => {
    const refs = [
      { group: '', kind: 'Pod', namespace: 'a', name: 'x' },
      { group: 'x.io', kind: 'Widget', namespace: 'a', name: 'y' },
      { group: '', kind: 'Service', namespace: 'b', name: 'a' },
      { group: '', kind: 'Service', namespace: 'a', name: 'z' },
    ];
    expect([...refs].sort(compareRefs).map((r) => `${r.kind}/${r.namespace}/${r.name}`)).toEqual([
      'Service/a/z',
      'Service/b/a',
      'Pod/a/x',
      'Widget/a/y',
    ]);
    expect(refId(refs[0] ?? refs[1] ?? { group: '', kind: '', namespace: '', name: '' })).toBe(
      '/Pod/a/x',
    );
  });
});

describe('sameNode', () => {
  const [a] = buildGraph(app, tree).slice(3);
  const [b] = buildGraph(app, tree).slice(3);
  it.each([
    ['rebuilt from the same answers', b, true],
    ['health changed', b && { ...b, health: 'Degraded' }, false],
    ['owners changed', b && { ...b, parentIds: ['x'] }, false],
    ['field added', b && { ...b, hook: true }, false],
  ])('%s', (_, other, want) => {
    expect(a && other && sameNode(a, other)).toBe(want);
  });
});
