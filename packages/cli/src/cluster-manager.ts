/**
 * What `gitward cluster add` does in the cluster being added, as `argocd cluster add`: a
 * ServiceAccount for gitward with full rights there (a ClusterRole, or a Role per namespace when
 * the cluster is limited to namespaces), a long-lived token Secret for it, and the wait until the
 * token controller fills that Secret. The token and CA then go to the gitward server; this module
 * never prints or logs them.
 */
import {
  waitForToken,
  type KubeClient,
  type KubeConnection,
  type ServiceAccountToken,
} from '@gitward/infra';
import { ErrorCode, GitwardError, type KubeObject } from '@gitward/model';
import type { ClusterCreateRequest } from './api/index.ts';

export const managerServiceAccount = 'gitward-manager';
export const managerRole = 'gitward-manager-role';
export const managerRoleBinding = 'gitward-manager-role-binding';

/** Argo CD names its token Secret `<sa>-long-lived-token`; so do we, so re-adding finds it. */
export const tokenSecretName = (serviceAccount: string) => `${serviceAccount}-long-lived-token`;

export interface ManagerOptions {
  /** Where the ServiceAccount and its token live (Argo CD's --system-namespace). */
  readonly systemNamespace: string;
  readonly serviceAccount: string;
  /** Namespaces gitward may manage; empty means the whole cluster. */
  readonly namespaces: readonly string[];
  /** With namespaces: cluster-scoped objects too (`--cluster-resources`), so a ClusterRole. */
  readonly clusterResources?: boolean;
}

const allResources = { apiGroups: ['*'], resources: ['*'], verbs: ['*'] };
const allRules = [allResources, { nonResourceURLs: ['*'], verbs: ['*'] }];
const rbac = 'rbac.authorization.k8s.io/v1';

/**
 * The RBAC objects for the manager account: all verbs on all resources (and non-resource URLs)
 * cluster-wide, or, for a namespace-limited cluster, a Role and RoleBinding in each namespace.
 */
export function managerRbac(o: ManagerOptions): KubeObject[] {
  const subject = { kind: 'ServiceAccount', name: o.serviceAccount, namespace: o.systemNamespace };
  const clusterWide = (): KubeObject[] => [
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: managerRole }, rules: allRules },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: managerRoleBinding },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: managerRole },
      subjects: [subject],
    },
  ];
  if (o.namespaces.length === 0) return clusterWide();
  const perNamespace = o.namespaces.flatMap((namespace): KubeObject[] => [
    {
      apiVersion: rbac,
      kind: 'Role',
      metadata: { name: managerRole, namespace },
      rules: [allResources],
    },
    {
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: managerRoleBinding, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: managerRole },
      subjects: [subject],
    },
  ]);
  return o.clusterResources ? [...clusterWide(), ...perNamespace] : perNamespace;
}

/** The ServiceAccount (only when gitward creates its own) and the token Secret bound to it. */
export function managerAccount(o: ManagerOptions, createAccount: boolean): KubeObject[] {
  const meta = { namespace: o.systemNamespace };
  return [
    ...(createAccount
      ? [
          {
            apiVersion: 'v1',
            kind: 'ServiceAccount',
            metadata: { ...meta, name: o.serviceAccount },
          },
        ]
      : []),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        ...meta,
        name: tokenSecretName(o.serviceAccount),
        annotations: { 'kubernetes.io/service-account.name': o.serviceAccount },
      },
      type: 'kubernetes.io/service-account-token',
    },
  ];
}

const plural: Record<string, string> = {
  ServiceAccount: 'serviceaccounts',
  Secret: 'secrets',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
};

/** The collection path of one of the kinds above. */
export function collectionPath(o: KubeObject): string {
  const base = o.apiVersion === 'v1' ? '/api/v1' : `/apis/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${encodeURIComponent(o.metadata.namespace)}` : '';
  return `${base}${ns}/${plural[o.kind] ?? ''}`;
}

function failure(what: string, status: number, body: unknown): GitwardError {
  const message = (body as { message?: string } | undefined)?.message ?? `HTTP ${status}`;
  return new GitwardError(ErrorCode.KubeRequestFailed, `cannot create ${what}: ${message}`);
}

/**
 * Creates each object, or brings an existing one's rules and subjects up to date: running
 * `cluster add` twice changes nothing the second time.
 */
export async function ensureObjects(
  kube: KubeClient,
  objects: readonly KubeObject[],
): Promise<void> {
  for (const o of objects) {
    const what = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;
    const created = await kube.request('POST', collectionPath(o), { body: o });
    if (created.status < 300) continue;
    if (created.status !== 409) throw failure(what, created.status, created.body);
    const { rules, roleRef: _roleRef, subjects } = o as KubeObject & Record<string, unknown>;
    void _roleRef;
    if (rules === undefined && subjects === undefined) continue;
    // roleRef cannot change on a binding; rules and subjects can.
    const path = `${collectionPath(o)}/${encodeURIComponent(o.metadata.name ?? '')}`;
    const patched = await kube.request('PATCH', path, {
      body: { ...(rules ? { rules } : {}), ...(subjects ? { subjects } : {}) },
    });
    if (patched.status >= 300) throw failure(what, patched.status, patched.body);
  }
}

/** Whether a ServiceAccount exists (for --service-account, which must name one). */
export async function serviceAccountExists(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<boolean> {
  const res = await kube.request(
    'GET',
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts/${encodeURIComponent(name)}`,
  );
  if (res.status === 404) return false;
  if (res.status >= 300) throw failure(`ServiceAccount ${namespace}/${name}`, res.status, res.body);
  return true;
}

/** The manager account's token and the CA its Secret carries (infra's one definition). */
export type ManagerToken = ServiceAccountToken;

/** Kept here for the CLI's callers: the one implementation lives in infra. */
export { waitForToken };

/**
 * The registration the server receives: the token, the CA the kubeconfig trusts (or the token
 * Secret's when the kubeconfig has none), and the kubeconfig's TLS settings.
 */
export function clusterRequest(o: {
  readonly server: string;
  readonly name: string;
  readonly connection: KubeConnection;
  readonly token: ManagerToken;
  readonly namespaces: readonly string[];
  readonly clusterResources?: boolean | undefined;
  readonly project?: string | undefined;
}): ClusterCreateRequest {
  const ca = o.connection.ca ?? o.token.ca;
  const c = o.connection;
  return {
    server: o.server,
    name: o.name,
    config: {
      bearerToken: o.token.token,
      tlsClientConfig: {
        ...(c.insecureSkipTlsVerify ? { insecure: true } : {}),
        ...(c.tlsServerName ? { serverName: c.tlsServerName } : {}),
        ...(c.insecureSkipTlsVerify ? {} : { caData: Buffer.from(ca, 'utf8').toString('base64') }),
      },
    },
    ...(o.namespaces.length ? { namespaces: o.namespaces } : {}),
    ...(o.namespaces.length && o.clusterResources ? { clusterResources: true } : {}),
    ...(o.project ? { project: o.project } : {}),
  };
}
