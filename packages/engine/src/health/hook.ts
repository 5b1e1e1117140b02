import type { KubeObject } from '@gitward/model';
import { annotation } from './fields.ts';

/** The finalizer Argo CD puts on running hooks; their deletion is part of the sync, not pending. */
export const hookFinalizer = 'argocd.argoproj.io/hook-finalizer';

/**
 * Whether an object is a sync hook, as gitops-engine's hook.IsHook decides: an
 * `argocd.argoproj.io/hook` annotation naming any phase but Skip, or else a Helm hook other than
 * crd-install (which Argo CD applies as an ordinary resource).
 */
export function isHook(obj: KubeObject): boolean {
  const argo = annotation(obj, 'argocd.argoproj.io/hook');
  if (argo !== undefined) {
    return argo
      .split(',')
      .map((t) => t.trim())
      .some((t) => t !== '' && t !== 'Skip');
  }
  const helm = annotation(obj, 'helm.sh/hook');
  return helm !== undefined && helm.trim() !== 'crd-install';
}

/** Whether the object carries Argo CD's hook finalizer. */
export function hasHookFinalizer(obj: KubeObject): boolean {
  const finalizers = obj.metadata['finalizers'];
  return Array.isArray(finalizers) && finalizers.includes(hookFinalizer);
}
