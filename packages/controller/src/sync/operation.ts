/**
 * One pass of a sync operation, gitops-engine's sync context on top of the engine's planner: plan,
 * the first pass's checks (FailOnSharedResource, namespace, dry run), the next step, and what it
 * wrote, recorded in `status.operationState` so that any pass can resume. Also terminates one.
 */
import {
  applyBatches,
  assessHealth,
  crdGroupKinds,
  dryRunResult,
  namespacesCreatedBy,
  nextSyncStep,
  parseSyncOptions,
  planSync,
  respectIgnoreDifferences,
  sharedResourceMessages,
  skipsDryRun,
  taskStatusFromHealth,
  type HealthOverrides,
  type IgnoreDifference,
  type SyncStep,
  type SyncTask,
  type TaskState,
  type TaskStatus,
} from '@gitward/engine';
import type { ApiResourceIndex } from '@gitward/infra';
import {
  formatResourceKey,
  HealthStatusCode,
  resourceKeyOf,
  OperationPhase,
  type Application,
  type ApplicationStatus,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import type { ActResult, Applier, ApplyOptions } from './applier.ts';
import { deletionApproved } from './deletion.ts';
import { mapLimited } from './map-limited.ts';

type OperationState = NonNullable<ApplicationStatus['operationState']>;
type ResultItem = NonNullable<NonNullable<OperationState['syncResult']>['resources']>[number];

/** What a sync pass needs from the reconcile that runs it. */
export interface SyncInputs {
  readonly desired: readonly KubeObject[];
  /** The live object of a key: the compared objects, then anything the cluster cache holds. */
  readonly live: (key: ResourceKey) => KubeObject | undefined;
  readonly outOfSync: ReadonlySet<string>;
  readonly extraneous: readonly KubeObject[];
  readonly revision: string;
  readonly index: ApiResourceIndex;
  /** Messages for desired objects the project does not permit: such a sync never starts. */
  readonly forbidden?: readonly string[];
  /** Health checks the settings configure: a wave waits for a child app's health with them. */
  readonly healthOverrides?: HealthOverrides;
  /**
   * The ignoreDifferences rules the compare used (the app's and the system-wide ones), which
   * RespectIgnoreDifferences keeps live values for. Absent: the app's own.
   */
  readonly ignoreDifferences?: readonly IgnoreDifference[];
  /** The instance label of label tracking (settings' `application.instanceLabelKey`). */
  readonly instanceLabelKey?: string;
  /**
   * Of these keys, those this controller wrote that the live view does not show yet (the write
   * fence, control/write-fence.ts): while any is unseen the pass decides nothing.
   */
  readonly unseen?: (keys: readonly ResourceKey[]) => readonly ResourceKey[];
}

export interface OperationDeps {
  readonly applier: Applier;
  readonly now: () => Date;
  /** A sync running longer than this fails with what it was waiting for. */
  readonly timeoutMs: number;
}

/** The result of one pass: the new operation state, and what else to write. */
export interface PassResult {
  readonly state: OperationState;
  /** The operation finished: clear `operation`, maybe append history. */
  readonly finished: boolean;
  /** Objects the sync wrote are not in the live view yet: nothing was decided, come back. */
  readonly waiting?: readonly ResourceKey[];
}

const resultKey = (
  phase: string | undefined,
  group: string | undefined,
  kind: string | undefined,
  ns: string | undefined,
  name: string | undefined,
) => `${phase ?? ''}|${group ?? ''}/${kind ?? ''}/${ns ?? ''}/${name ?? ''}`;
const taskResultKey = (t: SyncTask) =>
  resultKey(t.phase, t.key.group, t.key.kind, t.key.namespace, t.key.name);

/**
 * A task's state from the results recorded so far and the live object's health. As Argo CD, every
 * applied task (hook or not) carries a hookPhase in its result; once Succeeded or Failed it is
 * final, so a finished wave never goes back to waiting.
 */
function stateOf(
  task: SyncTask,
  result: ResultItem | undefined,
  live: KubeObject | undefined,
  overrides: HealthOverrides | undefined,
): TaskStatus {
  if (!result) return 'Pending';
  if (task.action === 'prune') return result.status === 'PruneSkipped' ? 'PruneSkipped' : 'Pruned';
  // Refused by the apiserver: gitops-engine's "one or more objects failed to apply".
  if (result.status === 'SyncFailed') return 'SyncFailed';
  if (result.hookPhase === 'Failed') return 'Failed';
  if (result.hookPhase === 'Succeeded') return 'Succeeded';
  // A vanished object is Missing: a hook that disappears fails, a resource keeps waiting.
  return taskStatusFromHealth(task, healthOf(live, overrides));
}

function toResult(task: SyncTask, status: string, message: string, hookPhase?: string): ResultItem {
  const version = task.target ? task.target.apiVersion.split('/').at(-1) : undefined;
  return {
    group: task.key.group,
    ...(version ? { version } : {}),
    kind: task.key.kind,
    namespace: task.key.namespace,
    name: task.key.name,
    status,
    message,
    syncPhase: task.phase,
    ...(task.hook ? { hookType: task.hook.type } : {}),
    ...(hookPhase ? { hookPhase } : {}),
  };
}

/** Starts an operation: the state Argo CD shows while a sync runs. */
export function startOperation(app: Application, now: string): OperationState {
  return {
    ...(app.operation ? { operation: app.operation } : {}),
    phase: OperationPhase.Running,
    message: 'starting',
    startedAt: now,
    syncResult: { resources: [] },
  };
}

type SyncOperation = NonNullable<NonNullable<Application['operation']>['sync']>;

function selectedResources(op: SyncOperation) {
  return (op.resources ?? []).map((r) => ({
    kind: r.kind,
    name: r.name,
    group: r.group ?? '',
    namespace: r.namespace ?? '',
  }));
}

/**
 * The app's options, then the operation's (later wins); `argocd app sync --force` sends the
 * strategy's force, which the planner reads as Force=true.
 */
function operationSyncOptions(app: Application, op: SyncOperation): string[] {
  const force = op.syncStrategy?.apply?.force === true || op.syncStrategy?.hook?.force === true;
  return [
    ...(app.spec.syncPolicy?.syncOptions ?? []),
    ...(op.syncOptions ?? []),
    ...(force ? ['Force=true'] : []),
  ];
}

/** The operation's tasks; deterministic for a given operation, so every pass plans the same. */
function plan(app: Application, state: OperationState, inputs: SyncInputs, deps: OperationDeps) {
  const op = app.operation?.sync ?? state.operation?.sync ?? {};
  const startedAtUnix = Math.floor(Date.parse(state.startedAt ?? deps.now().toISOString()) / 1000);
  const resources = selectedResources(op);
  return planSync({
    desired: inputs.desired,
    live: liveMap(inputs),
    outOfSync: inputs.outOfSync,
    extraneous: inputs.extraneous,
    syncOptions: operationSyncOptions(app, op),
    prune: op.prune ?? false,
    strategy: op.syncStrategy?.apply ? 'apply' : 'hook',
    ...(resources.length ? { resources } : {}),
    revision: inputs.revision,
    startedAtUnix,
  });
}

/** The tasks' objects the sync wrote that the live view does not show yet (the write fence). */
const unseenOf = (inputs: SyncInputs, tasks: readonly SyncTask[]) =>
  inputs.unseen ? inputs.unseen(tasks.map((t) => t.key)) : [];

const pastTimeout = (state: OperationState, deps: OperationDeps) =>
  deps.now().getTime() - Date.parse(state.startedAt ?? '') > deps.timeoutMs;

/**
 * One pass of a running sync, as gitops-engine's sync context does it: plan the tasks at the
 * operation's revision, read their states from the recorded results and live health, take the
 * next step, and record what happened. Everything it needs to resume lives in the state it returns.
 */
export async function syncPass(
  app: Application,
  state: OperationState,
  inputs: SyncInputs,
  deps: OperationDeps,
): Promise<PassResult> {
  const dryRun = Boolean((app.operation?.sync ?? state.operation?.sync)?.dryRun);
  const { tasks, errors } = plan(app, state, inputs, deps);
  const results = [...(state.syncResult?.resources ?? [])];
  const finish = (phase: OperationPhase, message: string): PassResult => ({
    state: {
      ...state,
      phase,
      message,
      finishedAt: deps.now().toISOString(),
      syncResult: { ...state.syncResult, resources: results, revision: inputs.revision },
    },
    finished: true,
  });
  if (errors.length) return finish(OperationPhase.Error, errors.join('; '));
  const waiting = unseenOf(inputs, tasks);
  if (waiting.length) return { state, finished: false, waiting };
  const states = taskStates(tasks, inputs, results);
  const ex: Exec = { inputs, deps, results, dryRun, targetOf: targetFor(app, inputs) };
  const ended = results.length === 0 ? await begin(app, tasks, ex) : undefined;
  if (ended) return finish(ended.phase, ended.message);
  const liveOf = (t: SyncTask) => inputs.live(t.key);
  const step = nextSyncStep(
    tasks,
    states,
    (t) => healthOf(liveOf(t), inputs.healthOverrides),
    liveOf,
    {
      pruneConfirmed: deletionApproved(app, state.startedAt),
    },
  );
  if (step.kind === 'finish')
    return finish(
      step.phase === 'Succeeded' ? OperationPhase.Succeeded : OperationPhase.Failed,
      step.message,
    );
  if (step.kind === 'wait' && pastTimeout(state, deps)) {
    return finish(
      OperationPhase.Failed,
      `sync timed out after ${Math.round(deps.timeoutMs / 1000)}s: ${step.message}`,
    );
  }
  const message = await execute(step, ex);
  return {
    state: {
      ...state,
      phase: OperationPhase.Running,
      message,
      syncResult: { ...state.syncResult, resources: results, revision: inputs.revision },
    },
    finished: false,
  };
}

/**
 * Ends a sync the user asked to stop (phase Terminating), as gitops-engine's Terminate: every hook
 * still running is deleted and marked Failed "Terminated"; the operation fails, or errs when a
 * hook could not be deleted. Hooks are addressed from the recorded results, so this works even
 * when the target can no longer be rendered.
 */
export async function terminateOperation(
  state: OperationState,
  index: ApiResourceIndex,
  deps: Pick<OperationDeps, 'applier' | 'now'>,
): Promise<OperationState> {
  const results = [...(state.syncResult?.resources ?? [])];
  const problems: string[] = [];
  for (const [i, r] of results.entries()) {
    if (!r.hookType || r.hookPhase !== 'Running' || !r.kind || !r.name) continue;
    const apiVersion = r.group ? `${r.group}/${r.version ?? ''}` : (r.version ?? 'v1');
    const hook: KubeObject = {
      apiVersion,
      kind: r.kind,
      metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) },
    };
    const out = await deps.applier.remove(hook, index, 'background', false);
    if (!out.ok) problems.push(`${r.kind}/${r.name}: ${out.message}`);
    results[i] = { ...r, hookPhase: 'Failed', message: 'Terminated' };
  }
  return {
    ...state,
    phase: problems.length ? OperationPhase.Error : OperationPhase.Failed,
    message: problems.length
      ? `Operation termination had errors: ${problems.join('; ')}`
      : 'Operation terminated',
    finishedAt: deps.now().toISOString(),
    syncResult: { ...state.syncResult, resources: results },
  };
}

