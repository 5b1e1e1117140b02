import { describe, expect, it } from 'vitest';
import type { AppProject, KubeObject } from '@gitward/model';
import { orphanedResources, orphanKind } from './orphans.ts';

const project = (orphaned?: AppProject['spec']['orphanedResources']): AppProject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'p' },
  spec: { ...(orphaned ? { orphanedResources: orphaned } : {}) },
});
const obj = (kind: string, name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1',
  kind,
  metadata: { name, namespace: 'web', ...extra },
});
const objects = [
  obj('ConfigMap', 'stray'),
  obj('ConfigMap', 'mine', { annotations: { tracked: 'yes' } }),
  obj('ConfigMap', 'kube-root-ca.crt'),
  obj('ServiceAccount', 'default'),
  obj('Pod', 'child', { ownerReferences: [{ uid: 'u' }] }),
  obj('Deployment', 'legacy'),
  // What the cluster records about itself is nobody's: never an orphan (Argo CD's exclusions).
  obj('Event', 'web.17a'),
  obj('Endpoints', 'svc'),
];
const tracked = (o: KubeObject) => o.metadata.annotations?.['tracked'] === 'yes';
const names = (os: KubeObject[]) => os.map((o) => `${o.kind}/${o.metadata.name ?? ''}`);

describe('orphanedResources', () => {
  it.each([
    ['nothing when the project does not ask', project(), []],
    [
      'untracked top-level objects',
      project({ warn: true }),
      ['ConfigMap/stray', 'Deployment/legacy'],
    ],
    [
      'minus the ignore list (group and kind globs)',
      project({ ignore: [{ group: 'apps', kind: 'Deploy*' }] }),
      ['ConfigMap/stray'],
    ],
    [
      'minus ignored names',
      project({ ignore: [{ kind: 'ConfigMap', name: 'str*' }] }),
      ['Deployment/legacy'],
    ],
  ])('%s', (_name, p, expected) => {
    expect(names(orphanedResources(p, objects, tracked))).toEqual(expected);
  });
});

describe('orphanKind', () => {
  it.each([
    ['', 'ConfigMap', true],
    ['apps', 'Deployment', true],
    ['', 'Event', false],
    ['events.k8s.io', 'Event', false],
    ['coordination.k8s.io', 'Lease', false],
    ['discovery.k8s.io', 'EndpointSlice', false],
    ['authorization.k8s.io', 'LocalSubjectAccessReview', false],
  ])('%s/%s: %s', (group, kind, want) => {
    expect(orphanKind(group, kind)).toBe(want);
  });
});
