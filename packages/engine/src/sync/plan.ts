import {
  formatResourceKey,
  resourceKeyOf,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import { deletePoliciesOf, syncRoleOf, syncWaveOf } from './hooks.ts';
import { kindRankOf, sortTasks } from './order.ts';
import { parseSyncOptions, syncOptionsAnnotation, type SyncOptions } from './sync-options.ts';
import { SyncPhase, TaskAction, type SyncTask } from './types.ts';

/** A resource named for a selective sync (`operation.sync.resources[]`). */
export interface SelectedResource {
  readonly group?: string;
  readonly kind: string;
  readonly name: string;
  /** Absent or empty: any namespace. */
  readonly namespace?: string;
}

/** Everything planning a sync needs; all of it already fetched. */
export interface PlanInput {
  /** Rendered at the operation's revision, namespace defaulted, tracking annotation set. */
  readonly desired: readonly KubeObject[];
  /** Live objects by formatResourceKey(resourceKeyOf(obj)). */
  readonly live: ReadonlyMap<string, KubeObject>;
  /** Formatted keys the comparison found OutOfSync (for ApplyOutOfSyncOnly). */
  readonly outOfSync: ReadonlySet<string>;
  /** Tracked live objects no longer desired: the prune candidates. */
  readonly extraneous: readonly KubeObject[];
  /**
   * `spec.syncPolicy.syncOptions` then `operation.sync.syncOptions` (later wins); a sync
   * strategy's `force: true` is passed as `Force=true`.
   */
  readonly syncOptions: readonly string[];
  /** `operation.sync.prune`: without it prune tasks are PruneSkipped. */
  readonly prune: boolean;
  /** `apply` runs no hooks. */
  readonly strategy: 'hook' | 'apply';
  /** Selective sync: only these resources, and no hooks (as Argo CD). */
  readonly resources?: readonly SelectedResource[];
  readonly revision: string;
  /** The operation's start, in Unix seconds, for generated hook names. */
  readonly startedAtUnix: number;
}

/** The planned tasks, in execution order, and the objects that could not be planned. */
export interface SyncPlan {
  readonly tasks: SyncTask[];
  readonly errors: string[];
}

type Draft = Omit<SyncTask, 'id'>;

function selects(selected: readonly SelectedResource[], key: ResourceKey): boolean {
  return selected.some(
    (r) =>
      r.kind === key.kind &&
      (r.group ?? '') === key.group &&
      r.name === key.name &&
      (!r.namespace || r.namespace === key.namespace),
  );
}

function optionsOf(obj: KubeObject, input: PlanInput): SyncOptions {
  return parseSyncOptions(input.syncOptions, obj.metadata.annotations?.[syncOptionsAnnotation]);
}

function resourceDraft(obj: KubeObject, input: PlanInput): Draft {
  const key = resourceKeyOf(obj);
  const id = formatResourceKey(key);
  const options = optionsOf(obj, input);
  const inSync = options.applyOutOfSyncOnly && input.live.has(id) && !input.outOfSync.has(id);
  return {
    phase: SyncPhase.Sync,
    wave: syncWaveOf(obj),
    kindRank: kindRankOf(obj.kind),
    key,
    action: TaskAction.Apply,
    target: obj,
    options,
    ...(inSync ? { inSync: true } : {}),
  };
}

/** gitops-engine's hook name: generateName + lower(`<rev[0:7]>-<phase>-<unix start>`). */
export function hookName(
  obj: KubeObject,
  phase: SyncPhase,
  revision: string,
  startedAtUnix: number,
): string | undefined {
  if (obj.metadata.name) return obj.metadata.name;
  if (!obj.metadata.generateName) return undefined;
  // gitops-engine shortens only revisions of 8 or more characters.
  const rev = revision.length >= 8 ? revision.slice(0, 7) : revision;
  return `${obj.metadata.generateName}${`${rev}-${phase}-${startedAtUnix}`.toLowerCase()}`;
}

function hookDrafts(
  obj: KubeObject,
  phases: readonly SyncPhase[],
  input: PlanInput,
  errors: string[],
): Draft[] {
  return phases.flatMap((phase): Draft[] => {
    const name = hookName(obj, phase, input.revision, input.startedAtUnix);
    if (name === undefined) {
      errors.push(`${obj.kind} hook has neither metadata.name nor metadata.generateName`);
      return [];
    }
    const target: KubeObject = { ...obj, metadata: { ...obj.metadata, name } };
    return [
      {
        phase,
        wave: syncWaveOf(obj),
        kindRank: kindRankOf(obj.kind),
        key: resourceKeyOf(target),
        action: TaskAction.Apply,
        target,
        hook: { type: phase, deletePolicies: deletePoliciesOf(obj) },
        options: optionsOf(obj, input),
      },
    ];
  });
}

function desiredDrafts(input: PlanInput, errors: string[]): Draft[] {
  const selective = (input.resources?.length ?? 0) > 0;
  const skipHooks = input.strategy === 'apply' || selective;
  return input.desired.flatMap((obj): Draft[] => {
    const role = syncRoleOf(obj);
    if (role.kind === 'ignored' || (role.kind === 'hook' && skipHooks)) return [];
    if (selective && !selects(input.resources ?? [], resourceKeyOf(obj))) return [];
    return role.kind === 'hook'
      ? hookDrafts(obj, role.phases, input, errors)
      : [resourceDraft(obj, input)];
  });
}

function pruneDraft(obj: KubeObject, input: PlanInput): Draft {
  const options = optionsOf(obj, input);
  const skip = !input.prune
    ? 'ignored (requires pruning)'
    : options.prune === 'false'
      ? 'ignored (no prune)'
      : undefined;
  return {
    phase: SyncPhase.Sync,
    wave: syncWaveOf(obj),
    kindRank: kindRankOf(obj.kind),
    key: resourceKeyOf(obj),
    action: TaskAction.Prune,
    options,
    ...(skip ? { skip: 'PruneSkipped', message: skip } : {}),
  };
}

function pruneDrafts(input: PlanInput): Draft[] {
  const desired = new Set(input.desired.map((o) => formatResourceKey(resourceKeyOf(o))));
  const selected = input.resources ?? [];
  return (
    input.extraneous
      .filter((obj) => !desired.has(formatResourceKey(resourceKeyOf(obj))))
      .filter((obj) => selected.length === 0 || selects(selected, resourceKeyOf(obj)))
      // A live hook or Skip object is no managed resource: gitops-engine never prunes it.
      .filter((obj) => syncRoleOf(obj).kind === 'resource')
      .map((obj) => pruneDraft(obj, input))
  );
}

/** Prunes undo creation: the distinct prune waves are mirrored, the highest pruned first. */
function mirrorPruneWaves(drafts: readonly Draft[]): Draft[] {
  const waves = [
    ...new Set(drafts.filter((d) => d.action === TaskAction.Prune).map((d) => d.wave)),
  ].sort((a, b) => a - b);
  const mirrored = new Map(waves.map((w, i) => [w, waves[waves.length - 1 - i] ?? w]));
  return drafts.map((d) =>
    d.action === TaskAction.Prune ? { ...d, wave: mirrored.get(d.wave) ?? d.wave } : d,
  );
}

/** PruneLast prunes after everything else: wave = the last Sync wave (at least 0) + 1. */
function pruneLast(drafts: readonly Draft[]): Draft[] {
  const lastSyncWave = Math.max(
    0,
    ...drafts.filter((d) => d.phase === SyncPhase.Sync).map((d) => d.wave),
  );
  return drafts.map((d) =>
    d.action === TaskAction.Prune && d.options.pruneLast ? { ...d, wave: lastSyncWave + 1 } : d,
  );
}

const taskId = (d: Draft): string =>
  `${d.phase}/${d.wave}/${d.key.group}/${d.key.kind}/${d.key.namespace}/${d.key.name}`;

/**
 * Plans a sync as gitops-engine does: one Sync-phase task per desired resource, one task per hook
 * per declared phase (named from generateName when nameless), one prune task per extraneous
 * object (PruneSkipped when prune is not requested or the object says `Prune=false`), prune waves
 * mirrored and PruneLast after the last Sync wave, sorted by phase → wave → kind → name with the
 * Namespace and CRD fix-ups. Hooks are left out with the apply strategy and in a selective sync.
 * Deterministic, so ids stay stable across passes and restarts. A repeated object is planned once
 * (the last wins, as the comparison's RepeatedResourceWarning says).
 */
export function planSync(input: PlanInput): SyncPlan {
  const errors: string[] = [];
  const drafts = pruneLast(
    mirrorPruneWaves([...desiredDrafts(input, errors), ...pruneDrafts(input)]),
  );
  const byId = new Map<string, SyncTask>();
  for (const draft of sortTasks(drafts)) byId.set(taskId(draft), { id: taskId(draft), ...draft });
  return { tasks: [...byId.values()], errors };
}