/** A vanished object is Missing: a hook that disappears fails, a resource keeps waiting. */
function healthOf(live: KubeObject | undefined, overrides: HealthOverrides | undefined) {
  return live ? assessHealth(live, overrides) : { status: HealthStatusCode.Missing };
}

/**
 * Why a running task failed, from its live object: its health's message ("BackoffLimitExceeded:
 * Job has reached the specified backoff limit", "Failed: container main terminated: Error (exit
 * code 1)"), which the result and the operation's message then show.
 */
function failureReason(
  task: SyncTask,
  live: KubeObject | undefined,
  overrides: HealthOverrides | undefined,
): string {
  if (!live) return `${task.hook ? 'hook' : 'resource'} is missing (deleted before it completed)`;
  const why = assessHealth(live, overrides)?.message;
  return why !== undefined && why !== '' ? why : task.hook ? 'hook failed' : 'unhealthy';
}

const isFailure = (s: TaskStatus) => s === 'Failed' || s === 'SyncFailed';

/**
 * Every task's state from the recorded results and live health. A running task's outcome is
 * written down as soon as it is known, with why it failed: a HookSucceeded hook is deleted
 * afterwards, and a restarted controller must still know it ran and which waves are done.
 */
function taskStates(
  tasks: readonly SyncTask[],
  inputs: SyncInputs,
  results: ResultItem[],
): Map<string, TaskState> {
  const byKey = new Map(
    results.map((r) => [resultKey(r.syncPhase, r.group, r.kind, r.namespace, r.name), r]),
  );
  const states = new Map<string, TaskState>();
  for (const t of tasks) {
    const recorded = byKey.get(taskResultKey(t));
    const live = inputs.live(t.key);
    const status = stateOf(t, recorded, live, inputs.healthOverrides);
    let result = recorded;
    if (recorded?.hookPhase === 'Running' && (status === 'Succeeded' || status === 'Failed')) {
      const message =
        status === 'Succeeded'
          ? (recorded.message ?? '')
          : failureReason(t, live, inputs.healthOverrides);
      result = { ...recorded, hookPhase: status, message };
      record(results, result);
    }
    const message = isFailure(status) ? result?.message : undefined;
    states.set(t.id, { id: t.id, status, ...(message ? { message } : {}) });
  }
  return states;
}

