import { createHash } from 'node:crypto';
import { refreshRequest, type KubeObject } from '@gitward/model';

/**
 * What in an Application deserves a reconcile: `spec` (the spec itself and deletion), the
 * `operation` field, and `refresh` (the refresh annotation's value, '' when absent); `automated`
 * when the operation is one the controller's automated sync started. Our own status writes change
 * none of them. The spec is compared, not the generation: without a status subresource (Argo CD's
 * CRD has none) every status write bumps the generation too.
 */
export interface AppTrigger {
  readonly spec: string;
  readonly operation: string;
  readonly automated: boolean;
  readonly refresh: string;
}

const digest = (v: unknown) => createHash('sha256').update(JSON.stringify(v)).digest('base64');

export function appTrigger(obj: KubeObject): AppTrigger {
  const m = obj.metadata as {
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
  };
  const asked = refreshRequest(m.annotations);
  const refresh = asked ? (m.annotations?.[asked.key] ?? '') : '';
  const operation = obj['operation'] as { initiatedBy?: { automated?: boolean } } | undefined;
  return {
    spec: digest([obj['spec'] ?? null, m.deletionTimestamp ?? '']),
    operation: digest(operation ?? null),
    automated: operation?.initiatedBy?.automated === true,
    refresh,
  };
}

/**
 * Whether going from `prev` to `next` asks for a reconcile, and how: `fresh` when the pass must
 * read the source again (a new spec, deletion, a refresh request, an operation a user asked for:
 * a sync right after a push must see the push), `recent` when the last read of the source will
 * do (the controller's own automated sync starting, an operation cleared). The refresh annotation
 * counts when it appears or changes, not when it goes: the controller removes it after the
 * refresh, and that removal must not cost every refreshed app a second reconcile.
 */
export function reconcileTrigger(
  prev: AppTrigger | undefined,
  next: AppTrigger,
): 'fresh' | 'recent' | undefined {
  if (prev?.spec !== next.spec) return 'fresh';
  if (next.refresh !== '' && next.refresh !== prev.refresh) return 'fresh';
  if (prev.operation === next.operation) return undefined;
  return next.automated || next.operation === digest(null) ? 'recent' : 'fresh';
}
