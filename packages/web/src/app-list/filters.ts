/**
 * The application list's filters: read from and written to the query string (so a filtered view
 * is a link that can be shared and survives reload), and applied to the apps. Mirrors Argo CD's
 * list filters: project, sync, health, namespace, cluster, labels and a name search.
 */
import type { Application } from '@gitward/model';

export type ViewMode = 'tiles' | 'list';

export type AppFilters = {
  q: string;
  proj: string;
  sync: string;
  health: string;
  namespace: string;
  cluster: string;
  /** `k=v,k2=v2` (also `k!=v`, `k` for "has the label", `!k` for "has not"). */
  labels: string;
  view: ViewMode;
};

const keys = ['q', 'proj', 'sync', 'health', 'namespace', 'cluster', 'labels'] as const;

/** Values are kept as typed (a search for "guest book" needs its space while typing). */
export function filtersFromQuery(query: URLSearchParams): AppFilters {
  const get = (k: string) => query.get(k) ?? '';
  return {
    q: get('q'),
    proj: get('proj'),
    sync: get('sync'),
    health: get('health'),
    namespace: get('namespace'),
    cluster: get('cluster'),
    labels: get('labels'),
    view: query.get('view') === 'list' ? 'list' : 'tiles',
  };
}

/** The query string for `f`, leaving out empty filters and the default view (no `?` if empty). */
export function filtersToQuery(f: AppFilters): string {
  const params = new URLSearchParams();
  for (const k of keys) if (f[k]) params.set(k, f[k]);
  if (f.view !== 'tiles') params.set('view', f.view);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

export const hasFilters = (f: AppFilters) => keys.some((k) => f[k] !== '');

export type LabelTerm =
  { op: 'eq' | 'ne'; key: string; value: string } | { op: 'exists' | 'missing'; key: string };

/** `a=b, c!=d, e, !f` as terms; blank parts are skipped. (`==` is read as `=`.) */
export function parseLabelFilter(text: string): LabelTerm[] {
  const terms: LabelTerm[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const ne = /^([^=!]+)!=(.*)$/.exec(part);
    const eq = /^([^=!]+)==?(.*)$/.exec(part);
    if (ne?.[1]) terms.push({ op: 'ne', key: ne[1].trim(), value: (ne[2] ?? '').trim() });
    else if (eq?.[1]) terms.push({ op: 'eq', key: eq[1].trim(), value: (eq[2] ?? '').trim() });
    else if (part.startsWith('!')) terms.push({ op: 'missing', key: part.slice(1).trim() });
    else terms.push({ op: 'exists', key: part });
  }
  return terms;
}

function labelMatch(labels: Readonly<Record<string, string>>, t: LabelTerm): boolean {
  const has = Object.hasOwn(labels, t.key);
  switch (t.op) {
    case 'eq':
      return has && labels[t.key] === t.value;
    case 'ne':
      return !has || labels[t.key] !== t.value;
    case 'exists':
      return has;
    case 'missing':
      return !has;
  }
}

/** The cluster an app goes to as the list shows it: its destination name, else its server. */
export const clusterOf = (app: Application) =>
  app.spec.destination.name ?? app.spec.destination.server ?? '';

const syncOf = (app: Application) => app.status?.sync?.status ?? 'Unknown';
const healthOf = (app: Application) => app.status?.health?.status ?? 'Unknown';

/** A predicate for `f`, built once per filter change (labels parsed once, not once per app). */
export function appMatcher(f: AppFilters): (app: Application) => boolean {
  const q = f.q.trim().toLowerCase();
  const terms = parseLabelFilter(f.labels);
  const statusMatch = (app: Application) =>
    (!f.sync || syncOf(app) === f.sync) && (!f.health || healthOf(app) === f.health);
  const placeMatch = (app: Application) =>
    (!f.proj || app.spec.project === f.proj) &&
    (!f.namespace || (app.spec.destination.namespace ?? '') === f.namespace) &&
    (!f.cluster || f.cluster === clusterOf(app) || f.cluster === app.spec.destination.server);
  return (app) => {
    if (q && !app.metadata.name.toLowerCase().includes(q)) return false;
    if (!statusMatch(app) || !placeMatch(app)) return false;
    const labels = app.metadata.labels ?? {};
    return terms.every((t) => labelMatch(labels, t));
  };
}

export function filterApps(apps: readonly Application[], f: AppFilters): Application[] {
  return apps.filter(appMatcher(f));
}

export type FilterOptions = { projects: string[]; namespaces: string[]; clusters: string[] };

/**
 * The choices of each select: the values present in the apps, sorted, plus the selected one even
 * when no app has it (a shared link must still show what it filters on).
 */
export function filterOptions(apps: readonly Application[], f: AppFilters): FilterOptions {
  const projects = new Set<string>();
  const namespaces = new Set<string>();
  const clusters = new Set<string>();
  for (const app of apps) {
    projects.add(app.spec.project);
    if (app.spec.destination.namespace) namespaces.add(app.spec.destination.namespace);
    const cluster = clusterOf(app);
    if (cluster) clusters.add(cluster);
  }
  if (f.proj) projects.add(f.proj);
  if (f.namespace) namespaces.add(f.namespace);
  if (f.cluster) clusters.add(f.cluster);
  const sorted = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { projects: sorted(projects), namespaces: sorted(namespaces), clusters: sorted(clusters) };
}

export const syncStatuses = ['Synced', 'OutOfSync', 'Unknown'] as const;
export const healthStatuses = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
] as const;