function liveMap(inputs: SyncInputs): Map<string, KubeObject> {
  const m = new Map<string, KubeObject>();
  for (const o of [...inputs.desired, ...inputs.extraneous]) {
    const key = resourceKeyOf(o);
    const l = inputs.live(key);
    if (l) m.set(formatResourceKey(key), l);
  }
  return m;
}

/** The options an operation runs with: the app's, then the operation's (later wins). */
function appSyncOptions(app: Application): string[] {
  return [...(app.spec.syncPolicy?.syncOptions ?? []), ...(app.operation?.sync?.syncOptions ?? [])];
}

/**
 * The first pass, in Argo CD's order: FailOnSharedResource refuses to take over objects another
 * app tracks, then the namespace if asked for, then a dry run of everything. (Later passes would
 * see the objects this sync already took over, possibly through a cache that still shows the old
 * owner, so the check is made once, before anything is written.)
 */
async function prepare(
  app: Application,
  tasks: readonly SyncTask[],
  ex: Exec,
): Promise<{
  readonly failure?: string;
  readonly dryRuns?: DryRuns;
  readonly newNamespaces?: ReadonlySet<string>;
}> {
  // As Argo CD: a resource the project forbids makes the whole sync invalid, before any apply.
  const forbidden = ex.inputs.forbidden ?? [];
  if (forbidden.length)
    return { failure: `one or more synchronization tasks are not valid: ${forbidden.join('; ')}` };
  if (parseSyncOptions(appSyncOptions(app)).failOnSharedResource) {
    const shared = sharedResourceMessages(
      ex.inputs.desired,
      (o) => ex.inputs.live(resourceKeyOf(o)),
      ex.inputs.instanceLabelKey,
    );
    if (shared.length) return { failure: `Shared resource found: ${shared.join('; ')}` };
  }
  const nsError = await ensureNamespace(app, ex.inputs, ex.deps, ex.dryRun);
  if (nsError) return { failure: nsError };
  const created = await newNamespaces(app, ex);
  const dryRuns = await dryRunAll(tasks, ex, created);
  const refused = recordRefusals(tasks, dryRuns, ex.results);
  return refused.length > 0
    ? { failure: `one or more objects failed to apply (dry run), reason: ${refused.join(',')}` }
    : { dryRuns, newNamespaces: created };
}

