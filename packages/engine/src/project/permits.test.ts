import { describe, expect, it } from 'vitest';
import type { AppProject, KubeObject } from '@gitward/model';
import { objectPermitted, resourcePermitted } from './permits.ts';

const proj = (spec: AppProject['spec']): AppProject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'p' },
  spec,
});
const obj = (apiVersion: string, kind: string, name = 'x'): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name },
});

describe('resourcePermitted', () => {
  it.each([
    [
      'cluster kinds need a whitelist',
      proj({}),
      obj('rbac.authorization.k8s.io/v1', 'ClusterRole'),
      false,
      false,
    ],
    [
      'whitelisted cluster kind',
      proj({ clusterResourceWhitelist: [{ group: '*', kind: '*' }] }),
      obj('v1', 'Namespace'),
      false,
      true,
    ],
    [
      'blacklisted cluster kind',
      proj({
        clusterResourceWhitelist: [{ group: '*', kind: '*' }],
        clusterResourceBlacklist: [{ group: '', kind: 'Namespace' }],
      }),
      obj('v1', 'Namespace'),
      false,
      false,
    ],
    ['namespaced allowed without a whitelist', proj({}), obj('v1', 'ConfigMap'), true, true],
    [
      'namespaced outside the whitelist',
      proj({ namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }] }),
      obj('v1', 'ConfigMap'),
      true,
      false,
    ],
    [
      'namespaced blacklisted',
      proj({ namespaceResourceBlacklist: [{ group: '', kind: 'Secret' }] }),
      obj('v1', 'Secret'),
      true,
      false,
    ],
    [
      'name glob in a cluster whitelist',
      proj({ clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: 'team-*' }] }),
      obj('v1', 'Namespace', 'team-a'),
      false,
      true,
    ],
  ] as const)('%s', (_what, p, o, namespaced, allowed) => {
    expect(resourcePermitted(p, o, namespaced) === undefined).toBe(allowed);
  });
});

describe('objectPermitted', () => {
  const teamA = proj({
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-a*' }],
    clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
  });
  const inCluster = { server: 'https://kubernetes.default.svc', name: 'in-cluster' };
  const inNs = (kind: string, namespace: string, apiVersion = 'v1'): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name: 'x', namespace },
  });

  it.each([
    ['an object in a project namespace', inNs('Secret', 'team-a'), true, true],
    ['an object in a glob-matched namespace', inNs('ConfigMap', 'team-a-dev'), true, true],
    ["another team's namespace", inNs('Secret', 'team-b'), true, false],
    ['an unknown kind in another namespace', inNs('Widget', 'team-b', 'x.io/v1'), undefined, false],
    ['a whitelisted cluster-scoped kind', obj('v1', 'Namespace'), false, true],
    ['a cluster-scoped kind outside the whitelist', obj('v1', 'PersistentVolume'), false, false],
  ] as const)('%s', (_what, o, namespaced, allowed) => {
    expect(objectPermitted(teamA, inCluster, o, namespaced) === undefined).toBe(allowed);
  });

  it("names the namespace when it is not the project's", () => {
    expect(objectPermitted(teamA, inCluster, inNs('Secret', 'team-b'), true)).toBe(
      'namespace team-b of Secret x is not permitted in project p',
    );
  });

  it('destinations on another cluster do not count', () => {
    const other = { server: 'https://other.example', name: 'other' };
    expect(objectPermitted(teamA, other, inNs('Secret', 'team-a'), true)).toMatch(/not permitted/);
  });

  it("keeps a namespaced cluster's scope (gitops-engine's namespaced mode)", () => {
    const scoped = { ...inCluster, namespaces: ['team-a'] };
    expect(objectPermitted(teamA, scoped, inNs('Secret', 'team-a-dev'), true)).toMatch(
      /not managed by cluster/,
    );
    expect(objectPermitted(teamA, scoped, obj('v1', 'Namespace'), false)).toMatch(
      /namespaced mode/,
    );
  });
});
