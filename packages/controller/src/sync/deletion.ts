import type { ApiResourceIndex } from '@gitward/infra';
import type { Application, KubeObject } from '@gitward/model';
import type { Applier } from './applier.ts';

/** Argo CD's cascade finalizers and the propagation each asks for. */
export const cascadeFinalizers: Readonly<Record<string, 'foreground' | 'background'>> = {
  'resources-finalizer.argocd.argoproj.io': 'foreground',
  'resources-finalizer.argocd.argoproj.io/foreground': 'foreground',
  'resources-finalizer.argocd.argoproj.io/background': 'background',
};

const deleteOption = (o: KubeObject) =>
  (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '')
    .split(',')
    .map((x) => x.trim())
    .find((x) => x.startsWith('Delete='));
const keepsOnDelete = (o: KubeObject) => deleteOption(o) === 'Delete=false';
const needsConfirmation = (o: KubeObject) => deleteOption(o) === 'Delete=confirm';

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
const terminating = (o: KubeObject) =>
  (o.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined;

export type DeletionStep =
  | { readonly kind: 'orphan' }
  | { readonly kind: 'deleting'; readonly remaining: number }
  | { readonly kind: 'awaiting-confirmation'; readonly message: string }
  | { readonly kind: 'done'; readonly finalizers: string[] };

/**
 * One pass of deleting an Application: without a cascade finalizer its resources are orphaned
 * (Kubernetes removes the app by itself); with one, every managed resource but Delete=false ones
 * is deleted with the finalizer's propagation, and once none is left the finalizer is removed.
 * Delete=confirm resources hold the whole deletion until it is approved.
 */
export async function deletionPass(
  app: Application,
  managed: readonly KubeObject[],
  index: ApiResourceIndex,
  applier: Applier,
): Promise<DeletionStep> {
  const finalizers = app.metadata.finalizers ?? [];
  const ours = finalizers.filter((f) => f in cascadeFinalizers);
  if (ours.length === 0) return { kind: 'orphan' };
  const doomed = managed.filter((o) => !keepsOnDelete(o));
  if (doomed.length === 0)
    return { kind: 'done', finalizers: finalizers.filter((f) => !(f in cascadeFinalizers)) };
  const unconfirmed = doomed.filter(needsConfirmation);
  const deletedAt = (app.metadata as { deletionTimestamp?: string }).deletionTimestamp;
  const [first] = unconfirmed;
  if (first && !deletionApproved(app, deletedAt)) {
    const more = unconfirmed.length > 1 ? ` and ${unconfirmed.length - 1} more` : '';
    return {
      kind: 'awaiting-confirmation',
      message: `waiting for deletion confirmation of ${first.kind}/${first.metadata.name ?? ''}${more}: annotate the Application with ${deletionApprovedAnnotations[0] ?? ''}=<current time>`,
    };
  }
  const propagation = cascadeFinalizers[ours[0] ?? ''] ?? 'foreground';
  for (const o of doomed.filter((x) => !terminating(x)))
    await applier.remove(o, index, propagation, false);
  return { kind: 'deleting', remaining: doomed.length };
}
