/**
 * The words of the details page's summary, derived from an Application: its sources, destination,
 * sync policy, synced revision and the commit behind it, and the per-resource rows of the running
 * operation. Pure, so what users read about an app is tested without rendering.
 */
import type { Application, ApplicationSource } from '@gitward/model';

/** The app's sources: `spec.sources` when set (multi-source), else `spec.source`. */
export function sourcesOf(app: Application): ApplicationSource[] {
  if (app.spec.sources?.length) return app.spec.sources;
  return app.spec.source ? [app.spec.source] : [];
}

/** `server` or cluster `name`, with the namespace: where the resources go. */
export function destinationText(app: Application): { cluster: string; namespace: string } {
  const d = app.spec.destination;
  return { cluster: d.server ?? d.name ?? '', namespace: d.namespace ?? '' };
}

/** "Manual", or "Automated" with its prune / self heal / allow empty flags. */
export function syncPolicyText(app: Application): string {
  const auto = app.spec.syncPolicy?.automated;
  if (!auto || auto.enabled === false) return 'Manual';
  const flags = [
    ...(auto.prune ? ['prune'] : []),
    ...(auto.selfHeal ? ['self heal'] : []),
    ...(auto.allowEmpty ? ['allow empty'] : []),
  ];
  return flags.length ? `Automated (${flags.join(', ')})` : 'Automated';
}

/** Whether automated sync is on (rollback is refused then, as Argo CD refuses it). */
export function autoSyncOn(app: Application): boolean {
  const auto = app.spec.syncPolicy?.automated;
  return auto !== undefined && auto.enabled !== false;
}

/** The revision the app is synced to: all of them for multi-source apps. */
export function syncedRevision(app: Application): string {
  const s = app.status?.sync;
  if (s?.revisions?.length) return s.revisions.join(', ');
  return s?.revision ?? '';
}

/** A commit SHA shortened as git does; tags, branches and chart versions stay whole. */
export function shortRevision(rev: string): string {
  return /^[0-9a-f]{40}$/.test(rev) ? rev.slice(0, 7) : rev;
}

export type CommitInfo = { message?: string; author?: string; date?: string };

/**
 * The commit behind the synced revision, when the status carries it (Argo CD's
 * revisionMetadata). gitward's schema has no such field yet, so it is read defensively.
 */
export function commitInfo(app: Application): CommitInfo | undefined {
  const sync = app.status?.sync as { revisionMetadata?: unknown } | undefined;
  const op = app.status?.operationState?.syncResult as { revisionMetadata?: unknown } | undefined;
  return commitFromMetadata(sync?.revisionMetadata ?? op?.revisionMetadata);
}

const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The commit whose metadata the summary asks the server for: the synced revision of the app's
 * first source when it is a commit SHA (else the last operation's), as the metadata route reads
 * the first source. Undefined for chart sources and for branch or tag names.
 */
export function metadataRevision(app: Application): string | undefined {
  if (sourcesOf(app)[0]?.chart) return undefined;
  const sync = app.status?.sync;
  const result = app.status?.operationState?.syncResult;
  const candidates = [
    sync?.revision,
    sync?.revisions?.[0],
    result?.revision,
    result?.revisions?.[0],
  ];
  return candidates.find((c): c is string => c !== undefined && commitSha.test(c));
}

/** `GET /api/v1/applications/<name>/revisions/<sha>/metadata` (Argo CD's route). */
export function revisionMetadataPath(appName: string, sha: string): string {
  return `/api/v1/applications/${encodeURIComponent(appName)}/revisions/${encodeURIComponent(sha)}/metadata`;
}

/** The metadata route's answer as CommitInfo; anything unexpected is no commit info. */
export function commitFromMetadata(value: unknown): CommitInfo | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const meta = value as { message?: unknown; author?: unknown; date?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const message = str(meta.message);
  const author = str(meta.author);
  const date = str(meta.date);
  if (!message && !author) return undefined;
  return {
    ...(message ? { message } : {}),
    ...(author ? { author } : {}),
    ...(date ? { date } : {}),
  };
}

/**
 * What the summary shows of a commit: the message's first line (the whole message goes in a
 * title), and "by <author>, <date>".
 */
export function commitLines(
  commit: CommitInfo,
  when: (iso: string) => string,
): { subject: string; message: string; byline: string } {
  const message = (commit.message ?? '').trim();
  const subject = message.split('\n', 1)[0]?.trim() ?? '';
  const by = [
    ...(commit.author ? [`by ${commit.author}`] : []),
    ...(commit.date ? [when(commit.date)] : []),
  ];
  return { subject, message, byline: by.join(', ') };
}

export type OperationRow = {
  readonly key: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly status: string;
  readonly message: string;
  readonly hookPhase: string;
  readonly hookType: string;
  readonly syncPhase: string;
  /** From status.resources (results do not carry it); '' when unknown. */
  readonly wave: string;
};

/** The running (or last) operation's per-resource results, with each resource's sync wave. */
export function operationRows(app: Application): OperationRow[] {
  const waves = new Map<string, number>();
  for (const r of app.status?.resources ?? [])
    if (r.syncWave !== undefined) waves.set(resultId(r), r.syncWave);
  return (app.status?.operationState?.syncResult?.resources ?? []).map((r, i) => {
    const wave = waves.get(resultId(r));
    return {
      key: `${resultId(r)}/${r.hookType ?? ''}/${r.syncPhase ?? ''}/${i}`,
      ...resultFields(r),
      wave: wave === undefined ? '' : String(wave),
    };
  });
}

type ResultLike = {
  group?: string | undefined;
  kind?: string | undefined;
  namespace?: string | undefined;
  name?: string | undefined;
};
const resultId = (r: ResultLike) =>
  `${r.group ?? ''}/${r.kind ?? ''}/${r.namespace ?? ''}/${r.name ?? ''}`;

type ResultResource = NonNullable<
  NonNullable<NonNullable<Application['status']>['operationState']>['syncResult']
>['resources'];

function resultFields(r: NonNullable<ResultResource>[number]) {
  return {
    kind: r.kind ?? '',
    namespace: r.namespace ?? '',
    name: r.name ?? '',
    status: r.status ?? '',
    message: r.message ?? '',
    hookPhase: r.hookPhase ?? '',
    hookType: r.hookType ?? '',
    syncPhase: r.syncPhase ?? '',
  };
}

type OperationState = NonNullable<NonNullable<Application['status']>['operationState']>;

/** "Sync to v2 by admin, started …, finished …": who started the operation, and when. */
export function operationLine(state: OperationState, when: (iso: string) => string): string {
  const who = state.operation?.initiatedBy;
  const sync = state.operation?.sync;
  const parts = [
    who?.automated ? 'Automated sync' : who?.username ? `Initiated by ${who.username}` : 'Sync',
  ];
  if (sync?.revision) parts[0] += ` to ${sync.revision}`;
  if (state.startedAt) parts.push(`started ${when(state.startedAt)}`);
  if (state.finishedAt) parts.push(`finished ${when(state.finishedAt)}`);
  if (state.retryCount) parts.push(`retry ${state.retryCount}`);
  return parts.join(', ');
}

/** History newest first, as users look for the last good deployment. */
export function historyNewestFirst(app: Application) {
  return [...(app.status?.history ?? [])].sort((a, b) => b.id - a.id);
}
