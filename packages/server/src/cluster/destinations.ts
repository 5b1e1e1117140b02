/**
 * Where Applications deploy, as the API server sees it: the known destination clusters (in-cluster
 * plus the cluster Secrets of the control namespace) and a reader of one destination's live
 * objects and discovery. Only the DESTINATION's objects go through here: Applications, projects,
 * Secrets and settings are the control plane's and are read through ctx.store.
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
  type ParsedCluster,
} from '@gitward/engine';
import {
  clusterConnection,
  createKubeClient,
  type ApiResourceIndex,
  type KubeClient,
} from '@gitward/infra';
import { errorMessage, type KubeObject } from '@gitward/model';
import type { RepoCheck, ServerContext } from '../context.ts';
import { ApiCode, ApiError, precondition } from '../http/api-error.ts';

/** The in-cluster destination as a cluster: the server's own credentials, every namespace. */
export const inClusterSpec: ClusterSpec = { ...inCluster, namespaces: [], config: {} };

/** Whether a server URL or name is the in-cluster destination. */
export const isInCluster = (serverOrName: string) =>
  serverOrName.replace(/\/+$/, '') === inClusterServer || serverOrName === inClusterName;

/** One cluster Secret as read: its name, its raw data, and the cluster or why it is unusable. */
export interface RegisteredCluster {
  readonly secretName: string;
  readonly data: Readonly<Record<string, string>>;
  readonly parsed: ParsedCluster;
}

/** The cluster Secrets of the control namespace, read now (a cluster added a moment ago counts). */
export async function registeredClusters(ctx: ServerContext): Promise<RegisteredCluster[]> {
  const secrets = await ctx.store.secretsOfType('cluster');
  return secrets.map((s) => ({
    secretName: s.name,
    data: s.data,
    parsed: parseClusterSecret(s.data),
  }));
}

/**
 * In-cluster first, then every usable cluster Secret: what Application validation resolves
 * destinations against. A Secret that does not parse is left out (it cannot be deployed to).
 */
export async function knownClusters(ctx: ServerContext): Promise<ClusterSpec[]> {
  const registered = await registeredClusters(ctx);
  return [inClusterSpec, ...registered.flatMap((c) => (c.parsed.ok ? [c.parsed.cluster] : []))];
}

type Destination = { readonly server?: string | undefined; readonly name?: string | undefined };

export type DestinationClient =
  | { readonly ok: true; readonly kube: KubeClient; readonly cluster: ClusterSpec }
  | { readonly ok: false; readonly error: ApiError };

const describe = (d: Destination) => d.server ?? d.name ?? '';

/** The Secret's content as one key: a rotated token or CA builds a new client. */
const contentKey = (c: ClusterSpec) =>
  createHash('sha256')
    .update(JSON.stringify(clusterSecretData(c)))
    .digest('hex');

// Per server context, server URL → the client built for the content it was built from. Clients
// keep sockets open, so one per cluster is kept instead of one per request.
const clients = new WeakMap<ServerContext, Map<string, { key: string; kube: KubeClient }>>();

function clientFor(ctx: ServerContext, cluster: ClusterSpec): DestinationClient {
  const key = contentKey(cluster);
  const cache = clients.get(ctx) ?? new Map<string, { key: string; kube: KubeClient }>();
  clients.set(ctx, cache);
  const hit = cache.get(cluster.server);
  if (hit?.key === key) return { ok: true, kube: hit.kube, cluster };
  const conn = clusterConnection(cluster, { ...(ctx.processEnv ? { env: ctx.processEnv } : {}) });
  if (!conn.ok) return { ok: false, error: precondition(conn.reason) };
  try {
    const kube = createKubeClient(conn.connection);
    cache.set(cluster.server, { key, kube });
    return { ok: true, kube, cluster };
  } catch {
    // The connection's PEM material failed to load: say which cluster, not what it held.
    return {
      ok: false,
      error: precondition(`cluster ${cluster.server}: cannot use its TLS configuration`),
    };
  }
}

/** Drops the cached client of a removed cluster (its sockets close once idle). */
export function forgetDestination(ctx: ServerContext, server: string): void {
  clients.get(ctx)?.delete(server);
}