const namespaceObject = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
});

/**
 * The namespaces this sync creates and that do not exist yet: its own Namespace objects, and in a
 * dry-run operation the CreateNamespace=true destination it only tried to create. The apiserver
 * refuses a dry run in them, so their objects are not dry-run (the engine's namespacesCreatedBy);
 * the few candidates the cache does not know are asked for.
 */
async function newNamespaces(app: Application, ex: Exec): Promise<ReadonlySet<string>> {
  const dest = app.spec.destination.namespace;
  const tried =
    ex.dryRun && dest && parseSyncOptions(appSyncOptions(app)).createNamespace ? [dest] : [];
  const candidates = namespacesCreatedBy(
    ex.inputs.desired,
    (name) => ex.inputs.live(resourceKeyOf(namespaceObject(name))) !== undefined,
    tried,
  );
  const missing = await Promise.all(
    [...candidates].map(async (name) =>
      (await ex.deps.applier.exists(namespaceObject(name), ex.inputs.index)) ? [] : [name],
    ),
  );
  return new Set(missing.flat());
}

/**
 * The first pass: its checks fail the operation, or a dry-run operation ends right there with
 * what it would do (as gitops-engine: the first pass's dry runs are the whole operation, and
 * nothing is written). Undefined: the sync goes on.
 */
