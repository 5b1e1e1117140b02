/**
 * A dry-run sync (`operation.sync.dryRun`), as gitops-engine runs one: every task is tried once,
 * in the first pass, and nothing is written. Applies (hooks included) are dry-run on the server,
 * prunes are not even asked for; each task's result says what the real sync would have done,
 * kubectl-style with " (dry run)" appended, and is final at once (hookPhase Succeeded), so the
 * operation ends in that same pass: no hook runs, no wave waits, nothing is pruned.
 */
import { TaskAction, type SyncTask } from './types.ts';

/** What the server's dry run of an apply said; absent when the task was not dry-run. */
export type DryRunOutcome = { readonly ok: boolean; readonly message: string } | undefined;

/** The result a dry-run sync records for one task. */
export interface DryRunResult {
  readonly status: 'Synced' | 'SyncFailed' | 'Pruned' | 'PruneSkipped';
  readonly message: string;
  readonly hookPhase: 'Succeeded' | 'Failed';
}

/** What the comparison knows of the task's object. */
export interface DryRunContext {
  /** The object is live now. */
  readonly live: boolean;
  /** The comparison found it OutOfSync. */
  readonly outOfSync: boolean;
  /** Why the server could not check it, when it was not dry-run. */
  readonly unchecked?: string;
}

const objectName = (t: SyncTask) => `${t.key.kind.toLowerCase()}/${t.key.name}`;

/**
 * kubectl's verb for an apply that was only tried: created (not live), unchanged (live and in
 * sync), configured. A server dry run cannot tell unchanged from configured by resourceVersion
 * (nothing is written either way), so the comparison decides.
 */
function verbOf(ctx: DryRunContext): string {
  if (!ctx.live) return 'created';
  return ctx.outOfSync ? 'configured' : 'unchanged';
}

/**
 * The result of one task in a dry-run sync. Prunes: PruneSkipped with the planner's reason, else
 * "pruned (dry run)"; applies: SyncFailed with the server's refusal, else "<kind>/<name>
 * created|configured|unchanged (dry run)". A task the server could not check (its type is not
 * served yet and its CRD comes with the sync, or its namespace does not exist yet) says why.
 */
export function dryRunResult(
  task: SyncTask,
  outcome: DryRunOutcome,
  ctx: DryRunContext,
): DryRunResult {
  if (task.action === TaskAction.Prune) {
    return task.skip
      ? {
          status: 'PruneSkipped',
          message: task.message ?? 'ignored (requires pruning)',
          hookPhase: 'Succeeded',
        }
      : { status: 'Pruned', message: 'pruned (dry run)', hookPhase: 'Succeeded' };
  }
  if (outcome && !outcome.ok)
    return { status: 'SyncFailed', message: outcome.message, hookPhase: 'Failed' };
  const unchecked = outcome ? '' : `, not validated: ${ctx.unchecked ?? 'not dry-run'}`;
  return {
    status: 'Synced',
    message: `${objectName(task)} ${verbOf(ctx)} (dry run${unchecked})`,
    hookPhase: 'Succeeded',
  };
}
