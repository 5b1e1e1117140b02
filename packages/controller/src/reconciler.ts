import {
  applyDefaultNamespace,
  buildStatus,
  compareApplication,
  canSync,
  statusWriteNeeded,
  syncSourceToRender,
  windowAppOf,
  describeDrift,
  noHealthOverrides,
  orphanedResources,
  parseManifests,
  repoCredentialsFor,
  resolveDestination,
  objectPermitted,
  validateApplication,
  type CompareResult,
  type Condition,
  type HealthOverrides,
  type ReconcileReport,
  type ScopeLookup,
} from '@gitward/engine';
import type { ApiResourceIndex, ClusterCache, KubeClient } from '@gitward/infra';
import {
  ApplicationConditionType,
  applicationSchema,
  appProjectSchema,
  isTracked,
  errorMessage,
  formatResourceKey,
  groupOf,
  resourceKeyOf,
  secretTypeLabel,
  withTracking,
  OperationPhase,
  SyncStatusCode,
  type TrackingMethod,
  type ApiGroup,
  type Application,
  type ApplicationStatus,
  type AppProject,
  type KubeObject,
} from '@gitward/model';
import type { RenderOutcome, TargetRenderer } from '@gitward/target';
import type { Logger } from 'pino';
import type { ReconcileObserver } from './app-events.ts';
import type { DestinationCluster, Destinations } from './destinations.ts';
import { decideAutoSync } from './sync/automation.ts';
import { startOperation, syncPass, terminateOperation, type SyncInputs } from './sync/operation.ts';
import { beginAttempt, retryAfterFailure, retryWait } from './sync/retry.ts';
import { deletionPass } from './sync/deletion.ts';

interface CompareContext {
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
}

/** A report, and the context a sync needs when the comparison succeeded. */
interface Compared {
  readonly rep: ReconcileReport;
  readonly ctx?: CompareContext;
}

interface ActOutcome {
  readonly status: Partial<ApplicationStatus>;
  /** A merge patch for the Application itself (set or clear `operation`). */
  readonly patchApp?: Record<string, unknown>;
  readonly requeueAfterMs?: number;
  /**
   * The operation phase the apiserver must still hold for the new operation state to land: a
   * terminate request written while this pass ran wins over the pass.
   */
  readonly expectPhase?: OperationPhase;
}

function syncInputs(ctx: CompareContext): SyncInputs {
  const desiredIds = new Set(ctx.desired.map((o) => formatResourceKey(resourceKeyOf(o))));
  const byId = new Map(ctx.live);
  for (const m of ctx.managed) byId.set(formatResourceKey(resourceKeyOf(m)), m);
  return {
    desired: ctx.desired,
    // A hook named from generateName has a name only the sync gave it: no desired or managed
    // object carries it, so the cache is asked by that name (else the hook looks vanished).
    live: (key) => byId.get(formatResourceKey(key)) ?? ctx.cluster.cache.get(key),
    outOfSync: new Set(
      ctx.result.resources
        .filter((r) => r.status === SyncStatusCode.OutOfSync)
        .map((r) => formatResourceKey(r.key)),
    ),
    extraneous: ctx.managed.filter((m) => !desiredIds.has(formatResourceKey(resourceKeyOf(m)))),
    revision: ctx.revision,
    index: ctx.index,
    forbidden: ctx.forbidden,
    healthOverrides: ctx.healthOverrides,
  };
}

type OperationState = NonNullable<ApplicationStatus['operationState']>;

function clearedMessage<T extends { message?: string | undefined }>(o: T | undefined) {
  return o && o.message === undefined ? { ...o, message: null } : o;
}

/**
 * The merge patch of a status write. A merge patch keeps keys it does not name, so a message the
 * new status no longer has (the "Missing" health's, an earlier operation's) is cleared explicitly
 * or it would linger beside the new verdict.
 */
