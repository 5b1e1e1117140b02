/**
 * The controller's Prometheus metrics, named after Argo CD's where it has one (argocd_app_reconcile
 * → gitward_app_reconcile_seconds, argocd_app_sync_total, argocd_app_info, argocd_git_request_*),
 * and the wrappers that time git and rendering without touching the renderer's internals.
 */
import type { GitRepositories, MetricsRegistry } from '@gitward/infra';
import type { TargetRenderer } from '@gitward/target';

/** Read at scrape time: the controller and the cache exist by then. */
export interface MetricSources {
  readonly queueDepth: () => number;
  readonly cacheSize: () => number;
  /** Sharded only: apps this replica owns and the live replicas of its view. */
  readonly shard?: { readonly owned: () => number; readonly members: () => number };
}

export interface AppInfo {
  readonly name: string;
  readonly namespace: string;
  readonly project: string;
  readonly syncStatus: string;
  readonly healthStatus: string;
}

/** Reconciles take from milliseconds to minutes (a sync waiting on hooks): Argo CD's buckets. */
const reconcileBuckets = [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128];
const renderBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createControllerMetrics(registry: MetricsRegistry, sources: MetricSources) {
  const reconcile = registry.histogram({
    name: 'gitward_app_reconcile_seconds',
    help: 'Application reconciliation performance in seconds.',
    labelNames: ['namespace', 'name'],
    buckets: reconcileBuckets,
  });
  const syncs = registry.counter({
    name: 'gitward_app_sync_total',
    help: 'Number of application syncs, by the phase they ended in.',
    labelNames: ['namespace', 'name', 'project', 'phase'],
  });
  const info = registry.gauge({
    name: 'gitward_app_info',
    help: 'Information about the application (always 1).',
    labelNames: ['namespace', 'name', 'project', 'sync_status', 'health_status'],
  });
  const queueDepth = registry.gauge({
    name: 'gitward_queue_depth',
    help: 'Applications waiting in the work queue.',
    collect: () => queueDepth.set({}, sources.queueDepth()),
  });
  const cacheSize = registry.gauge({
    name: 'gitward_cluster_cache_resources',
    help: 'Objects held in the cluster watch cache.',
    collect: () => cacheSize.set({}, sources.cacheSize()),
  });
  if (sources.shard) {
    const shard = sources.shard;
    const owned = registry.gauge({
      name: 'gitward_controller_shard_apps',
      help: 'Applications this replica owns in its current shard view.',
      collect: () => owned.set({}, shard.owned()),
    });
    const members = registry.gauge({
      name: 'gitward_controller_shard_members',
      help: 'Live controller replicas in this replica’s current shard view.',
      collect: () => members.set({}, shard.members()),
    });
  }
  const git = registry.histogram({
    name: 'gitward_git_request_duration_seconds',
    help: 'Git requests (resolving a revision, checking out a commit) in seconds.',
    labelNames: ['request_type'],
    buckets: renderBuckets,
  });
  const render = registry.histogram({
    name: 'gitward_render_duration_seconds',
    help: 'Rendering an application source to manifests, in seconds.',
    labelNames: ['result'],
    buckets: renderBuckets,
  });
  // One info series per app: the previous one goes when its status labels change.
  const infoOf = new Map<string, Record<string, string>>();
  const infoKey = (namespace: string, name: string) => `${namespace}/${name}`;

  return {
    /** Starts timing one reconcile; the result records it. */
    reconcileTimer: (namespace: string, name: string) => reconcile.startTimer({ namespace, name }),
    syncEnded: (a: { namespace: string; name: string; project: string; phase: string }) =>
      syncs.inc(a),
    appInfo(a: AppInfo): void {
      const labels = {
        namespace: a.namespace,
        name: a.name,
        project: a.project,
        sync_status: a.syncStatus,
        health_status: a.healthStatus,
      };
      const key = infoKey(a.namespace, a.name);
      const old = infoOf.get(key);
      // Most passes change nothing: the series (and its exposition text) stays as it is.
      if (old && Object.entries(labels).every(([k, v]) => old[k] === v)) return;
      if (old) info.remove(old);
      infoOf.set(key, labels);
      info.set(labels, 1);
    },
    appGone(namespace: string, name: string): void {
      const key = infoKey(namespace, name);
      const old = infoOf.get(key);
      if (old) info.remove(old);
      infoOf.delete(key);
    },
    /** Times every git request the renderer makes. */
    instrumentGit(repos: GitRepositories): GitRepositories {
      return {
        resolveRevision: (url, rev, creds, opts) =>
          timed(git.startTimer({ request_type: 'resolve-revision' }), () =>
            repos.resolveRevision(url, rev, creds, opts),
          ),
        checkout: (url, sha, creds, opts) =>
          timed(git.startTimer({ request_type: 'checkout' }), () =>
            repos.checkout(url, sha, creds, opts),
          ),
        release: (dir) => repos.release(dir),
        commitMetadata: (url, sha, creds) =>
          timed(git.startTimer({ request_type: 'commit-metadata' }), () =>
            repos.commitMetadata(url, sha, creds),
          ),
        verifyCommit: (url, sha, keys, creds) =>
          timed(git.startTimer({ request_type: 'verify-commit' }), () =>
            repos.verifyCommit(url, sha, keys, creds),
          ),
        get stats() {
          return repos.stats;
        },
      };
    },
    /** Times every render, by its outcome (rendered, failed; cache hits are fast renders). */
    instrumentRenderer(renderer: TargetRenderer): TargetRenderer {
      return {
        async render(req) {
          const start = performance.now();
          let result = 'error';
          try {
            const out = await renderer.render(req);
            result = out.kind;
            return out;
          } finally {
            render.observe({ result }, (performance.now() - start) / 1000);
          }
        },
        get stats() {
          return renderer.stats;
        },
      };
    },
  };
}
export type ControllerMetrics = ReturnType<typeof createControllerMetrics>;

async function timed<T>(stop: () => number, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } finally {
    stop();
  }
}
