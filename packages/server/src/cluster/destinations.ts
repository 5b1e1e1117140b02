/**
 * Where Applications deploy, as the API server sees it: the known destination clusters (in-cluster
 * plus the cluster Secrets of the control namespace) and a reader of one destination's live
 * objects and discovery. Only the DESTINATION's objects go through here: Applications, projects,
 * Secrets and settings are the control plane's and are read through ctx.store.
 */
import {
  connectClusterSpec,
  createClusterClients,
  inClusterSpec,
  knownClusterSpecs,
  namesInCluster,
  parseClusterSecrets,
  resolveCluster,
  type ClusterClients,
  type DestinationRef,
  type RegisteredCluster,
} from '@gitward/control';
import type { ClusterSpec } from '@gitward/engine';
import type { ApiResourceIndex, KubeClient } from '@gitward/infra';
import { errorMessage, type KubeObject } from '@gitward/model';
import type { RepoCheck, ServerContext } from '../context.ts';
import { ApiCode, ApiError, precondition } from '../http/api-error.ts';

// The registry itself (in-cluster, parsing the Secrets, resolving, clients) is @gitward/control's,
// shared with the controller; re-exported for the cluster routes.
export { inClusterSpec, isInCluster, type RegisteredCluster } from '@gitward/control';

/** The cluster Secrets of the control namespace, read now (a cluster added a moment ago counts). */
export async function registeredClusters(ctx: ServerContext): Promise<RegisteredCluster[]> {
  return parseClusterSecrets(await ctx.store.secretsOfType('cluster'));
}

/**
 * In-cluster first, then every usable cluster Secret: what Application validation resolves
 * destinations against. A Secret that does not parse is left out (it cannot be deployed to).
 */
export async function knownClusters(ctx: ServerContext): Promise<ClusterSpec[]> {
  return knownClusterSpecs(await registeredClusters(ctx));
}

export type DestinationClient =
  | { readonly ok: true; readonly kube: KubeClient; readonly cluster: ClusterSpec }
  | { readonly ok: false; readonly error: ApiError };

const describe = (d: DestinationRef) => d.server ?? d.name ?? '';

// Per server context: the clients of registered clusters, one per cluster content.
const pools = new WeakMap<ServerContext, ClusterClients>();

function clientsOf(ctx: ServerContext): ClusterClients {
  let pool = pools.get(ctx);
  if (!pool)
    pools.set(ctx, (pool = createClusterClients(ctx.processEnv ? { env: ctx.processEnv } : {})));
  return pool;
}

/**
 * Drops the cached client of a removed cluster (its sockets close once idle) and stops its
 * resource-tree cache.
 */
export function forgetDestination(ctx: ServerContext, server: string): void {
  pools.get(ctx)?.forget(server);
  void ctx.trees?.forget(server);
}

/**
 * The namespaces the server may watch on a destination: those its cluster Secret lists, and for
 * in-cluster those of the in-cluster Secret (a namespace-scoped install); empty: cluster-wide.
 */
export async function watchNamespaces(
  ctx: ServerContext,
  cluster: ClusterSpec,
): Promise<readonly string[]> {
  if (!namesInCluster({ server: cluster.server })) return cluster.namespaces;
  const local = (await registeredClusters(ctx)).find(
    (c) => c.parsed.ok && namesInCluster({ server: c.parsed.cluster.server }),
  );
  return local?.parsed.ok ? local.parsed.cluster.namespaces : [];
}

/**
 * A client for the cluster an Application deploys to: the server's own for in-cluster, a cached
 * one built from the cluster Secret otherwise, or a FAILED_PRECONDITION naming the cluster when
 * it is not registered (or its Secret cannot be used).
 */
export async function destinationKube(
  ctx: ServerContext,
  dest: DestinationRef,
): Promise<DestinationClient> {
  if (namesInCluster(dest)) return { ok: true, kube: ctx.kube, cluster: inClusterSpec };
  const cluster = resolveCluster(dest, await knownClusters(ctx));
  if (!cluster)
    return {
      ok: false,
      error: precondition(
        `destination cluster ${describe(dest)} is not registered (add it with "gitward cluster add")`,
      ),
    };
  if (namesInCluster({ server: cluster.server })) return { ok: true, kube: ctx.kube, cluster };
  const out = clientsOf(ctx).clientFor(cluster);
  return out.ok
    ? { ok: true, kube: out.kube, cluster }
    : { ok: false, error: precondition(out.reason) };
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
  dest: DestinationRef,
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
  const out = connectClusterSpec(cluster, {
    ...(opts.env ? { env: opts.env } : {}),
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
  if (!out.ok) return { ok: false, message: withoutClusterPrefix(out.reason, cluster.server) };
  try {
    await out.kube.serverVersion();
    return { ok: true };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}

/** clusterConnection's reasons start with `cluster <server>: `; the caller names it already. */
export const withoutClusterPrefix = (reason: string, server: string) =>
  reason.startsWith(`cluster ${server}: `) ? reason.slice(`cluster ${server}: `.length) : reason;
