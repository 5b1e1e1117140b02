/**
 * The destination cluster registry both processes read: the in-cluster destination and the
 * cluster Secrets of the control namespace (Argo CD's format, engine's parseClusterSecret),
 * which destination an Application names, and a client built from a ClusterSpec. The controller
 * adds its per-cluster cache, predictor, applier and refresh loop (controller/destinations.ts);
 * the server its cluster routes and its per-request readers (server/cluster/destinations.ts).
 */
import { createHash } from 'node:crypto';
import {
  clusterSecretData,
  inCluster,
  inClusterName,
  inClusterServer,
  parseClusterSecret,
  resolveDestination,
  type ClusterSpec,
  type KnownCluster,
  type ParsedCluster,
} from '@gitward/engine';
import {
  clusterConnection,
  createKubeClient,
  type KubeClient,
  type KubeClientOptions,
} from '@gitward/infra';
import { secretTypeLabel, type ApiGroup, type KubeObject } from '@gitward/model';

/** The in-cluster destination as a cluster: the process's own credentials, every namespace. */
export const inClusterSpec: ClusterSpec = { ...inCluster, namespaces: [], config: {} };

/** Whether a server URL or name is the in-cluster destination. */
export const isInCluster = (serverOrName: string): boolean =>
  serverOrName.replace(/\/+$/, '') === inClusterServer || serverOrName === inClusterName;

/** An Application's destination: a server URL or a cluster name. */
export interface DestinationRef {
  readonly server?: string | undefined;
  readonly name?: string | undefined;
}

/** Whether a destination names the in-cluster destination (by server when set, else by name). */
export const namesInCluster = (dest: DestinationRef): boolean =>
  dest.server !== undefined ? isInCluster(dest.server) : dest.name === inClusterName;

/** A cluster Secret as listed: its name and its data, base64-decoded. */
export interface ClusterSecret {
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
}

/** One cluster Secret as read: its name, its raw data, and the cluster or why it is unusable. */
export interface RegisteredCluster {
  readonly secretName: string;
  readonly data: Readonly<Record<string, string>>;
  readonly parsed: ParsedCluster;
}

const decode = (data: Record<string, string> | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );

/** The cluster Secrets of the control namespace, decoded (label-selected: one cheap list). */
export async function listClusterSecrets(
  kube: Pick<KubeClient, 'list'>,
  group: ApiGroup,
  namespace: string,
): Promise<ClusterSecret[]> {
  const secrets = await kube.list(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`, {
    labelSelector: `${secretTypeLabel(group)}=cluster`,
  });
  return secrets.items.map((s) => ({
    name: s.metadata.name ?? '',
    data: decode((s as KubeObject & { data?: Record<string, string> }).data),
  }));
}

/** Each Secret parsed: the cluster it registers, or why it cannot be used. */
export function parseClusterSecrets(secrets: readonly ClusterSecret[]): RegisteredCluster[] {
  return secrets.map((s) => ({
    secretName: s.name,
    data: s.data,
    parsed: parseClusterSecret(s.data),
  }));
}

/**
 * In-cluster first, then every usable registered cluster: what destinations resolve against. A
 * Secret that does not parse is left out (it cannot be deployed to).
 */
export function knownClusterSpecs(registered: readonly RegisteredCluster[]): ClusterSpec[] {
  return [inClusterSpec, ...registered.flatMap((c) => (c.parsed.ok ? [c.parsed.cluster] : []))];
}

/**
 * The cluster an Application's destination names among `known` (each a cluster or one wrapped
 * around it): in-cluster by its URL or name, others as engine's resolveDestination matches them
 * (by server, or by name).
 */
export function resolveCluster<C extends KnownCluster>(
  dest: DestinationRef,
  known: readonly C[],
): C | undefined {
  if (namesInCluster(dest)) return known.find((c) => c.server === inClusterServer);
  return resolveDestination(dest, known);
}

/**
 * A cluster's content as one key: a rotated token or CA changes it, so a client (or a cache)
 * built from the old content is rebuilt; a Secret rewritten with the same content is not.
 */
export const clusterFingerprint = (c: ClusterSpec): string =>
  createHash('sha256')
    .update(JSON.stringify(clusterSecretData(c)))
    .digest('hex');

/** A client for a registered cluster, or why gitward cannot use it (never quoting a secret). */
export type ClusterClient =
  | { readonly ok: true; readonly kube: KubeClient }
  | { readonly ok: false; readonly reason: string };

/**
 * The client of a registered cluster from its spec: its TLS material, token or exec plugin
 * (which inherits `env`). PEM material that does not load is said to, without quoting it.
 */
export function connectClusterSpec(
  spec: ClusterSpec,
  opts: { readonly env?: NodeJS.ProcessEnv } & KubeClientOptions = {},
): ClusterClient {
  const { env, ...clientOpts } = opts;
  const conn = clusterConnection(spec, env ? { env } : {});
  if (!conn.ok) return { ok: false, reason: conn.reason };
  try {
    return { ok: true, kube: createKubeClient(conn.connection, clientOpts) };
  } catch {
    return { ok: false, reason: `cluster ${spec.server}: cannot use its TLS configuration` };
  }
}

/**
 * Clients of registered clusters kept by server URL, rebuilt when the cluster's content changes:
 * a client keeps sockets open, so one per cluster is kept instead of one per use.
 */
export function createClusterClients(opts: { readonly env?: NodeJS.ProcessEnv } = {}) {
  const clients = new Map<string, { readonly key: string; readonly kube: KubeClient }>();
  return {
    clientFor(spec: ClusterSpec): ClusterClient {
      const key = clusterFingerprint(spec);
      const hit = clients.get(spec.server);
      if (hit?.key === key) return { ok: true, kube: hit.kube };
      const out = connectClusterSpec(spec, opts);
      if (out.ok) clients.set(spec.server, { key, kube: out.kube });
      return out;
    },
    /** Drops the client of a removed or changed cluster (its sockets close once idle). */
    forget(server: string): void {
      clients.delete(server);
    },
  };
}
export type ClusterClients = ReturnType<typeof createClusterClients>;
