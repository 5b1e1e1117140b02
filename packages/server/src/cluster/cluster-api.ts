/**
 * The pure half of the clusters API: a request body to cluster Secret data, the Secret's name,
 * the RBAC object, and what an answer shows of a cluster (never a credential). No I/O.
 */
import { createHash } from 'node:crypto';
import {
  clusterSecretData,
  parseClusterSecret,
  redactCluster,
  type ClusterSpec,
} from '@gitward/engine';
import { inClusterSpec, isInCluster, type RegisteredCluster } from './destinations.ts';

/**
 * `cluster-<host>-<hash of the server URL>`, as Argo CD names the Secrets it writes: readable in
 * `kubectl get secrets`, and two servers on one host (ports, paths) never share a name.
 */
export function clusterSecretName(server: string): string {
  let host = '';
  try {
    host = new URL(server).hostname;
  } catch {
    // Not a URL: the hash alone names it (parseClusterSecret refuses such servers anyway).
  }
  const label = host
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .slice(0, 200)
    .replace(/[^a-z0-9]+$/, '');
  const hash = createHash('sha256').update(server).digest('hex').slice(0, 10);
  return label ? `cluster-${label}-${hash}` : `cluster-${hash}`;
}

/** `<project>/<server>` for a project-scoped cluster, the server otherwise (Argo CD's object). */
export const clusterObject = (c: { readonly server: string; readonly project?: string }) =>
  c.project ? `${c.project}/${c.server}` : c.server;

/** A cluster in API answers: Argo CD's fields, secrets removed, and a connection state. */
export function publicCluster(c: ClusterSpec) {
  return {
    ...redactCluster(c),
    connectionState: isInCluster(c.server)
      ? { status: 'Successful' }
      : // The server does not watch registered clusters; the controller's status tells.
        { status: 'Unknown' },
  };
}

/**
 * A cluster Secret as the API shows it; one that does not parse shows where it is and why it
 * cannot be used (the reason never quotes a credential).
 */
export function registeredCluster(c: RegisteredCluster) {
  if (c.parsed.ok) return publicCluster(c.parsed.cluster);
  return {
    server: c.data['server'] ?? '',
    name: c.data['name'] ?? '',
    ...(c.data['project'] ? { project: c.data['project'] } : {}),
    connectionState: { status: 'Failed', message: c.parsed.reason },
  };
}

/** A cluster Secret by server URL (trailing slashes ignored) or, failing that, by name. */
export function findCluster(
  registered: readonly RegisteredCluster[],
  serverOrName: string,
): RegisteredCluster | undefined {
  const want = serverOrName.replace(/\/+$/, '');
  return (
    registered.find((c) => (c.data['server'] ?? '').replace(/\/+$/, '') === want) ??
    registered.find((c) => c.parsed.ok && c.parsed.cluster.name === serverOrName)
  );
}

export type ClusterBodyCheck =
  | { readonly ok: true; readonly cluster: ClusterSpec; readonly data: Record<string, string> }
  | { readonly ok: false; readonly reason: string };

const optString = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null || typeof v === 'string') return v ?? undefined;
  throw new TypeError(`${field} must be a string`);
};

function namespacesOf(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((n) => typeof n === 'string')) return v.join(',');
  throw new TypeError('namespaces must be a list of strings');
}

function rawData(b: Record<string, unknown>): Record<string, string> {
  const config = b['config'] ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new TypeError('config must be an object');
  const server = optString(b['server'], 'server');
  const name = optString(b['name'], 'name');
  const project = optString(b['project'], 'project');
  const namespaces = namespacesOf(b['namespaces']);
  const clusterResources = b['clusterResources'];
  if (clusterResources !== undefined && typeof clusterResources !== 'boolean')
    throw new TypeError('clusterResources must be a boolean');
  return {
    ...(server !== undefined ? { server } : {}),
    ...(name ? { name } : {}),
    config: JSON.stringify(config),
    ...(namespaces ? { namespaces } : {}),
    ...(clusterResources ? { clusterResources: 'true' } : {}),
    ...(project ? { project } : {}),
  };
}

/**
 * `POST /api/v1/clusters`'s body (`{server, name, config, namespaces?, clusterResources?,
 * project?}`) as the cluster
 * and the Secret data to store, or why not. The in-cluster destination cannot be registered: it
 * is always there, with the server's own credentials.
 */
export function checkClusterBody(body: unknown): ClusterBodyCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { ok: false, reason: 'the body must be a cluster object' };
  let data: Record<string, string>;
  try {
    data = rawData(body as Record<string, unknown>);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const parsed = parseClusterSecret(data);
  if (!parsed.ok) return parsed;
  const { cluster } = parsed;
  if (isInCluster(cluster.server) || isInCluster(cluster.name))
    return {
      ok: false,
      reason: `${inClusterSpec.server} (${inClusterSpec.name}) is always registered; it cannot be added`,
    };
  return { ok: true, cluster, data: clusterSecretData(cluster) };
}

/** Whether a stored Secret already holds this cluster (re-adding it then changes nothing). */
export function sameCluster(stored: RegisteredCluster, cluster: ClusterSpec): boolean {
  if (!stored.parsed.ok) return false;
  return (
    JSON.stringify(clusterSecretData(stored.parsed.cluster)) ===
    JSON.stringify(clusterSecretData(cluster))
  );
}

/** The fields `PUT /api/v1/clusters/:server` may change (`gitward cluster set`). */
export interface ClusterChanges {
  readonly name?: string;
  /** The namespaces gitward may deploy to there; `[]` or `['*']` means all. */
  readonly namespaces?: readonly string[];
  /** `''` makes the cluster unscoped again. */
  readonly project?: string;
}

/** `PUT /api/v1/clusters/:server`'s body as changes (own properties only), or why not. */
export function checkClusterChanges(
  body: Readonly<Record<string, unknown>>,
): { ok: true; changes: ClusterChanges } | { ok: false; reason: string } {
  const { name, namespaces, project } = body;
  if (name !== undefined && (typeof name !== 'string' || name.trim() === ''))
    return { ok: false, reason: 'name must be a non-empty string' };
  if (project !== undefined && typeof project !== 'string')
    return { ok: false, reason: 'project must be a string' };
  if (
    namespaces !== undefined &&
    !(Array.isArray(namespaces) && namespaces.every((n) => typeof n === 'string'))
  )
    return { ok: false, reason: 'namespaces must be a list of strings' };
  return {
    ok: true,
    changes: {
      ...(name !== undefined ? { name } : {}),
      ...(namespaces !== undefined ? { namespaces } : {}),
      ...(project !== undefined ? { project } : {}),
    },
  };
}

/** A cluster with `changes` applied; `*` among the namespaces means every namespace (Argo CD). */
export function applyClusterChanges(c: ClusterSpec, changes: ClusterChanges): ClusterSpec {
  const namespaces = changes.namespaces
    ?.map((n) => n.trim())
    .filter((n) => n !== '')
    .filter((n, i, all) => all.indexOf(n) === i);
  const { project: _old, ...rest } = c;
  void _old;
  const project = changes.project ?? c.project;
  return {
    ...rest,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(namespaces !== undefined ? { namespaces: namespaces.includes('*') ? [] : namespaces } : {}),
    ...(project ? { project } : {}),
  };
}
