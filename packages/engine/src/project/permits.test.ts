import { describe, expect, it } from 'vitest';
import type { AppProject, KubeObject } from '@gitward/model';
import { resourcePermitted } from './permits.ts';

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
