import type { ApiResourceIndex } from '@gitward/infra';
import type { Application, KubeObject } from '@gitward/model';
import type { Applier } from './applier.ts';

/** Argo CD's cascade finalizers and the propagation each asks for. */
export const cascadeFinalizers: Readonly<Record<string, 'foreground' | 'background'>> = {
  'resources-finalizer.argocd.argoproj.io': 'foreground',
  'resources-finalizer.argocd.argoproj.io/foreground': 'foreground',
  'resources-finalizer.argocd.argoproj.io/background': 'background',
};

const keepsOnDelete = (o: KubeObject) =>
  (o.metadata.annotations?.['argocd.argoproj.io/sync-options'] ?? '')
    .split(',')
    .some((x) => x.trim() === 'Delete=false');
const terminating = (o: KubeObject) =>
  (o.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined;

export type DeletionStep =
  | { readonly kind: 'orphan' }
  | { readonly kind: 'deleting'; readonly remaining: number }
  | { readonly kind: 'done'; readonly finalizers: string[] };

/**
 * One pass of deleting an Application: without a cascade finalizer its resources are orphaned
 * (Kubernetes removes the app by itself); with one, every managed resource but Delete=false ones
 * is deleted with the finalizer's propagation, and once none is left the finalizer is removed.
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
  const propagation = cascadeFinalizers[ours[0] ?? ''] ?? 'foreground';
  for (const o of doomed.filter((x) => !terminating(x)))
    await applier.remove(o, index, propagation, false);
  return { kind: 'deleting', remaining: doomed.length };
}
