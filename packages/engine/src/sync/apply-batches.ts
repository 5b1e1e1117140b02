import type { SyncTask } from './types.ts';

/**
 * The tasks of one apply step (one phase and wave, in task order) as the batches they are applied
 * in: consecutive runs of one kind rank (Argo CD's kind order). A batch's tasks do not depend on
 * each other and may be applied concurrently; batches go one after another, so Namespaces and
 * CRDs, ServiceAccounts and LimitRanges exist before the objects that need them.
 */
export function applyBatches<T extends Pick<SyncTask, 'kindRank'>>(tasks: readonly T[]): T[][] {
  const batches: T[][] = [];
  for (const t of tasks) {
    const last = batches.at(-1);
    if (last && last[0]?.kindRank === t.kindRank) last.push(t);
    else batches.push([t]);
  }
  return batches;
}
