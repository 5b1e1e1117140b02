import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  flagHelp,
  inClusterNamespace,
  parseFlags,
  pluginFlagsOf,
  processRuntimeOf,
  sharedFlags,
  trackingMethodFlag,
  type FlagSpec,
  type PluginFlags,
  type ProcessRuntime,
} from '@gitward/infra';
import type { TrackingMethod } from '@gitward/model';
import { ApiGroup, defaultControlNamespace, ErrorCode, GitwardError } from '@gitward/model';

/** The controller's configuration, parsed once in main.ts from argv and the environment. */
export interface ControllerConfig extends ProcessRuntime {
  /** Explicit kubeconfig; absent: KUBECONFIG, then the in-cluster ServiceAccount. */
  readonly kubeconfig: string | undefined;
  /** `--context`: a context of that kubeconfig. */
  readonly context: string | undefined;
  readonly group: ApiGroup;
  /** Where Applications and AppProjects live (gitward, or argocd in argoproj.io mode). */
  readonly namespace: string;
  readonly cacheDir: string;
  /**
   * Periodic refresh, when given as a flag: every `resyncSeconds` plus up to `jitterSeconds` (0
   * disables). Absent: the settings ConfigMap's `timeout.reconciliation(.jitter)`, else 120s/60s.
   */
  readonly resyncSeconds?: number;
  readonly jitterSeconds?: number;
  readonly parallelism: number;
  /**
   * Port of /metrics, /healthz and /readyz (Argo CD's controller metrics port, 8082; 0 picks a
   * free one), on `metricsAddress` (0.0.0.0 by default, so kubelet and Prometheus reach it).
   */
  readonly metricsPort: number;
  readonly leaderElection: boolean;
  readonly identity: string;
  /**
   * Controller replicas (`--replicas`, GITWARD_CONTROLLER_REPLICAS, as Argo CD's
   * ARGOCD_CONTROLLER_REPLICAS). 1: one active leader, the others stand by. More: sharded, every
   * replica active on its share of the Applications (consistent hashing with bounded loads over
   * the live replicas); a starting replica waits up to one lease duration to see this many.
   */
  readonly replicas: number;
  /** Lease timing of leader election and shard leases: renew deadline ⅔ and retry period 2/15 of it. */
  readonly lease: {
    readonly durationSeconds: number;
    readonly renewDeadlineSeconds: number;
    readonly retryPeriodSeconds: number;
  };
  /**
   * Install the CRDs, the namespace and the default project at startup when missing
   * (`--install-crds`, for `npm start` and tests). Without it the manifests install them and the
   * controller only checks that its CRDs are served, failing at start when not.
   */
  readonly installCrds: boolean;
  /**
   * How objects are tied to their app, when given as a flag; absent: the settings ConfigMap's
   * `application.resourceTrackingMethod`, else annotation.
   */
  readonly trackingMethod?: TrackingMethod;
  /** A sync operation that runs longer than this fails, naming what it waited for. */
  readonly syncTimeoutSeconds: number;
  /** Rendering tools: paths, or names looked up on PATH. */
  readonly tools: { readonly helm: string; readonly kustomize: string; readonly jsonnet: string };
  /** Size limits of renders (repo authors control sizes); unset keeps the renderer's defaults. */
  readonly renderLimits: {
    readonly maxManifestFileBytes?: number;
    readonly maxRenderBytes?: number;
  };
  /**
   * Config management plugins: `--plugins` (a file), `--plugins-dir`, and their time limit. main.ts
   * reads them once, with the cmp ConfigMap (`<prefix>-cmp-cm`), at startup.
   */
  readonly plugins: PluginFlags;
  /**
   * Check out git submodules with a repository's tree (`--git-modules-enabled`,
   * GITWARD_GIT_MODULES_ENABLED; Argo CD's ARGOCD_GIT_MODULES_ENABLED), on unless "false".
   */
  readonly gitModulesEnabled: boolean;
}