async function begin(
  app: Application,
  tasks: readonly SyncTask[],
  ex: Exec,
): Promise<{ readonly phase: OperationPhase; readonly message: string } | undefined> {
  const prepared = await prepare(app, tasks, ex);
  if (prepared.failure) return { phase: OperationPhase.Failed, message: prepared.failure };
  if (!ex.dryRun) return undefined;
  recordDryRun(tasks, prepared, ex);
  return { phase: OperationPhase.Succeeded, message: 'successfully synced (no more tasks)' };
}

/** The server's dry-run outcome of each apply task that was dry-run, by task id. */
type DryRuns = ReadonlyMap<string, ActResult>;

/**
 * A dry-run operation's results: every task the sync would consider, with what it would do
 * (the engine's dryRunResult), all final at once.
 */
function recordDryRun(
  tasks: readonly SyncTask[],
  prepared: { readonly dryRuns?: DryRuns; readonly newNamespaces?: ReadonlySet<string> },
  ex: Exec,
): void {
  for (const t of tasks) {
    if (t.inSync) continue;
    const id = formatResourceKey(t.key);
    const r = dryRunResult(t, prepared.dryRuns?.get(t.id), {
      live: ex.inputs.live(t.key) !== undefined,
      outOfSync: ex.inputs.outOfSync.has(id),
      unchecked: prepared.newNamespaces?.has(t.key.namespace)
        ? `namespace ${t.key.namespace} does not exist yet`
        : 'its type is not served yet',
    });
    record(ex.results, toResult(t, r.status, r.message, r.hookPhase));
  }
}

/** CreateNamespace=true: the destination namespace (with managedNamespaceMetadata) comes first. */
async function ensureNamespace(
  app: Application,
  inputs: SyncInputs,
  deps: OperationDeps,
  dryRun: boolean,
): Promise<string | undefined> {
  const { syncPolicy, destination } = app.spec;
  const ns = destination.namespace;
  if (!ns || !parseSyncOptions(appSyncOptions(app)).createNamespace) return undefined;
  const meta = syncPolicy?.managedNamespaceMetadata ?? {};
  const obj: KubeObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: ns,
      ...(meta.labels ? { labels: meta.labels } : {}),
      ...(meta.annotations ? { annotations: meta.annotations } : {}),
    },
  };
  const out = await deps.applier.apply(
    obj,
    inputs.live({ group: '', kind: 'Namespace', namespace: '', name: ns }),
    inputs.index,
    {
      dryRun,
      replace: false,
      force: false,
      validate: true,
    },
  );
  return out.ok ? undefined : `creating namespace ${ns}: ${out.message}`;
}

/**
 * Server dry runs of every apply task. A task whose type the server does not know yet is skipped
 * when its CRD is part of this sync or it says SkipDryRunOnMissingResource (gitops-engine's rule),
 * and so is one in a namespace the sync creates; otherwise its failure fails the sync.
 */
async function dryRunAll(
  tasks: readonly SyncTask[],
  ex: Exec,
  newNamespaces: ReadonlySet<string>,
): Promise<DryRuns> {
  const crds = crdGroupKinds(ex.inputs.desired);
  const checked = tasks
    .filter(hasTarget)
    .filter(
      (t) =>
        t.action === 'apply' &&
        !newNamespaces.has(t.key.namespace) &&
        !skipsDryRun(t, crds, ex.inputs.index.lookup(t.key.group, t.key.kind) !== undefined),
    );
  // Dry runs change nothing, so their order does not matter: they go concurrently, and the first
  // failure in task order is the one reported.
  const outs: ActResult[] = await mapLimited(checked, requestConcurrency, (t) =>
    ex.deps.applier.apply(
      ex.targetOf(t, t.target),
      ex.inputs.live(t.key),
      ex.inputs.index,
      // The task's own options: a dry run of Replace is a PUT, and Force may get past a refusal.
      { ...applyOptions(t), dryRun: true },
    ),
  );
  return new Map(checked.flatMap((t, i) => (outs[i] ? [[t.id, outs[i]] as const] : [])));
}

/**
 * Each task the server refused in its dry run gets a SyncFailed result with the apiserver's
 * message (e.g. a 422's "Service \"web\" is invalid: ..."); the messages, in task order.
 */
function recordRefusals(
  tasks: readonly SyncTask[],
  dryRuns: DryRuns,
  results: ResultItem[],
): string[] {
  const failures: string[] = [];
  for (const t of tasks) {
    const out = dryRuns.get(t.id);
    if (!out || out.ok) continue;
    record(results, toResult(t, 'SyncFailed', out.message, 'Failed'));
    failures.push(out.message);
  }
  return failures;
}

