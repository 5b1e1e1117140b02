import { createHash } from 'node:crypto';
import { refreshRequest, type KubeObject } from '@gitward/model';

/**
 * What in an Application deserves a reconcile, as two parts: `spec` (the spec itself, deletion,
 * the operation field) and `refresh` (the refresh annotation's value, '' when absent). Our own
 * status writes change neither. The spec is compared, not the generation: without a status
 * subresource (Argo CD's CRD has none) every status write bumps the generation too.
 */
export interface AppTrigger {
  readonly spec: string;
  readonly refresh: string;
}

export function appTrigger(obj: KubeObject): AppTrigger {
  const m = obj.metadata as {
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  const asked = refreshRequest(m.annotations);
  const refresh = asked ? (m.annotations?.[asked.key] ?? '') : '';
  return {
    spec: createHash('sha256')
      .update(
        JSON.stringify([obj['spec'] ?? null, m.deletionTimestamp ?? '', obj['operation'] ?? null]),
      )
      .digest('base64'),
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
