import type { KubeObject } from '@gitward/model';

/**
 * What in an Application deserves a reconcile, as two parts: `spec` (generation, deletion, the
 * operation field, which is not part of the generation) and `refresh` (the refresh annotation's
 * value, '' when absent). Our own status writes change neither.
 */
export interface AppTrigger {
  readonly spec: string;
  readonly refresh: string;
}

export function appTrigger(obj: KubeObject): AppTrigger {
  const m = obj.metadata as {
    generation?: number;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  const refresh =
    m.annotations?.['gitward.dev/refresh'] ?? m.annotations?.['argocd.argoproj.io/refresh'] ?? '';
  return {
    spec: `${m.generation ?? 0}/${m.deletionTimestamp ?? ''}/${JSON.stringify(obj['operation'] ?? null)}`,
    refresh,
  };
}

/**
 * Whether going from `prev` to `next` asks for a reconcile. The refresh annotation counts when it
 * appears or changes, not when it goes: the controller removes it after the refresh, and that
 * removal must not cost every refreshed app a second reconcile.
 */
export function triggersReconcile(prev: AppTrigger | undefined, next: AppTrigger): boolean {
  if (prev?.spec !== next.spec) return true;
  return next.refresh !== '' && next.refresh !== prev.refresh;
}