/**
 * A client for the cluster an Application deploys to: the server's own for in-cluster, a cached
 * one built from the cluster Secret otherwise, or a FAILED_PRECONDITION naming the cluster when
 * it is not registered (or its Secret cannot be used).
 */
export async function destinationKube(
  ctx: ServerContext,
  dest: Destination,
): Promise<DestinationClient> {
  if (dest.server !== undefined ? isInCluster(dest.server) : dest.name === inClusterName)
    return { ok: true, kube: ctx.kube, cluster: inClusterSpec };
  const cluster = resolveDestination(dest, await knownClusters(ctx));
  if (!cluster)
    return {
      ok: false,
      error: precondition(
        `destination cluster ${describe(dest)} is not registered (add it with "gitward cluster add")`,
      ),
    };
  return cluster.server === inClusterServer
    ? { ok: true, kube: ctx.kube, cluster }
    : clientFor(ctx, cluster);
}

/** What the routes read of a destination: objects by REST path, discovery, its version. */
export interface DestinationView {
  readonly server: string;
  /** One object (undefined when missing). */
  get(path: string): Promise<KubeObject | undefined>;
  list(path: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Cached a minute, so CRDs installed meanwhile show up. */
  discover(): Promise<ApiResourceIndex>;
  /** Without the leading "v" (e.g. "1.34.4"), for Helm. */
  kubeVersion(): Promise<string>;
}

/** A successful value, or the first failure memoized away so the next call asks again. */
function memo<T>(ttlMs: number, load: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!cached || Date.now() - cached.at > ttlMs) {
      const value = load();
      cached = { at: Date.now(), value };
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

const views = new WeakMap<KubeClient, DestinationView>();

/** The reader over one cluster's client (one per client, so their caches are shared). */
export function destinationViewOf(kube: KubeClient, server: string): DestinationView {
  const known = views.get(kube);
  if (known) return known;
  const view: DestinationView = {
    server,
    async get(path) {
      const res = await kube.request('GET', path);
      if (res.status === 404) return undefined;
      if (res.status >= 300) throw unavailable(server, res.status, res.body);
      return res.body as KubeObject;
    },
    async list(path, labelSelector) {
      return (await kube.list(path, labelSelector ? { labelSelector } : {})).items;
    },
    discover: memo(60_000, () => kube.discover()),
    kubeVersion: memo(Number.POSITIVE_INFINITY, () =>
      kube.serverVersion().then((v) => v.gitVersion.replace(/^v/, '')),
    ),
  };
  views.set(kube, view);
  return view;
}

function unavailable(server: string, status: number, body: unknown): ApiError {
  const message = (body as { message?: string } | undefined)?.message ?? `HTTP ${status}`;
  return new ApiError(502, ApiCode.Unavailable, `cluster ${server}: ${message}`);
}

/** The destination's reader for a route: its failure is the route's answer (400). */
export async function destinationView(
  ctx: ServerContext,
  dest: Destination,
): Promise<DestinationView> {
  const out = await destinationKube(ctx, dest);
  if (!out.ok) throw out.error;
  return destinationViewOf(out.kube, out.cluster.server);
}

/**
 * `GET /version` with the cluster's credentials and a short deadline, as `argocd cluster add`
 * tries a cluster before saving it. An invalid token fails here (the apiserver answers 401 to
 * any request carrying one). The message names the problem, never a credential.
 */
export async function checkClusterConnection(
  cluster: ClusterSpec,
  opts: { readonly timeoutMs?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<RepoCheck> {
  const conn = clusterConnection(cluster, { ...(opts.env ? { env: opts.env } : {}) });
  if (!conn.ok) return { ok: false, message: withoutClusterPrefix(conn.reason, cluster.server) };
  try {
    const kube = createKubeClient(conn.connection, { timeoutMs: opts.timeoutMs ?? 10_000 });
    await kube.serverVersion();
    return { ok: true };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

/** clusterConnection's reasons start with `cluster <server>: `; the caller names it already. */
export const withoutClusterPrefix = (reason: string, server: string) =>
  reason.startsWith(`cluster ${server}: `) ? reason.slice(`cluster ${server}: `.length) : reason;