function statusPatch(status: Partial<ApplicationStatus>) {
  return {
    status: {
      ...status,
      ...(status.health ? { health: clearedMessage(status.health) } : {}),
      ...(status.operationState ? { operationState: clearedMessage(status.operationState) } : {}),
    },
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/**
 * Only successful, real (not dry-run), full (not selective) syncs from Git make history, as Argo
 * CD: a local sync's manifests are in no revision a rollback could return to.
 */
function makesHistory(state: OperationState): boolean {
  const sync = state.operation?.sync;
  return (
    state.phase === OperationPhase.Succeeded &&
    !sync?.dryRun &&
    !sync?.resources?.length &&
    !sync?.manifests?.length
  );
}

/** One line per reconcile: what was compared and what the sync did. */
function logReport(log: Logger, rep: ReconcileReport, outcome: ActOutcome): void {
  if (rep.kind === 'failed') {
    log.warn({ conditions: rep.conditions }, 'comparison failed');
    return;
  }
  const op = outcome.status.operationState;
  log.info(
    {
      revision: rep.revision,
      sync: rep.result.syncStatus,
      health: rep.result.health.status,
      operation: op?.phase,
    },
    op?.message ?? describeDrift(rep.result),
  );
}

/** History grows by one entry per successful sync, trimmed to revisionHistoryLimit. */
function historyAfter(
  app: Application,
  state: OperationState,
  now: Date,
): Partial<ApplicationStatus> {
  if (!makesHistory(state)) return {};
  const history = app.status?.history ?? [];
  const entry = {
    id: history.reduce((m, h) => Math.max(m, h.id), -1) + 1,
    deployedAt: now.toISOString(),
    ...optional('revision', state.syncResult?.revision),
    ...optional('deployStartedAt', state.startedAt),
    ...optional('source', app.spec.source),
    ...optional('initiatedBy', state.operation?.initiatedBy),
  };
  return { history: [...history, entry].slice(-(app.spec.revisionHistoryLimit ?? 10)) };
}

export interface ReconcilerDeps {
  readonly kube: KubeClient;
  readonly cache: ClusterCache;
  readonly renderer: TargetRenderer;
  /**
   * The control namespace's labelled Secrets (repository, repo-creds), from a watch: read on
   * every reconcile, so never a request.
   */
  readonly repoSecrets: () => readonly KubeObject[];
  /** Where apps deploy: in-cluster and the registered clusters, each with its own adapters. */
  readonly destinations: Destinations;
  readonly group: ApiGroup;
  readonly namespace: string;
  readonly trackingAnnotation: string;
  /** From the settings ConfigMap (or the flag), asked on every reconcile: it may change. */
  readonly trackingMethod: () => TrackingMethod;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly syncTimeoutMs: number;
  /**
   * Whether the Application CRD has the status subresource (known once the CRDs are installed).
   * Argo CD's has none, nor have the ones gitward installs: status is then written with the
   * object, in the same request that removes the refresh annotation.
   */
  readonly statusSubresource: () => boolean;
  /** Told of each status write (events, metrics); must not throw. */
  readonly observer?: ReconcileObserver;
  /**
   * The health checks the settings ConfigMap configures (argocd-cm / gitward-cm, from a watch):
   * read on every reconcile. Absent: the built-in rules only.
   */
  readonly healthOverrides?: () => HealthOverrides;
}

/** What a reconcile did, for the queue: retry with backoff, come back soon, or at the next resync. */
export type ReconcileOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'requeue'; readonly afterMs: number }
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry'; readonly reason: string };

const refreshAnnotations = ['gitward.dev/refresh', 'argocd.argoproj.io/refresh'];
// Kinds watched for every app so the resource tree (Deployment → ReplicaSet → Pod) is complete.
const treeKinds = [
  { group: 'apps', kind: 'ReplicaSet' },
  { group: '', kind: 'Pod' },
];

/** The Application key of the cache for a name in the control namespace. */
export function appKey(group: ApiGroup, namespace: string, name: string) {
  return { group, kind: 'Application', namespace, name };
}

export function createReconciler(d: ReconcilerDeps) {
  const appsPath = `/apis/${d.group}/v1alpha1/namespaces/${d.namespace}/applications`;
  const appPath = (name: string) => `${appsPath}/${encodeURIComponent(name)}`;
  /** The app as the apiserver has it now, where the watch cache may lag behind our own writes. */
  async function readFresh(name: string): Promise<Partial<Application> | undefined> {
    const res = await d.kube.request('GET', appPath(name));
    return res.status < 300 ? (res.body as Partial<Application> | undefined) : undefined;
  }
  const statusPathOf = (path: string) => (d.statusSubresource() ? `${path}/status` : path);

  function credentialsFor(repoURL: string, project: string) {
    return repoCredentialsFor(repoURL, project, d.repoSecrets(), secretTypeLabel(d.group));
  }

  async function render(
    app: Application,
    hard: boolean,
    index: ApiResourceIndex,
    cluster: DestinationCluster,
  ): Promise<RenderOutcome> {
    const source = app.spec.source ?? app.spec.sources?.[0];
    if (!source) throw new Error('no source');
    const scope: ScopeLookup = (g, k) => index.lookup(g, k)?.namespaced;
    const credentials = credentialsFor(source.repoURL, app.spec.project);
    return d.renderer.render({
      appName: app.metadata.name,
      project: app.spec.project,
      source,
      destinationNamespace: app.spec.destination.namespace,
      kubeVersion: await cluster.kubeVersion(),
      apiVersions: index.apiVersions(),
      scope,
      hard,
      ...(credentials ? { credentials } : {}),
    });
  }

  async function compare(
    app: Application,
    project: AppProject,
    objects: readonly KubeObject[],
    index: ApiResourceIndex,
    cluster: DestinationCluster,
  ) {
    const name = app.metadata.name;
    const cache = cluster.cache;
    const method = d.trackingMethod();
    const desired = objects.map((o) => withTracking(o, name, method, d.trackingAnnotation));
    const kinds = new Map<string, { group: string; kind: string }>();
    for (const o of desired)
      kinds.set(`${groupOf(o.apiVersion)}/${o.kind}`, {
        group: groupOf(o.apiVersion),
        kind: o.kind,
      });
    await cache.watchKinds([...kinds.values(), ...treeKinds]);
    const live = new Map<string, KubeObject>();
    for (const o of desired) {
      const found = cache.get(resourceKeyOf(o));
      if (found) live.set(formatResourceKey(resourceKeyOf(o)), found);
    }
    const predicted = await cluster.predictor.predictAll(desired, live, index);
    // The rule the API server applies to what it shows of live state (engine's objectPermitted).
    const permits = (o: KubeObject) =>
      objectPermitted(project, cluster, o, index.lookup(groupOf(o.apiVersion), o.kind)?.namespaced);
    const managed = cache.managedBy(name);
    const healthOverrides = d.healthOverrides?.() ?? noHealthOverrides;
    const result = compareApplication({
      desired,
      live,
      managed,
      predicted,
      ignoreDifferences: app.spec.ignoreDifferences ?? [],
      appName: name,
      trackingAnnotation: d.trackingAnnotation,
      forbidden: permits,
      healthOverrides,
    });
    const forbidden = desired.map(permits).filter((m) => m !== undefined);
    return { result, desired, live, managed, index, forbidden, cluster, healthOverrides };
  }

  function projectOf(app: Application): AppProject | undefined {
    const project = d.cache.get({
      group: d.group,
      kind: 'AppProject',
      namespace: d.namespace,
      name: app.spec.project,
    });
    return project ? appProjectSchema.parse(project) : undefined;
  }

  /** The project's sync windows for this app; manual syncs may pass windows with manualSync. */
  function windowVerdict(app: Application, manual: boolean, startedAt?: string) {
    return canSync(projectOf(app)?.spec.syncWindows ?? [], windowAppOf(app), {
      manual,
      now: d.now(),
      ...(startedAt ? { operationStartedAt: new Date(startedAt) } : {}),
    });
  }

  /**
   * The comparison of one app, and what a sync of it needs (only when it compared). Returned, not
   * kept in the closure: reconciles of different apps run concurrently.
   */
  async function report(app: Application, hard: boolean): Promise<Compared> {
    const project = projectOf(app);
    const projects: AppProject[] = project ? [project] : [];
    const clusters = await d.destinations.known();
    const problems = validateApplication(app, projects, clusters);
    const cluster = resolveDestination(app.spec.destination, clusters);
    if (problems.length || !projects[0] || !cluster)
      return { rep: { kind: 'failed', conditions: problems } };
    const index = await cluster.discovery();
    const out = await render(app, hard, index, cluster);
    if (out.kind === 'failed') {
      return {
        rep: {
          kind: 'failed',
          conditions: [
            { type: ApplicationConditionType.ComparisonError, message: out.error.message },
          ],
        },
      };
    }
    const warnings: Condition[] = out.unknownKinds.length
      ? [
          {
            type: ApplicationConditionType.ComparisonError,
            message: `unknown kinds (no such API on the destination): ${out.unknownKinds.join(', ')}`,
          },
        ]
      : [];
    const objects = out.kind === 'rendered' ? out.objects : [];
    const cmp = await compare(app, projects[0], objects, index, cluster);
    const result = cmp.result;
    return {
      ctx: { ...cmp, revision: out.revision },
      rep: {
        kind: 'compared',
        result,
        revision: out.revision,
        sourceType: out.sourceType,
        warnings: [...warnings, ...result.warnings, ...orphanWarnings(app, projects[0], cluster)],
      },
    };
  }

  /**
   * OrphanedResourceWarning when the project asks (`orphanedResources.warn`): untracked top-level
   * objects in the destination namespace. Only kinds the cache watches are seen (those of the
   * apps and their trees), where Argo CD watches every kind.
   */
  function orphanWarnings(
    app: Application,
    project: AppProject,
    cluster: DestinationCluster,
  ): Condition[] {
    const ns = app.spec.destination.namespace;
    if (!ns || !project.spec.orphanedResources?.warn) return [];
    const tracked = (o: KubeObject) => isTracked(o, d.trackingAnnotation, d.trackingMethod());
    const orphans = orphanedResources(project, cluster.cache.inNamespace(ns), tracked);
    return orphans.length
      ? [
          {
            type: ApplicationConditionType.OrphanedResourceWarning,
            message: `Application has ${orphans.length} orphaned resources`,
          },
        ]
      : [];
  }

  /** Writes the operation state only if its phase is still `expectPhase` (a terminate wins). */
  async function writeOperationIf(
    path: string,
    expectPhase: OperationPhase,
    operationState: OperationState,
  ): Promise<boolean> {
    const guarded = await d.kube.request('PATCH', statusPathOf(path), {
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/status/operationState/phase', value: expectPhase },
        { op: 'replace', path: '/status/operationState', value: operationState },
      ],
    });
    if (guarded.status === 422 || guarded.status === 409) return false;
    if (guarded.status >= 300)
      throw new Error(`writing the operation state failed (HTTP ${guarded.status})`);
    return true;
  }

  function writeDue(
    app: Application,
    status: ApplicationStatus,
    refreshKey: string | undefined,
    expectPhase: OperationPhase | undefined,
  ): boolean {
    return (
      refreshKey !== undefined ||
      expectPhase !== undefined ||
      statusWriteNeeded(app.status, status, d.now())
    );
  }

  async function writeStatus(
    app: Application,
    rep: ReconcileReport,
    refreshKey: string | undefined,
    extra: Partial<ApplicationStatus> = {},
    expectPhase?: OperationPhase,
  ): Promise<boolean> {
    const base = buildStatus({
      previous: app.status,
      report: rep,
      source: app.spec.source,
      destination: app.spec.destination,
      now: d.now().toISOString(),
    });
    const status = {
      ...base,
      ...extra,
      conditions: [...(base.conditions ?? []), ...(extra.conditions ?? [])],
    };
    // A pass that finds nothing new writes nothing (issue 16: a steady cycle costs the apiserver
    // no write): unless a refresh asked for it, a guarded operation write is due, or reconciledAt
    // reached its maximum age. The cache may still lack our last write; then we write it again.
    if (!writeDue(app, status, refreshKey, expectPhase)) return true;
    const path = appPath(app.metadata.name);
    const { operationState, ...rest } = status;
    if (expectPhase && operationState) {
      if (!(await writeOperationIf(path, expectPhase, operationState))) return false;
    }
    const body = statusPatch(expectPhase && operationState ? rest : status);
    const unrefresh = refreshKey ? { metadata: { annotations: { [refreshKey]: null } } } : {};
    // A merge patch needs no resourceVersion: the controller owns status, so there is no
    // lost-update conflict to handle, and it leaves the spec users edit alone.
    const res = await d.kube.request('PATCH', statusPathOf(path), {
      body: d.statusSubresource() ? body : { ...body, ...unrefresh },
    });
    if (res.status >= 300) {
      const why = JSON.stringify(res.body).slice(0, 300);
      throw new Error(`writing status failed (HTTP ${res.status}): ${why}`);
    }
    if (refreshKey && d.statusSubresource())
      await d.kube.request('PATCH', path, { body: unrefresh });
    return true;
  }

  /** Observe → diff → write status, for one Application. */
  async function reconcile(name: string): Promise<ReconcileOutcome> {
    const raw = d.cache.get(appKey(d.group, d.namespace, name));
    if (!raw) {
      d.observer?.gone(name);
      return { kind: 'gone' };
    }
    const parsed = applicationSchema.safeParse(raw);
    const log = d.logger.child({ app: name });
    if (!parsed.success) {
      log.warn({ err: parsed.error.message }, 'application does not match the schema');
      return { kind: 'done' };
    }
    const app = parsed.data;
    if (app.metadata.deletionTimestamp) return deleteApplication(app, log);
    const refreshKey = refreshAnnotations.find((k) => app.metadata.annotations?.[k] !== undefined);
    const hard = refreshKey !== undefined && app.metadata.annotations?.[refreshKey] === 'hard';
    const { rep, ctx } = await reportSafely(app, hard);
    const before = currentOperation(app);
    const outcome = await act(app, rep, ctx);
    const landed = await writeStatus(app, rep, refreshKey, outcome.status, outcome.expectPhase);
    if (!landed) {
      log.info('operation changed while the pass ran (terminate?); re-reading');
      return { kind: 'requeue', afterMs: 0 };
    }
    if (outcome.patchApp) {
      const res = await d.kube.request('PATCH', appPath(name), {
        body: outcome.patchApp,
      });
      // The outcome is already in status; an operation left in place runs once more next pass.
      if (res.status >= 300) log.warn({ status: res.status }, 'could not clear the operation');
    }
    logReport(log, rep, outcome);
    d.observer?.reconciled({
      app,
      before,
      after: outcome.status.operationState,
      ...(rep.kind === 'compared'
        ? { syncStatus: rep.result.syncStatus, healthStatus: rep.result.health.status }
        : {}),
    });
    if (outcome.requeueAfterMs !== undefined)
      return { kind: 'requeue', afterMs: outcome.requeueAfterMs };
    return rep.kind === 'failed'
      ? { kind: 'retry', reason: rep.conditions.map((c) => c.message).join('; ') }
      : { kind: 'done' };
  }

  /**
   * An Application being deleted: PreDelete hooks, the cascade its finalizer asks for, PostDelete
   * hooks, then the finalizer goes (see deletionPass). Hooks come from the target rendered now.
   */
  async function deleteApplication(app: Application, log: Logger): Promise<ReconcileOutcome> {
    const path = appPath(app.metadata.name);
    const cluster = await d.destinations.resolve(app.spec.destination);
    if (!cluster) {
      // As Argo CD: without the cluster nothing can be cascaded; the finalizer stays until the
      // cluster is registered again or a user removes it (which orphans the resources).
      const where = app.spec.destination.server ?? app.spec.destination.name ?? '';
      return blockDeletion(path, `destination cluster ${where} is not registered`, log);
    }
    const step = await deletionPass(
      app,
      {
        managed: cluster.cache.managedBy(app.metadata.name),
        live: (key) => cluster.cache.get(key),
        index: await cluster.discovery(),
        target: async () => {
          const { rep, ctx } = await reportSafely(app, false);
          if (ctx) return { desired: ctx.desired };
          const why = rep.kind === 'failed' ? rep.conditions.map((c) => c.message) : [];
          return { error: why.join('; ') || 'no target' };
        },
      },
      {
        applier: cluster.applier,
        setFinalizers: async (finalizers) => {
          const res = await d.kube.request('PATCH', path, { body: { metadata: { finalizers } } });
          if (res.status >= 300)
            throw new Error(`removing the finalizer failed (HTTP ${res.status})`);
        },
      },
    );
    if (step.kind === 'orphan') return { kind: 'done' };
    if (step.kind === 'blocked') return blockDeletion(path, step.message, log);
    if (step.kind === 'waiting') {
      log.info({ reason: step.message }, 'deleting the application');
      return { kind: 'requeue', afterMs: 1000 };
    }
    log.info('resources deleted; finalizer removed');
    return { kind: 'done' };
  }

  async function blockDeletion(
    path: string,
    message: string,
    log: Logger,
  ): Promise<ReconcileOutcome> {
    log.info({ reason: message }, 'deletion blocked');
    await d.kube.request('PATCH', statusPathOf(path), {
      body: {
        status: {
          conditions: [
            {
              type: ApplicationConditionType.DeletionError,
              message,
              lastTransitionTime: d.now().toISOString(),
            },
          ],
        },
      },
    });
    return { kind: 'requeue', afterMs: 2000 };
  }

  async function reportSafely(app: Application, hard: boolean): Promise<Compared> {
    try {
      return await report(app, hard);
    } catch (err) {
      return {
        rep: {
          kind: 'failed',
          conditions: [
            { type: ApplicationConditionType.ComparisonError, message: errorMessage(err) },
          ],
        },
      };
    }
  }

  // The operation state this replica wrote last, per app. The watch cache may not have caught up
  // with our own status write when the next pass runs; reading the older state there would forget
  // what the previous pass did. After a restart the map is empty and the durable status is used.
  const written = new Map<string, NonNullable<ApplicationStatus['operationState']>>();
  const finished = new Map<string, string>();
  function currentOperation(app: Application) {
    const cached = app.status?.operationState;
    const mine = written.get(app.metadata.name);
    if (!mine || !cached) return mine ?? cached;
    // A terminate request rewrites the phase of the very operation we last wrote: it wins.
    if (cached.phase === OperationPhase.Terminating && cached.startedAt === mine.startedAt)
      return cached;
    return (mine.startedAt ?? '') >= (cached.startedAt ?? '') ? mine : cached;
  }

  /**
   * The operation asked for, if any. The cached app may still show the operation this replica has
   * just finished, because our own "operation: null" is not in the cache yet; or a user may have
   * asked for the very same sync again (`gitward app sync` twice). Only the apiserver can tell
   * the two apart, so in that one case the app is read afresh, as Argo CD does before it starts.
   */
  async function requestedOperation(app: Application): Promise<Application['operation']> {
    const name = app.metadata.name;
    if (!app.operation) {
      finished.delete(name);
      return undefined;
    }
    if (JSON.stringify(app.operation) !== finished.get(name)) return app.operation;
    const fresh = (await readFresh(name))?.operation;
    if (!fresh) return undefined;
    finished.delete(name);
    return fresh;
  }

  /** As Argo CD: a sync a window forbids stays Running, saying why, until a window lets it through. */
  function heldByWindow(
    app: Application,
    started: OperationState,
    wasRunning: boolean,
  ): ActOutcome | undefined {
    const manual = !started.operation?.initiatedBy?.automated;
    const verdict = windowVerdict(app, manual, wasRunning ? started.startedAt : undefined);
    if (verdict.allowed) return undefined;
    const held = {
      ...started,
      message: `Sync operation blocked by sync window: ${verdict.message}`,
    };
    written.set(app.metadata.name, held);
    return { status: { operationState: held }, requeueAfterMs: 10_000 };
  }

  /** One pass of the running (or just requested) sync. */
  async function runOperation(
    app: Application,
    ctx: CompareContext,
    now: Date,
  ): Promise<ActOutcome> {
    const current = currentOperation(app);
    const started =
      current?.phase === OperationPhase.Running ? current : startOperation(app, now.toISOString());
    const wait = retryWait(started, now);
    if (wait > 0) return { status: { operationState: started }, requeueAfterMs: wait };
    const held = heldByWindow(app, started, current?.phase === OperationPhase.Running);
    if (held) return held;
    const target = await targetAt(app, started, ctx);
    if (!target) {
      return failOperation(
        app,
        {
          kind: 'failed',
          conditions: [
            {
              type: ApplicationConditionType.ComparisonError,
              message: `cannot render revision ${started.operation?.sync?.revision ?? ''}`,
            },
          ],
        },
        now,
      );
    }
    const pass = await syncPass(app, beginAttempt(started, now), syncInputs(target), {
      applier: target.cluster.applier,
      now: d.now,
      timeoutMs: d.syncTimeoutMs,
    });
    const retried = pass.finished ? retryAfterFailure(pass.state, now) : undefined;
    if (retried) {
      written.set(app.metadata.name, retried);
      return { status: { operationState: retried }, requeueAfterMs: retryWait(retried, now) };
    }
    written.set(app.metadata.name, pass.state);
    if (!pass.finished) return { status: { operationState: pass.state }, requeueAfterMs: 1000 };
    finished.set(app.metadata.name, JSON.stringify(app.operation ?? pass.state.operation ?? null));
    return {
      status: { operationState: pass.state, ...historyAfter(app, pass.state, now) },
      patchApp: { operation: null },
      requeueAfterMs: 500,
    };
  }

  /**
   * The target the operation syncs: the compared one, unless the operation names another revision
   * or, for a rollback, the history entry's own source (syncSourceToRender), which is rendered and
   * compared on its own.
   */
  async function targetAt(
    app: Application,
    state: OperationState,
    ctx: CompareContext,
  ): Promise<CompareContext | undefined> {
    const sync = (app.operation ?? state.operation)?.sync;
    if (sync?.manifests?.length) return localTarget(app, sync.manifests, ctx);
    const source = syncSourceToRender(app.spec.source, sync, ctx.revision);
    if (!source) return ctx;
    return (await reportSafely({ ...app, spec: { ...app.spec, source } }, false)).ctx;
  }

  /**
   * `argocd app sync --local`: the manifests the operation carries stand for the render (namespace
   * defaulted as a render's are), compared at the revision Git is at. Undefined (the operation
   * errs) when the project is gone or a manifest does not parse.
   */
  async function localTarget(
    app: Application,
    manifests: readonly string[],
    ctx: CompareContext,
  ): Promise<CompareContext | undefined> {
    const project = projectOf(app);
    if (!project) return undefined;
    let parsed: KubeObject[];
    try {
      parsed = manifests.flatMap((m, i) => parseManifests(m, `manifest ${i + 1}`).objects);
    } catch {
      return undefined;
    }
    const scope: ScopeLookup = (g, k) => ctx.index.lookup(g, k)?.namespaced;
    const { objects } = applyDefaultNamespace(parsed, app.spec.destination.namespace, scope);
    const cmp = await compare(app, project, objects, ctx.index, ctx.cluster);
    return { ...cmp, revision: ctx.revision };
  }

  /** A requested sync whose target cannot be rendered ends in Error with the comparison's reason. */
  function failOperation(app: Application, rep: ReconcileReport, now: Date): ActOutcome {
    const reason =
      rep.kind === 'failed' ? rep.conditions.map((c) => c.message).join('; ') : 'no target';
    const at = now.toISOString();
    const state = {
      ...startOperation(app, at),
      phase: OperationPhase.Error,
      message: reason,
      finishedAt: at,
    };
    return { status: { operationState: state }, patchApp: { operation: null } };
  }

  /**
   * A running sync re-reads its operation state from the apiserver before each pass, as Argo CD
   * does: a terminate request written since the cache was filled must not be overwritten by the
   * pass's own status write.
   */
  async function freshPhase(app: Application, state: OperationState): Promise<OperationState> {
    const fresh = (await readFresh(app.metadata.name))?.status?.operationState;
    return fresh?.phase === OperationPhase.Terminating && fresh.startedAt === state.startedAt
      ? fresh
      : state;
  }

  /** `gitward app terminate-op` (or DELETE .../operation) set phase Terminating: stop the sync. */
  async function terminate(
    app: Application,
    state: OperationState,
    ctx: CompareContext | undefined,
  ): Promise<ActOutcome> {
    const cluster = ctx?.cluster ?? (await d.destinations.resolve(app.spec.destination));
    // Without its cluster no hook can be deleted; the operation still ends, saying so.
    const ended = cluster
      ? await terminateOperation(state, ctx?.index ?? (await cluster.discovery()), {
          applier: cluster.applier,
          now: d.now,
        })
      : {
          ...state,
          phase: OperationPhase.Failed,
          message: 'Operation terminated (destination cluster not registered: hooks left running)',
          finishedAt: d.now().toISOString(),
        };
    written.set(app.metadata.name, ended);
    finished.set(app.metadata.name, JSON.stringify(app.operation ?? state.operation ?? null));
    return {
      status: { operationState: ended },
      ...(app.operation ? { patchApp: { operation: null } } : {}),
      requeueAfterMs: 500,
    };
  }

  function automate(
    app: Application,
    rep: Extract<ReconcileReport, { kind: 'compared' }>,
    ctx: CompareContext,
    now: Date,
  ): ActOutcome {
    const verdict = windowVerdict(app, false);
    if (!verdict.allowed) {
      if (app.status?.sync?.status === SyncStatusCode.OutOfSync)
        d.logger.info({ app: app.metadata.name, reason: verdict.message }, 'auto-sync skipped');
      return { status: {}, requeueAfterMs: 60_000 };
    }
    const decision = decideAutoSync(app, {
      syncStatus: rep.result.syncStatus,
      revision: rep.revision,
      desiredCount: ctx.desired.length,
      now: now.getTime(),
    });
    switch (decision.kind) {
      case 'sync':
        return { status: {}, patchApp: { operation: decision.operation }, requeueAfterMs: 0 };
      case 'later':
        return { status: {}, requeueAfterMs: decision.afterMs };
      case 'error':
        return {
          status: {
            conditions: [{ ...decision.condition, lastTransitionTime: now.toISOString() }],
          },
        };
      case 'skip':
        return { status: {} };
    }
  }

  /** The "act" half: run a requested or running sync one pass, or start an automated one. */
  async function act(
    app: Application,
    rep: ReconcileReport,
    ctx: CompareContext | undefined,
  ): Promise<ActOutcome> {
    const now = d.now();
    let current = currentOperation(app);
    if (current?.phase === OperationPhase.Running) current = await freshPhase(app, current);
    if (current?.phase === OperationPhase.Terminating) return terminate(app, current, ctx);
    const requested = await requestedOperation(app);
    const running = current?.phase === OperationPhase.Running;
    if (ctx && rep.kind === 'compared') {
      if (running)
        return { ...(await runOperation(app, ctx, now)), expectPhase: OperationPhase.Running };
      if (requested) return runOperation(app, ctx, now);
      const { operation: _stale, ...withoutStale } = app;
      void _stale;
      return automate(withoutStale, rep, ctx, now);
    }
    return requested ? failOperation(app, rep, now) : { status: {} };
  }

  return { reconcile };
}
export type Reconciler = ReturnType<typeof createReconciler>;
