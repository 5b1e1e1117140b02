import type { Application } from '@gitward/model';

/**
 * The filters of `GET /api/v1/applications` (Argo CD's ApplicationQuery, plus `cluster`, which
 * argocd applies in its CLI after listing: here the server applies it, so a paged list is
 * filtered before it is cut). Empty or missing means "any".
 */
export interface AppFilters {
  readonly projects: readonly string[];
  readonly repo?: string | undefined;
  /** Destination cluster by server URL or by name, as argocd's FilterByCluster matches. */
  readonly cluster?: string | undefined;
  readonly sync?: string | undefined;
  readonly health?: string | undefined;
  readonly name?: string | undefined;
}

/** Whether `app` passes every filter given. */
export function appMatches(app: Application, f: AppFilters): boolean {
  const sources = [app.spec.source, ...(app.spec.sources ?? [])].filter((s) => s !== undefined);
  const dest = app.spec.destination;
  const checks: [wanted: string | undefined, passes: () => boolean][] = [
    [f.repo, () => sources.some((s) => s.repoURL === f.repo)],
    [f.cluster, () => dest.server === f.cluster || dest.name === f.cluster],
    [f.sync, () => app.status?.sync?.status === f.sync],
    [f.health, () => app.status?.health?.status === f.health],
    [f.name, () => app.metadata.name === f.name],
  ];
  if (f.projects.length && !f.projects.includes(app.spec.project)) return false;
  return checks.every(([wanted, passes]) => !wanted || passes());
}
