/**
 * Deleting an Application: runs one pass of the engine's nextDeletionStep (PreDelete hooks, the
 * cascade, PostDelete hooks, finalizer removal) against the cluster, and the deletion-approved
 * check Prune=confirm and Delete=confirm wait for.
 */
import {
  cascadeFinalizers,
  isOurFinalizer,
  mayHaveHooks,
  nextDeletionStep,
  type DeletionStep,
} from '@gitward/engine';
import type { ApiResourceIndex } from '@gitward/infra';
import type { Application, KubeObject, ResourceKey } from '@gitward/model';
import type { Applier } from './applier.ts';

export { cascadeFinalizers };

/** Where a user approves Prune=confirm and Delete=confirm deletions (`app confirm-deletion`). */
export const deletionApprovedAnnotations = [
  'argocd.argoproj.io/deletion-approved',
  'gitward.dev/deletion-approved',
];

/**
 * Deletions are approved by a timestamp newer than the moment they became pending (the sync's
 * start, or the Application's deletion): an approval given for an earlier sync does not carry
 * over to the next one, as in Argo CD.
 */
export function deletionApproved(app: Application, since: string | undefined): boolean {
  const from = Date.parse(since ?? '');
  return deletionApprovedAnnotations.some((k) => {
    const at = Date.parse(app.metadata.annotations?.[k] ?? '');
    return Number.isFinite(at) && (!Number.isFinite(from) || at > from);
  });
}

/** Whether gitward has work to do when the app is deleted (else Kubernetes just removes it). */
export function ownsDeletion(app: Application): boolean {
  return (app.metadata.finalizers ?? []).some(isOurFinalizer);
}

/** The rendered target at the app's revision, or why it could not be rendered. */
export type DeletionTarget =
  { readonly desired: readonly KubeObject[] } | { readonly error: string };

/** The cluster as one deletion pass sees it. */
export interface DeletionView {
  /** Live objects that track the app. */
  readonly managed: readonly KubeObject[];
  /** Any live object by key, from the cache. */
  readonly live: (key: ResourceKey) => KubeObject | undefined;
  readonly index: ApiResourceIndex;
  /** Renders the target (only called when a finalizer of ours is there: hooks come from it). */
  readonly target: () => Promise<DeletionTarget>;
}

export interface DeletionDeps {
  readonly applier: Applier;
  /** Writes the app's finalizers (the ones that are left). */
  readonly setFinalizers: (finalizers: string[]) => Promise<void>;
}

export type DeletionOutcome =
  | { readonly kind: 'orphan' }
  /** Hooks running, resources going: come back soon. */
  | { readonly kind: 'waiting'; readonly message: string }
  /** Cannot go on (a hook failed, confirmation missing): shown as a DeletionError condition. */
  | { readonly kind: 'blocked'; readonly message: string }
  | { readonly kind: 'done' };

const describe = (o: KubeObject) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;

async function createHooks(
  step: Extract<DeletionStep, { kind: 'create-hooks' }>,
  view: DeletionView,
  applier: Applier,
): Promise<DeletionOutcome> {
  for (const hook of step.hooks) {
    const out = await applier.apply(hook, undefined, view.index, {
      dryRun: false,
      replace: false,
      force: false,
      validate: true,
    });
    if (!out.ok) return { kind: 'blocked', message: `creating ${step.type} hook: ${out.message}` };
  }
  return { kind: 'waiting', message: `created ${step.hooks.length} ${step.type} hook(s)` };
}

async function removeAll(
  objects: readonly KubeObject[],
  view: DeletionView,
  applier: Applier,
  propagation: string,
): Promise<string[]> {
  const problems: string[] = [];
  for (const o of objects) {
    const out = await applier.remove(o, view.index, propagation, false);
    if (!out.ok) problems.push(`${describe(o)}: ${out.message}`);
  }
  return problems;
}

async function execute(
  step: DeletionStep,
  view: DeletionView,
  deps: DeletionDeps,
): Promise<DeletionOutcome> {
  switch (step.kind) {
    case 'orphan':
      return step;
    case 'create-hooks':
      return createHooks(step, view, deps.applier);
    case 'wait':
      return { kind: 'waiting', message: step.message };
    case 'blocked':
      // Failed hooks go, so that the next pass creates them again (Argo CD retries them so).
      await removeAll(step.deleteHooks, view, deps.applier, 'background');
      return { kind: 'blocked', message: step.message };
    case 'delete': {
      const problems = await removeAll(step.objects, view, deps.applier, step.propagation);
      return problems.length
        ? { kind: 'blocked', message: `deleting resources: ${problems.join('; ')}` }
        : { kind: 'waiting', message: `${step.remaining} resource(s) remaining for deletion` };
    }
    case 'done':
      // Finalizers first: were the hooks deleted first and the patch then failed, the next pass
      // would find the PreDelete hooks missing and run them again.
      await deps.setFinalizers(step.finalizers);
      await removeAll(step.deleteHooks, view, deps.applier, 'background');
      return { kind: 'done' };
  }
}

/**
 * One pass of deleting an Application (see nextDeletionStep): without a finalizer of ours the
 * resources are orphaned; otherwise PreDelete hooks, the cascade (with the finalizer's
 * propagation, Delete=false kept, Delete=confirm waiting for approval), PostDelete hooks, then
 * the finalizers go and the hooks are cleaned up per their delete policy.
 */
export async function deletionPass(
  app: Application,
  view: DeletionView,
  deps: DeletionDeps,
): Promise<DeletionOutcome> {
  if (!ownsDeletion(app)) return { kind: 'orphan' };
  const target = await view.target();
  const deletedAt = app.metadata.deletionTimestamp;
  const step = nextDeletionStep({
    finalizers: app.metadata.finalizers ?? [],
    target: 'desired' in target ? target.desired : undefined,
    ...('error' in target ? { targetError: target.error } : {}),
    mayHaveHooks: mayHaveHooks(app, view.managed),
    managed: view.managed,
    live: view.live,
    approved: deletionApproved(app, deletedAt),
    deletedAtUnix: Math.floor(Date.parse(deletedAt ?? '') / 1000) || 0,
  });
  return execute(step, view, deps);
}