const intOf = (name: string, v: string | undefined, dflt: number): number => {
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${name} must be a non-negative integer, got ${JSON.stringify(v)}`,
    );
  return n;
};

const portOf = (name: string, v: string | undefined, dflt: number): number => {
  const port = intOf(name, v, dflt);
  if (port > 65535)
    throw new GitwardError(ErrorCode.InvalidArgument, `${name} must be 0..65535, got ${port}`);
  return port;
};

const units: Readonly<Record<string, number>> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** A size in bytes, plain or with a Ki/Mi/Gi suffix (as Kubernetes quantities are written). */
export function bytesOf(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(v.trim());
  const n = m ? Number(m[1]) * (units[m[2] ?? ''] ?? 1) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${name} must be a positive size in bytes (e.g. 8Mi), got ${JSON.stringify(v)}`,
    );
  return n;
}

/** Argo CD's name of the one method gitward implements (Argo CD also has legacy, round-robin). */
const shardingMethod = 'consistent-hashing';

/**
 * Every flag of the controller process: the parser reads these rows, and `gitward controller
 * --help` prints them (main.ts), so the two cannot disagree.
 */
export const controllerFlags: readonly FlagSpec[] = [
  sharedFlags.kubeconfig,
  sharedFlags.context,
  sharedFlags.apiGroup,
  sharedFlags.namespace,
  sharedFlags.cacheDir,
  {
    name: 'resync-seconds',
    env: 'GITWARD_RESYNC_SECONDS',
    defaultText: 'timeout.reconciliation of the settings ConfigMap, else 120',
    description: 'periodic refresh of every app (0 disables)',
  },
  {
    name: 'jitter-seconds',
    defaultText: 'timeout.reconciliation.jitter of the settings ConfigMap, else 60',
    description: 'up to this much is added to each periodic refresh',
  },
  { name: 'parallelism', default: '10', description: 'apps reconciled at once' },
  {
    name: 'metrics-port',
    env: 'GITWARD_CONTROLLER_METRICS_PORT',
    default: '8082',
    description: '/metrics, /healthz and /readyz port (0 picks a free one)',
  },
  sharedFlags.metricsAddress,
  {
    name: 'leader-election',
    default: 'true',
    description: 'one active replica at a time (false: this one always acts)',
  },
  {
    name: 'replicas',
    env: 'GITWARD_CONTROLLER_REPLICAS',
    default: '1',
    description:
      'controller replicas; more than 1 shards the Applications over the live replicas, each acting on its share',
  },
  {
    name: 'sharding-method',
    env: 'GITWARD_CONTROLLER_SHARDING_ALGORITHM',
    default: shardingMethod,
    description: `how apps are spread over replicas (only ${shardingMethod}: consistent hashing with bounded loads)`,
  },
  {
    name: 'lease-duration-seconds',
    default: '15',
    description:
      'lease of leader election and of each shard member (renew deadline ⅔ of it, retry every 2/15)',
  },
  {
    name: 'install-crds',
    type: 'boolean',
    description:
      'install the CRDs, the namespace and the default project when missing (else only check the CRDs)',
  },
  sharedFlags.logLevel,
  sharedFlags.logFormat,
  sharedFlags.trackingMethod,
  {
    name: 'sync-timeout-seconds',
    default: '600',
    description: 'a sync running longer fails, naming what it waited for',
  },
  sharedFlags.helm,
  sharedFlags.kustomize,
  sharedFlags.jsonnet,
  {
    name: 'max-manifest-file-bytes',
    env: 'GITWARD_MAX_MANIFEST_FILE_BYTES',
    defaultText: "the renderer's",
    description: 'largest manifest file read from a repository (bytes, or Ki/Mi/Gi)',
  },
  {
    name: 'max-render-bytes',
    env: 'GITWARD_MAX_RENDER_BYTES',
    defaultText: "the renderer's",
    description: 'largest render output of one app (bytes, or Ki/Mi/Gi)',
  },
  sharedFlags.plugins,
  sharedFlags.pluginsDir,
  sharedFlags.pluginTimeoutSeconds,
  sharedFlags.gitModulesEnabled,
];