/**
 * Requests in flight at once. Tasks of one kind rank within a wave do not depend on each other
 * (gitops-engine applies a wave's tasks concurrently too); ranks still go one after another
 * (the engine's applyBatches), so Namespaces and CRDs exist before what needs them.
 */
const requestConcurrency = 8;

type TargetTask = SyncTask & { readonly target: KubeObject };
const hasTarget = (t: SyncTask): t is TargetTask => t.target !== undefined;

const itemKey = (r: ResultItem) => resultKey(r.syncPhase, r.group, r.kind, r.namespace, r.name);
// Where each result sits in a pass's list (only record() changes the list), so recording a
// thousand results is not a thousand scans of it.
const positions = new WeakMap<ResultItem[], Map<string, number>>();

function record(results: ResultItem[], item: ResultItem): void {
  let at = positions.get(results);
  if (at === undefined) {
    at = new Map(results.map((r, i) => [itemKey(r), i]));
    positions.set(results, at);
  }
  const key = itemKey(item);
  const i = at.get(key);
  if (i === undefined) {
    at.set(key, results.length);
    results.push(item);
  } else results[i] = item;
}

/** What executing a step needs. */
interface Exec {
  readonly inputs: SyncInputs;
  readonly deps: OperationDeps;
  readonly results: ResultItem[];
  readonly dryRun: boolean;
  /** What to send for a task's target (RespectIgnoreDifferences applied). */
  readonly targetOf: (task: SyncTask, target: KubeObject) => KubeObject;
}

/**
 * RespectIgnoreDifferences=true: the fields the compare's ignoreDifferences rules name keep their
 * live values; otherwise the target goes as rendered.
 */
function targetFor(app: Application, inputs: SyncInputs): Exec['targetOf'] {
  const rules = inputs.ignoreDifferences ?? app.spec.ignoreDifferences ?? [];
  return (t, target) =>
    t.options.respectIgnoreDifferences && rules.length
      ? respectIgnoreDifferences(target, inputs.live(t.key), rules)
      : target;
}

function applyOptions(t: SyncTask): ApplyOptions {
  const { replace, force, validate, serverSideApply } = t.options;
  return { dryRun: false, replace, force, validate, serverSideApply };
}

async function execute(step: Exclude<SyncStep, { kind: 'finish' }>, ex: Exec): Promise<string> {
  switch (step.kind) {
    case 'wait':
      return step.message;
    case 'apply':
      await applyTasks(step.tasks, ex);
      return `applied ${step.tasks.length} object(s)`;
    case 'prune':
      await pruneTasks(step.tasks, ex);
      return `pruned ${step.tasks.length} object(s)`;
    case 'delete-hooks':
      for (const t of step.tasks) {
        const live = ex.inputs.live(t.key);
        if (live) await ex.deps.applier.remove(live, ex.inputs.index, 'background', ex.dryRun);
      }
      return `deleting hooks (${step.reason})`;
  }
}

async function applyTasks(tasks: readonly SyncTask[], ex: Exec): Promise<void> {
  for (const group of applyBatches(tasks.filter(hasTarget))) {
    const outs = await mapLimited(group, requestConcurrency, (t) =>
      ex.deps.applier.apply(ex.targetOf(t, t.target), ex.inputs.live(t.key), ex.inputs.index, {
        ...applyOptions(t),
        dryRun: ex.dryRun,
      }),
    );
    for (const [i, t] of group.entries()) {
      const out = outs[i];
      if (!out) continue;
      const phase = out.ok ? 'Running' : 'Failed';
      record(ex.results, toResult(t, out.ok ? 'Synced' : 'SyncFailed', out.message, phase));
    }
  }
}

async function pruneTasks(tasks: readonly SyncTask[], ex: Exec): Promise<void> {
  for (const t of tasks) {
    if (t.skip === 'PruneSkipped') {
      record(ex.results, toResult(t, 'PruneSkipped', t.message ?? 'ignored (requires pruning)'));
      continue;
    }
    const live = ex.inputs.live(t.key);
    const out = live
      ? await ex.deps.applier.remove(
          live,
          ex.inputs.index,
          t.options.prunePropagationPolicy,
          ex.dryRun,
        )
      : { ok: true, message: 'pruned' };
    record(ex.results, toResult(t, out.ok ? 'Pruned' : 'SyncFailed', out.message));
  }
}
