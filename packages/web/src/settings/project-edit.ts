/**
 * Edits of an AppProject's spec as pure functions: each add or remove gives the next spec (sent
 * whole with PUT) or says why the entry is refused, before anything reaches the server. The server
 * validates again (globs, cron schedules, time zones); these checks only catch the obvious.
 */
import type { AppProjectSpec } from '@gitward/model';

export type Edit = { ok: true; spec: AppProjectSpec } | { ok: false; reason: string };

export type KindListKey =
  | 'clusterResourceWhitelist'
  | 'clusterResourceBlacklist'
  | 'namespaceResourceWhitelist'
  | 'namespaceResourceBlacklist';

export type ListKey = 'sourceRepos' | 'destinations' | 'syncWindows' | KindListKey;

export type Destination = NonNullable<AppProjectSpec['destinations']>[number];
export type SyncWindow = NonNullable<AppProjectSpec['syncWindows']>[number];
export type GroupKind = { group: string; kind: string };

/** The spec without `key` when the list became empty (as kubectl would write it). */
function withList<K extends ListKey>(
  spec: AppProjectSpec,
  key: K,
  list: NonNullable<AppProjectSpec[K]>,
): AppProjectSpec {
  const { [key]: _old, ...rest } = spec;
  void _old;
  return list.length ? { ...rest, [key]: list } : rest;
}

export function addSourceRepo(spec: AppProjectSpec, raw: string): Edit {
  const repo = raw.trim();
  if (!repo)
    return { ok: false, reason: 'Enter a repository URL or glob (e.g. https://github.com/org/*).' };
  if (repo === '!*') return { ok: false, reason: '"!*" is not allowed as a source repository.' };
  const list = spec.sourceRepos ?? [];
  if (list.includes(repo)) return { ok: false, reason: `${repo} is already listed.` };
  return { ok: true, spec: withList(spec, 'sourceRepos', [...list, repo]) };
}

export function addDestination(spec: AppProjectSpec, d: Destination): Edit {
  const server = d.server?.trim() ?? '';
  const name = d.name?.trim() ?? '';
  const namespace = d.namespace?.trim() ?? '';
  if (!server && !name)
    return { ok: false, reason: 'Enter a server URL or a cluster name (globs allowed).' };
  if (!namespace) return { ok: false, reason: 'Enter a namespace (or * for all).' };
  const next: Destination = {
    ...(server ? { server } : {}),
    ...(name ? { name } : {}),
    namespace,
  };
  const list = spec.destinations ?? [];
  const same = (x: Destination) =>
    (x.server ?? '') === server && (x.name ?? '') === name && (x.namespace ?? '') === namespace;
  if (list.some(same)) return { ok: false, reason: 'This destination is already listed.' };
  return { ok: true, spec: withList(spec, 'destinations', [...list, next]) };
}

export function addGroupKind(spec: AppProjectSpec, key: KindListKey, gk: GroupKind): Edit {
  const group = gk.group.trim();
  const kind = gk.kind.trim();
  if (!kind)
    return {
      ok: false,
      reason:
        'Enter a kind (e.g. Deployment, or * for all); the group may be empty for core kinds.',
    };
  const list: GroupKind[] = spec[key] ?? [];
  if (list.some((x) => x.group === group && x.kind === kind))
    return { ok: false, reason: `${group || 'core'}/${kind} is already listed.` };
  return { ok: true, spec: withList(spec, key, [...list, { group, kind }]) };
}

/** `a, b,,c` → ['a', 'b', 'c']. */
export const splitList = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export type WindowInput = {
  kind: string;
  schedule: string;
  duration: string;
  applications: string;
  namespaces: string;
  clusters: string;
  manualSync: boolean;
  timeZone: string;
};

export function addSyncWindow(spec: AppProjectSpec, w: WindowInput): Edit {
  if (w.kind !== 'allow' && w.kind !== 'deny')
    return { ok: false, reason: 'Kind is allow or deny.' };
  const schedule = w.schedule.trim();
  const duration = w.duration.trim();
  if (schedule.split(/\s+/).length !== 5)
    return {
      ok: false,
      reason: 'The schedule is a cron expression of five fields, e.g. "0 22 * * *".',
    };
  if (!/^(\d+[hms])+$/.test(duration))
    return { ok: false, reason: 'The duration is like 1h, 30m or 1h30m.' };
  const applications = splitList(w.applications);
  const namespaces = splitList(w.namespaces);
  const clusters = splitList(w.clusters);
  if (!applications.length && !namespaces.length && !clusters.length)
    return {
      ok: false,
      reason: 'A window needs applications, namespaces or clusters (globs, e.g. *).',
    };
  const win: SyncWindow = {
    kind: w.kind,
    schedule,
    duration,
    ...(applications.length ? { applications } : {}),
    ...(namespaces.length ? { namespaces } : {}),
    ...(clusters.length ? { clusters } : {}),
    ...(w.manualSync ? { manualSync: true } : {}),
    ...(w.timeZone.trim() ? { timeZone: w.timeZone.trim() } : {}),
  };
  return { ok: true, spec: withList(spec, 'syncWindows', [...(spec.syncWindows ?? []), win]) };
}

/** The spec without entry `index` of list `key`. */
export function removeEntry(spec: AppProjectSpec, key: ListKey, index: number): Edit {
  const list = (spec[key] ?? []) as unknown[];
  if (index < 0 || index >= list.length)
    return { ok: false, reason: 'That entry is gone already.' };
  const next = list.filter((_, i) => i !== index);
  return { ok: true, spec: withList(spec, key, next as NonNullable<AppProjectSpec[typeof key]>) };
}
