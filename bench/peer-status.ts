/**
 * Reading the peers' verdicts from their own objects, pure so it is tested with tables: gitward
 * and Argo CD Applications (status.sync / status.health), Flux Kustomizations (the Ready
 * condition, with its health checks on). Also the per-app comparison of two tools' verdicts,
 * the "second oracle" of issue 16 §4.
 */

/** One tool's verdict on one app, in its own words. */
export interface Verdict {
  /** Argo CD form: Synced, OutOfSync, Unknown; Flux: the Ready condition's status and reason. */
  readonly sync: string;
  /** Argo CD form: Healthy, Progressing, Degraded, Missing...; Flux: "-" (Ready covers it). */
  readonly health: string;
  /** The revision the verdict is for (a commit SHA), when the tool says. */
  readonly revision?: string;
  /** Everything the tool wants settled: synced, healthy, no operation pending or running. */
  readonly settled: boolean;
}

type Rec = Readonly<Record<string, unknown>>;

const rec = (v: unknown): Rec =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {};
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * An Application of gitward (gitward.dev) or Argo CD (argoproj.io): the two share the data model,
 * so one reading serves both. Settled is Synced and Healthy with no operation requested and none
 * running, as bench/drift.ts `settled` says for gitward.
 */
export function applicationVerdict(app: unknown): Verdict {
  const status = rec(rec(app)['status']);
  const sync = rec(status['sync']);
  const syncStatus = str(sync['status']) ?? 'Unknown';
  const health = str(rec(status['health'])['status']) ?? 'Unknown';
  const phase = str(rec(status['operationState'])['phase']);
  const revision = str(sync['revision']);
  return {
    sync: syncStatus,
    health,
    ...(revision ? { revision } : {}),
    settled:
      syncStatus === 'Synced' &&
      health === 'Healthy' &&
      rec(app)['operation'] === undefined &&
      phase !== 'Running',
  };
}

/**
 * A Flux Kustomization: settled when its Ready condition is True for its current generation (with
 * `wait: true` that includes the health of everything it applied). The revision is the commit of
 * `status.lastAppliedRevision` ("main@sha1:<sha>").
 */
export function kustomizationVerdict(ks: unknown): Verdict {
  const o = rec(ks);
  const status = rec(o['status']);
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  const ready = conditions.map(rec).find((c) => c['type'] === 'Ready');
  const readyStatus = str(ready?.['status']) ?? 'Unknown';
  const reason = str(ready?.['reason']);
  const generation = rec(o['metadata'])['generation'];
  const current = status['observedGeneration'] === generation;
  const revision = fluxRevisionSha(str(status['lastAppliedRevision']));
  return {
    sync: reason ? `Ready=${readyStatus} (${reason})` : `Ready=${readyStatus}`,
    health: '-',
    ...(revision ? { revision } : {}),
    settled: readyStatus === 'True' && current,
  };
}

/** The commit of a Flux revision string: "main@sha1:abc…" or the older "main/abc…". */
export function fluxRevisionSha(revision: string | undefined): string | undefined {
  if (!revision) return undefined;
  const at = /@sha[0-9]+:([0-9a-f]+)$/.exec(revision);
  if (at) return at[1];
  const slash = /\/([0-9a-f]{40})$/.exec(revision);
  return slash?.[1];
}

/** Whether a Flux object handled the reconcile request `token` (reconcile.fluxcd.io/requestedAt). */
export function fluxHandled(obj: unknown, token: string): boolean {
  return rec(rec(obj)['status'])['lastHandledReconcileAt'] === token;
}

export interface Disagreement {
  readonly app: string;
  readonly ours: Verdict | undefined;
  readonly theirs: Verdict | undefined;
}

/**
 * Apps on which two tools' verdicts differ in sync or health status (an app only one of them has
 * counts too), sorted by name. Revisions are not compared: the runs are separate commits.
 */
export function disagreements(
  ours: ReadonlyMap<string, Verdict>,
  theirs: ReadonlyMap<string, Verdict>,
): Disagreement[] {
  const names = [...new Set([...ours.keys(), ...theirs.keys()])].sort();
  return names.flatMap((app) => {
    const a = ours.get(app);
    const b = theirs.get(app);
    const same = a !== undefined && a.sync === b?.sync && a.health === b.health;
    return same ? [] : [{ app, ours: a, theirs: b }];
  });
}
