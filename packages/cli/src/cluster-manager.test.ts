import { describe, expect, it } from 'vitest';
import type { KubeClient, KubeConnection } from '@gitward/infra';
import { ErrorCode, GitwardError, type KubeObject } from '@gitward/model';
import {
  clusterRequest,
  collectionPath,
  ensureObjects,
  managerAccount,
  managerRbac,
  waitForToken,
} from './cluster-manager.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const opts = { systemNamespace: 'kube-system', serviceAccount: 'gitward-manager', namespaces: [] };

type Reply = { status: number; body?: unknown };

/** A kube client answering each request from `answer` and recording it. */
function fakeKube(answer: (method: string, path: string) => Reply) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const kube = {
    request(method: string, path: string, o: { body?: unknown } = {}) {
      calls.push({ method, path, body: o.body });
      const r = answer(method, path);
      return Promise.resolve({ status: r.status, body: r.body ?? {} });
    },
  } as unknown as KubeClient;
  return { kube, calls };
}

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

describe('ensureObjects', () => {
  const objects = [...managerAccount(opts, true), ...managerRbac(opts)];

  it('creates what is missing', async () => {
    const { kube, calls } = fakeKube(() => ({ status: 201 }));
    await ensureObjects(kube, objects);
    expect(calls.map((c) => c.method)).toEqual(['POST', 'POST', 'POST', 'POST']);
  });

  it('leaves existing accounts alone and brings roles and bindings up to date', async () => {
    const { kube, calls } = fakeKube((method) => ({ status: method === 'POST' ? 409 : 200 }));
    await ensureObjects(kube, objects);
    expect(calls.filter((c) => c.method === 'PATCH')).toEqual([
      {
        method: 'PATCH',
        path: '/apis/rbac.authorization.k8s.io/v1/clusterroles/gitward-manager-role',
        body: { rules: managerRbac(opts)[0]?.['rules'] },
      },
      {
        method: 'PATCH',
        path: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/gitward-manager-role-binding',
        body: { subjects: managerRbac(opts)[1]?.['subjects'] },
      },
    ]);
  });

  it("fails with the apiserver's message", async () => {
    const { kube } = fakeKube(() => ({ status: 403, body: { message: 'forbidden: no rights' } }));
    await expect(ensureObjects(kube, objects)).rejects.toThrow(
      'cannot create ServiceAccount kube-system/gitward-manager: forbidden: no rights',
    );
  });
});

describe('waitForToken', () => {
  it('polls until the token controller fills token and ca.crt', async () => {
    let reads = 0;
    const { kube } = fakeKube(() => {
      reads++;
      if (reads === 1) return { status: 404 };
      if (reads === 2) return { status: 200, body: { data: { token: b64('t') } } };
      return { status: 200, body: { data: { token: b64('tok'), 'ca.crt': b64('PEM') } } };
    });
    expect(await waitForToken(kube, 'kube-system', 's', { pollMs: 1 })).toEqual({
      token: 'tok',
      ca: 'PEM',
    });
    expect(reads).toBe(3);
  });

  it('gives up after the timeout with a Timeout error', async () => {
    let t = 0;
    const { kube } = fakeKube(() => ({ status: 200, body: { data: {} } }));
    const err = await waitForToken(kube, 'kube-system', 's', {
      pollMs: 1,
      timeoutMs: 30_000,
      now: () => (t += 10_000),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.Timeout);
    expect((err as GitwardError).message).toContain('kube-system/s within 30s');
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

  it('carries namespaces and project', () => {
    expect(
      clusterRequest({
        ...base,
        connection: { server: 'x', ca: 'C' },
        namespaces: ['a'],
        project: 'team',
      }),
    ).toMatchObject({ namespaces: ['a'], project: 'team' });
  });
});
