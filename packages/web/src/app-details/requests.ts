/**
 * The requests the details page sends, built from what the user chose in its dialogs: the sync
 * body (Argo CD's SyncRequest as the server reads it) and the delete query. Pure, so the mapping from checkboxes to API fields is tested without a browser.
 */
import type { SyncRequest } from '@gitward/model';
import { refId, type ResourceRef } from './resource-graph.ts';

export type SyncChoices = {
  readonly revision: string;
  readonly prune: boolean;
  readonly dryRun: boolean;
  readonly applyOutOfSyncOnly: boolean;
  readonly force: boolean;
  readonly replace: boolean;
  readonly serverSideApply: boolean;
  /** Ids (refId) of the resources ticked; all of them ticked means a full sync. */
  readonly selected: ReadonlySet<string>;
};

/** The options Argo CD's sync dialog sets, as sync-option strings. */
function syncOptionItems(c: SyncChoices): string[] {
  return [
    ...(c.applyOutOfSyncOnly ? ['ApplyOutOfSyncOnly=true'] : []),
    ...(c.force ? ['Force=true'] : []),
    ...(c.replace ? ['Replace=true'] : []),
    ...(c.serverSideApply ? ['ServerSideApply=true'] : []),
  ];
}

/**
 * The body of `POST .../sync`. Every resource ticked sends no resource list (a full sync, which
 * also prunes what Git no longer has); a subset sends just those (a selective sync).
 */
export function syncBody(c: SyncChoices, resources: readonly ResourceRef[]): SyncRequest {
  const chosen = resources.filter((r) => c.selected.has(refId(r)));
  const items = syncOptionItems(c);
  const revision = c.revision.trim();
  return {
    ...(revision ? { revision } : {}),
    prune: c.prune,
    dryRun: c.dryRun,
    ...(c.force ? { strategy: { hook: { force: true } } } : {}),
    ...(chosen.length < resources.length
      ? {
          resources: chosen.map((r) => ({
            group: r.group,
            kind: r.kind,
            namespace: r.namespace,
            name: r.name,
          })),
        }
      : {}),
    ...(items.length ? { syncOptions: { items } } : {}),
  };
}

export type DeletePolicy = 'foreground' | 'background' | 'non-cascading';

/** The query of `DELETE /api/v1/applications/:name` for the chosen propagation. */
export function deleteQuery(policy: DeletePolicy): Record<string, string> {
  if (policy === 'non-cascading') return { cascade: 'false' };
  return { cascade: 'true', propagationPolicy: policy };
}

/**
 * Whether Terminate applies: only a Running operation can be terminated (the server refuses
 * otherwise); once Terminating, the controller is already stopping it.
 */
export function canTerminate(phase: string | undefined): boolean {
  return phase === 'Running';
}