/** `gitward controller --help`. */
export const controllerHelp = () => flagHelp('gitward controller [flags]', controllerFlags);

/** Flags win over GITWARD_* variables, which win over defaults; invalid values fail startup. */
export function loadControllerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  /** Where the pod's ServiceAccount directory hangs (tests use a temporary directory). */
  root = '/',
): ControllerConfig {
  const flags = parseFlags(argv, env, controllerFlags);
  const pick = (flag: string) => flags.pick(flag);
  const kubeconfig = pick('kubeconfig');
  const group = apiGroupOf(pick('api-group'));
  const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v !== 'false');
  return Object.freeze({
    kubeconfig,
    context: pick('context'),
    group,
    // As Argo CD's processes: the flag, else the pod's own namespace, else the group's default.
    namespace: pick('namespace') ?? inClusterNamespace(root) ?? defaultControlNamespace(group),
    cacheDir: pick('cache-dir') ?? join(home, '.cache', 'gitward'),
    ...optionalInt('resyncSeconds', '--resync-seconds', pick('resync-seconds')),
    ...optionalInt('jitterSeconds', '--jitter-seconds', pick('jitter-seconds')),
    parallelism: Math.max(1, intOf('--parallelism', pick('parallelism'), 10)),
    metricsPort: portOf('--metrics-port', pick('metrics-port'), 8082),
    leaderElection: bool(pick('leader-election'), true),
    identity: `${hostname()}-${process.pid}`,
    replicas: Math.max(1, intOf('--replicas', pick('replicas'), 1)),
    lease: leaseOf(pick('lease-duration-seconds'), pick('sharding-method')),
    installCrds: flags.has('install-crds'),
    ...processRuntimeOf(flags),
    ...trackingMethodFlag(flags),
    syncTimeoutSeconds: intOf('--sync-timeout-seconds', pick('sync-timeout-seconds'), 600),
    tools: {
      helm: pick('helm') ?? 'helm',
      kustomize: pick('kustomize') ?? 'kustomize',
      jsonnet: pick('jsonnet') ?? 'jsonnet',
    },
    renderLimits: renderLimitsOf(pick('max-manifest-file-bytes'), pick('max-render-bytes')),
    plugins: pluginFlagsOf(flags),
    gitModulesEnabled: bool(pick('git-modules-enabled'), true),
  });
}

function leaseOf(duration: string | undefined, method: string | undefined) {
  if (method !== undefined && method !== shardingMethod)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `--sharding-method must be ${shardingMethod}, got ${JSON.stringify(method)}`,
    );
  const durationSeconds = intOf('--lease-duration-seconds', duration, 15);
  if (durationSeconds < 2)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      '--lease-duration-seconds must be at least 2',
    );
  // client-go's defaults (15 s, 10 s, 2 s), scaled.
  return {
    durationSeconds,
    renewDeadlineSeconds: (durationSeconds * 2) / 3,
    retryPeriodSeconds: (durationSeconds * 2) / 15,
  };
}

function renderLimitsOf(file: string | undefined, render: string | undefined) {
  const maxManifestFileBytes = bytesOf('--max-manifest-file-bytes', file);
  const maxRenderBytes = bytesOf('--max-render-bytes', render);
  return {
    ...(maxManifestFileBytes === undefined ? {} : { maxManifestFileBytes }),
    ...(maxRenderBytes === undefined ? {} : { maxRenderBytes }),
  };
}

/** A flag that only overrides the settings ConfigMap: absent stays absent. */
function optionalInt<K extends string>(key: K, flag: string, v: string | undefined) {
  return (v === undefined || v === '' ? {} : { [key]: intOf(flag, v, 0) }) as Partial<
    Record<K, number>
  >;
}

function apiGroupOf(v: string | undefined): ApiGroup {
  const group = v ?? ApiGroup.Gitward;
  if (group !== ApiGroup.Gitward && group !== ApiGroup.ArgoCD) {
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `--api-group must be ${ApiGroup.Gitward} or ${ApiGroup.ArgoCD}`,
    );
  }
  return group;
}
