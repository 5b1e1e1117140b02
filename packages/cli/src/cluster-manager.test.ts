import { describe, expect, it } from 'vitest';
import type { KubeConnection } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import { clusterRequest, collectionPath, managerAccount, managerRbac } from './cluster-manager.ts';

// The objects and requests as pure values; what they do in a real cluster (ensureObjects,
// waitForToken) is in test/e2e/cluster-manager.test.ts.

const b64 = (s: string) => Buffer.from(s).toString('base64');
const opts = { systemNamespace: 'kube-system', serviceAccount: 'gitward-manager', namespaces: [] };

const summary = (objects: KubeObject[]) =>
  objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`);

describe('managerRbac and managerAccount', () => {
  it.each([
    [[], ['ClusterRole /gitward-manager-role', 'ClusterRoleBinding /gitward-manager-role-binding']],
    [
      ['a', 'b'],
      [
        'Role a/gitward-manager-role',
        'RoleBinding a/gitward-manager-role-binding',
        'Role b/gitward-manager-role',
        'RoleBinding b/gitward-manager-role-binding',
      ],
    ],
  ])('for namespaces %j', (namespaces, want) => {
    const objects = managerRbac({ ...opts, namespaces });
    expect(summary(objects)).toEqual(want);
    for (const o of objects.filter((x) => x.kind.endsWith('Binding')))
      expect(o['subjects']).toEqual([
        { kind: 'ServiceAccount', name: 'gitward-manager', namespace: 'kube-system' },
      ]);
  });

  it('adds the cluster role to the namespaces ones with clusterResources', () => {
    expect(summary(managerRbac({ ...opts, namespaces: ['a'], clusterResources: true }))).toEqual([
      'ClusterRole /gitward-manager-role',
      'ClusterRoleBinding /gitward-manager-role-binding',
      'Role a/gitward-manager-role',
      'RoleBinding a/gitward-manager-role-binding',
    ]);
  });

  it('gives the cluster role every verb on everything, non-resource URLs too', () => {
    expect(managerRbac(opts)[0]?.['rules']).toEqual([
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]);
  });

  it.each([
    [
      true,
      [
        'ServiceAccount kube-system/gitward-manager',
        'Secret kube-system/gitward-manager-long-lived-token',
      ],
    ],
    [false, ['Secret kube-system/gitward-manager-long-lived-token']],
  ])('creates the account: %s', (create, want) => {
    const objects = managerAccount(opts, create);
    expect(summary(objects)).toEqual(want);
    expect(objects.at(-1)).toMatchObject({
      type: 'kubernetes.io/service-account-token',
      metadata: { annotations: { 'kubernetes.io/service-account.name': 'gitward-manager' } },
    });
  });
});

describe('collectionPath', () => {
  it.each([
    [managerAccount(opts, true)[0], '/api/v1/namespaces/kube-system/serviceaccounts'],
    [managerAccount(opts, true)[1], '/api/v1/namespaces/kube-system/secrets'],
    [managerRbac(opts)[0], '/apis/rbac.authorization.k8s.io/v1/clusterroles'],
    [managerRbac(opts)[1], '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings'],
    [
      managerRbac({ ...opts, namespaces: ['a'] })[0],
      '/apis/rbac.authorization.k8s.io/v1/namespaces/a/roles',
    ],
  ])('%#', (o, path) => {
    if (!o) throw new Error('no object');
    expect(collectionPath(o)).toBe(path);
  });
});

describe('clusterRequest', () => {
  const token = { token: 'tok', ca: 'TOKEN-CA' };
  const base = { server: 'https://k:6443', name: 'prod', token, namespaces: [] };
  it.each<[string, KubeConnection, Record<string, unknown>]>([
    [
      "the kubeconfig's CA",
      { server: 'https://k:6443', ca: 'KUBECONFIG-CA' },
      { caData: b64('KUBECONFIG-CA') },
    ],
    [
      "the token Secret's CA when the kubeconfig has none",
      { server: 'x' },
      { caData: b64('TOKEN-CA') },
    ],
    ['insecure without a CA', { server: 'x', insecureSkipTlsVerify: true }, { insecure: true }],
    [
      'the TLS server name',
      { server: 'x', ca: 'C', tlsServerName: 'api.internal' },
      { serverName: 'api.internal', caData: b64('C') },
    ],
  ])('uses %s', (_what, connection, tls) => {
    expect(clusterRequest({ ...base, connection })).toEqual({
      server: 'https://k:6443',
      name: 'prod',
      config: { bearerToken: 'tok', tlsClientConfig: tls },
    });
  });

  it('carries namespaces, clusterResources and project', () => {
    expect(
      clusterRequest({
        ...base,
        connection: { server: 'x', ca: 'C' },
        namespaces: ['a'],
        clusterResources: true,
        project: 'team',
      }),
    ).toMatchObject({ namespaces: ['a'], clusterResources: true, project: 'team' });
    // Without namespaces it means nothing, and is not sent.
    const all = clusterRequest({ ...base, connection: { server: 'x' }, clusterResources: true });
    expect(all).not.toHaveProperty('clusterResources');
  });
});
