import type { ApplicationSource } from '@gitward/model';
import { canonicalJson } from '../diff/json.ts';

/** What an operation's `sync` says about its target (Argo CD's SyncOperation fields). */
export interface SyncTargetRequest {
  readonly revision?: string | undefined;
  /** The source a rollback recorded with its history entry. */
  readonly source?: ApplicationSource | undefined;
}

const withoutRevision = (s: ApplicationSource) =>
  canonicalJson(JSON.parse(JSON.stringify({ ...s, targetRevision: undefined })) as unknown);

/**
 * The source a sync must render when it is not the comparison the controller already made, or
 * undefined when that comparison is the target. A rollback syncs the history entry's own source
 * at its revision: the app's spec may have moved on (another path, other Helm values), and
 * rendering today's spec at an old commit would deploy something that never ran. A sync naming
 * only a revision renders today's source at that revision, as Argo CD.
 */
export function syncSourceToRender(
  spec: ApplicationSource | undefined,
  sync: SyncTargetRequest | undefined,
  comparedRevision: string,
): ApplicationSource | undefined {
  const own = sync?.source;
  const source = own ?? spec;
  if (!source) return undefined;
  const sameSource =
    own === undefined || (spec !== undefined && withoutRevision(own) === withoutRevision(spec));
  const wanted = sync?.revision;
  if (sameSource && (!wanted || wanted === comparedRevision || wanted === source.targetRevision))
    return undefined;
  return { ...source, targetRevision: wanted ?? spec?.targetRevision ?? source.targetRevision };
}
