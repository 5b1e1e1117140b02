/** The types the stages of one reconcile hand each other (see ../reconciler.ts). */
import type {
  CompareResult,
  HealthOverrides,
  IgnoreDifference,
  ReconcileReport,
  ReconcileSettings,
  RepoTrust,
} from '@gitward/engine';
import type { ApiResourceIndex, ClusterCache } from '@gitward/infra';
import type {
  ApiGroup,
  Application,
  ApplicationStatus,
  CommitSignature,
  KubeObject,
  RepoCredentials,
  Operation,
} from '@gitward/model';
import type { TargetRenderer } from '@gitward/target';
import type { Logger } from 'pino';
import type { DestinationCluster, Destinations } from '../destinations.ts';

export type OperationState = NonNullable<ApplicationStatus['operationState']>;

/** The comparison a sync step works from. */
export interface CompareContext {
  readonly desired: readonly KubeObject[];
  readonly live: ReadonlyMap<string, KubeObject>;
  readonly managed: readonly KubeObject[];
  readonly index: ApiResourceIndex;
  readonly revision: string;
  readonly result: CompareResult;
  /** Why each desired object the project forbids may not be synced. */
  readonly forbidden: readonly string[];
  /** The destination cluster the comparison read and a sync writes to. */
  readonly cluster: DestinationCluster;
  /** The settings' health checks the comparison judged with; the sync's waves use the same. */
  readonly healthOverrides: HealthOverrides;
  /** The ignoreDifferences rules it compared with (the app's and the system-wide ones). */
  readonly ignoreDifferences: readonly IgnoreDifference[];
  /** The instance label the desired objects carry under label tracking. */
  readonly instanceLabelKey: string;
}

/** The target stage's output: a report, and the context a sync needs when the app compared. */
export interface Compared {
  readonly rep: ReconcileReport;
  readonly ctx?: CompareContext;
}

/** The sync step's output: what to write with the status, and when to come back. */
export interface ActOutcome {
  readonly status: Partial<ApplicationStatus>;
  /** Set `operation` (an automated sync starts) or clear it (null: the operation ended). */
  readonly operation?: Operation | null;
  readonly requeueAfterMs?: number;
  /**
   * The operation waits for the watch cache to show the objects it wrote (the write fence): the
   * compare saw an older view, so the pass writes nothing and comes back.
   */
  readonly deferred?: boolean;
  /**
   * Whether the outcome may still land on the app as the apiserver has it after a conflict: a
   * terminate request or a new operation written while this pass ran wins over the pass.
   */
  readonly stillValid?: (fresh: Application) => boolean;
}

/** What the stages read (the reconciler's dependencies, see ReconcilerDeps). */
export interface StageDeps {
  /** The control plane's cache: Applications and AppProjects. */
  readonly cache: ClusterCache;
  readonly renderer: TargetRenderer;
  /**
   * The control namespace's labelled Secrets (repository, repo-creds), from a watch: read on
   * every reconcile, so never a request.
   */
  readonly repoSecrets: () => readonly KubeObject[];
  /**
   * The SSH known hosts and TLS certs ConfigMaps as parsed, from watches: whom a repository
   * connection trusts (engine repoTrustFor). Absent: the process's own known_hosts and CAs.
   */
  readonly repoTrust?: () => RepoTrust;
  /** Where apps deploy: in-cluster and the registered clusters, each with its own adapters. */
  readonly destinations: Destinations;
  readonly group: ApiGroup;
  readonly namespace: string;
  readonly trackingAnnotation: string;
  /**
   * The settings ConfigMap as parsed (flags winning over its keys), kept by a watch: asked once
   * per pass, as it may change between passes.
   */
  readonly settings: () => ReconcileSettings;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly syncTimeoutMs: number;
  /**
   * GnuPG's verdict on a commit of a repository, against the GPG keys ConfigMap's keys (for
   * projects with `signatureKeys`). Absent: such projects' apps fail closed.
   */
  readonly verifyCommit?: (
    repoURL: string,
    sha: string,
    creds: RepoCredentials | undefined,
  ) => Promise<CommitSignature>;
}

/** What a reconcile did, for the queue: retry with backoff, come back soon, or at the next resync. */
export type ReconcileOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeue'; readonly afterMs: number }
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry'; readonly reason: string };
