import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ensureObjects,
  managerAccount,
  managerRbac,
  tokenSecretName,
  waitForToken,
} from '@gitward/cli';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import { ErrorCode, GitwardError, type KubeObject } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

// What `gitward cluster add` does in the target cluster (packages/cli/src/cluster-manager.ts),
// against the real apiserver: the manager account, its RBAC and its token. Namespace-limited,
// so the roles are namespaced and nothing cluster-wide is left behind.

const system = uniqueName('cm-system');
const managed = uniqueName('cm-web');
const opts = { systemNamespace: system, serviceAccount: 'gitward-manager', namespaces: [managed] };
const objects = [...managerAccount(opts, true), ...managerRbac(opts)];
let kube: KubeClient;

beforeAll(async () => {
  kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
  await kubectl(['create', 'namespace', system]);
  await kubectl(['create', 'namespace', managed]);
});
afterAll(async () => {
  await kubectl(['delete', 'namespace', system, managed, '--wait=false']);
});

type Rules = KubeObject & { rules: unknown[] };
type Subjects = KubeObject & { subjects: { name: string; namespace: string }[] };
const managedRole = () => getJson<Rules>(['-n', managed, 'role', 'gitward-manager-role']);
const managedBinding = () =>
  getJson<Subjects>(['-n', managed, 'rolebinding', 'gitward-manager-role-binding']);

describe('ensureObjects', () => {
  it('creates the account, its token Secret, and a Role and RoleBinding per namespace', async () => {
    await ensureObjects(kube, objects);
    await getJson(['-n', system, 'serviceaccount', 'gitward-manager']);
    const role = await managedRole();
    expect(role.rules).toEqual(managerRbac(opts)[0]?.['rules']);
    const binding = await managedBinding();
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'gitward-manager', namespace: system },
    ]);
  });

  it('leaves an existing account alone and brings roles and bindings back up to date', async () => {
    await ensureObjects(kube, objects);
    await kubectl(['-n', system, 'label', 'serviceaccount', 'gitward-manager', 'kept=yes']);
    await kubectl([
      '-n',
      managed,
      'patch',
      'role',
      'gitward-manager-role',
      '--type=merge',
      '-p',
      '{"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}',
    ]);
    await kubectl([
      '-n',
      managed,
      'patch',
      'rolebinding',
      'gitward-manager-role-binding',
      '--type=merge',
      '-p',
      '{"subjects":[{"kind":"ServiceAccount","name":"someone","namespace":"default"}]}',
    ]);
    await ensureObjects(kube, objects);
    const account = await getJson<KubeObject>(['-n', system, 'serviceaccount', 'gitward-manager']);
    expect(account.metadata.labels?.['kept']).toBe('yes');
    const role = await managedRole();
    expect(role.rules).toEqual(managerRbac(opts)[0]?.['rules']);
    const binding = await managedBinding();
    expect(binding.subjects.map((s) => s.name)).toEqual(['gitward-manager']);
  });

  it("fails with the apiserver's message when the caller may not create", async () => {
    const nobody = uniqueName('nobody');
    await kubectl(['-n', system, 'create', 'serviceaccount', nobody]);
    const token = (await kubectl(['-n', system, 'create', 'token', nobody])).trim();
    const conn = await loadKubeconfig(inject('cluster').kubeconfig);
    const weak = createKubeClient({ server: conn.server, ...(conn.ca && { ca: conn.ca }), token });
    const other = { ...opts, serviceAccount: 'other-manager' };
    const err = await ensureObjects(weak, managerAccount(other, true)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).message).toMatch(
      new RegExp(`^cannot create ServiceAccount ${system}/other-manager: .*forbidden`),
    );
    expect((err as GitwardError).message).not.toContain(token);
  });
});

describe('waitForToken', () => {
  it('returns the token and CA once the token controller has filled the Secret', async () => {
    await ensureObjects(kube, objects);
    const got = await waitForToken(kube, system, tokenSecretName('gitward-manager'), {
      pollMs: 100,
    });
    expect(got.ca).toContain('-----BEGIN CERTIFICATE-----');
    // The token works: the apiserver knows who it is.
    const conn = await loadKubeconfig(inject('cluster').kubeconfig);
    const asManager = createKubeClient({
      server: conn.server,
      ...(conn.ca && { ca: conn.ca }),
      token: got.token,
    });
    const review = await asManager.request<{ status?: { userInfo?: { username?: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
    );
    expect(review.body.status?.userInfo?.username).toBe(
      `system:serviceaccount:${system}:gitward-manager`,
    );
  });

  it('gives up with a Timeout error when nothing fills the Secret', async () => {
    await kubectl(['-n', system, 'create', 'secret', 'generic', 'never-filled']);
    const err = await waitForToken(kube, system, 'never-filled', {
      pollMs: 100,
      timeoutMs: 1000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.Timeout);
    expect((err as GitwardError).message).toContain(`${system}/never-filled within 1s`);
  });
});
