/**
 * How Applications look on a terminal, modelled on Argo CD's CLI (cmd/argocd/commands/app.go):
 * the `app list` table, the `app get` summary and resources table, the `-o tree` view, `app
 * history`, and the progress lines `app sync`/`app wait` print while an operation runs. Every
 * function returns lines; printing them is the caller's job.
 */
import type { Application, ApplicationSource } from '@gitward/model';
import type { ApplicationTree, ResourceNode, ResourceRef } from '../api/types.ts';
import {
  alignRows,
  columnWidths,
  formatRow,
  paint,
  renderFields,
  renderTable,
  type Cell,
  type CellValue,
  type Color,
  type Column,
} from './table.ts';

export interface ViewOptions {
  /** ANSI colours for sync/health/phase values; the caller decides (isTTY, NO_COLOR). */
  readonly color?: boolean | undefined;
}

const statusColors: Readonly<Record<string, Color>> = {
  Synced: 'green',
  Healthy: 'green',
  Succeeded: 'green',
  OutOfSync: 'yellow',
  Missing: 'yellow',
  Degraded: 'red',
  Failed: 'red',
  Error: 'red',
  SyncFailed: 'red',
  Progressing: 'blue',
  Running: 'blue',
  Terminating: 'blue',
};

/** The colour of a sync, health or operation status (Argo CD's UI palette, roughly). */
export function statusColor(status: string | undefined): Color | undefined {
  return status === undefined ? undefined : statusColors[status];
}

const status = (s: string | undefined): Cell => ({ text: s ?? '', color: statusColor(s) });

/** The first value that is set and not empty: the API sends `""` and absent alike. */
function firstSet(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => v !== undefined && v !== '');
}

/** `namespace/name`, as Argo CD names Applications since apps-in-any-namespace. */
export function qualifiedName(app: Application): string {
  const ns = app.metadata.namespace;
  return ns ? `${ns}/${app.metadata.name}` : app.metadata.name;
}

/** The source shown in tables: the only one, or the first of several. */
export function primarySource(app: Application): ApplicationSource | undefined {
  return app.spec.source ?? app.spec.sources?.[0];
}

export function clusterOf(app: Application): string {
  return firstSet(app.spec.destination.server, app.spec.destination.name) ?? '';
}

function isAutomated(app: Application): boolean {
  const auto = app.spec.syncPolicy?.automated;
  return auto !== undefined && auto.enabled !== false;
}

/**
 * `Manual`, `Auto` or `Auto-Prune` (list, as argocd); for `get`, argocd's `Automated` and
 * `Automated (Prune)`, with self heal and allow empty added as the UI shows them:
 * `Automated (Prune, Self Heal)`.
 */
export function syncPolicyLabel(app: Application, style: 'list' | 'get'): string {
  if (!isAutomated(app)) return 'Manual';
  const auto = app.spec.syncPolicy?.automated;
  const prune = auto?.prune === true;
  if (style === 'list') return prune ? 'Auto-Prune' : 'Auto';
  const flags = [
    ...(prune ? ['Prune'] : []),
    ...(auto?.selfHeal ? ['Self Heal'] : []),
    ...(auto?.allowEmpty ? ['Allow Empty'] : []),
  ];
  return flags.length ? `Automated (${flags.join(', ')})` : 'Automated';
}

/** Condition types with counts, sorted: `SyncError,Warning(2)`; `<none>` when there are none. */
export function conditionsSummary(app: Application): string {
  const counts = new Map<string, number>();
  for (const c of app.status?.conditions ?? []) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
  const items = [...counts].map(([type, n]) => (n > 1 ? `${type}(${n})` : type)).sort();
  return items.length > 0 ? items.join(',') : '<none>';
}

const shaLike = /^[0-9a-f]{7,64}$/i;

function syncedRevision(app: Application): string {
  const sync = app.status?.sync;
  return sync?.revision ?? sync?.revisions?.[0] ?? '';
}

/** `Synced to main (abc1234)`, `OutOfSync from main (abc1234)`, or the bare status. */
export function syncStatusLabel(app: Application): string {
  const code = app.status?.sync?.status ?? 'Unknown';
  const target = firstSet(primarySource(app)?.targetRevision) ?? 'HEAD';
  let label = code;
  if (code === 'Synced') label += ` to ${target}`;
  else if (code === 'OutOfSync') label += ` from ${target}`;
  const revision = syncedRevision(app);
  // A SHA target already says which commit; a branch or tag gets the commit it resolved to.
  if (!shaLike.test(target) && revision.length > 7) label += ` (${revision.slice(0, 7)})`;
  return label;
}

const appListColumns: readonly Column<Application>[] = [
  { header: 'NAME', value: qualifiedName },
  { header: 'CLUSTER', value: clusterOf },
  { header: 'NAMESPACE', value: (a) => a.spec.destination.namespace ?? '' },
  { header: 'PROJECT', value: (a) => a.spec.project },
  { header: 'STATUS', value: (a) => status(a.status?.sync?.status) },
  { header: 'HEALTH', value: (a) => status(a.status?.health?.status) },
  { header: 'SYNCPOLICY', value: (a) => syncPolicyLabel(a, 'list') },
  { header: 'CONDITIONS', value: conditionsSummary },
  { header: 'REPO', value: (a) => primarySource(a)?.repoURL ?? '', wide: true },
  { header: 'PATH', value: (a) => primarySource(a)?.path ?? '', wide: true },
  { header: 'TARGET', value: (a) => primarySource(a)?.targetRevision ?? '', wide: true },
];

/**
 * `gitward app list`. Wide (REPO PATH TARGET) is on unless `wide: false`: Argo CD's `app list`
 * defaults to `-o wide`.
 */
export function renderAppList(
  apps: readonly Application[],
  opts: ViewOptions & { readonly wide?: boolean | undefined } = {},
): string[] {
  return renderTable(appListColumns, apps, { wide: opts.wide ?? true, color: opts.color });
}

/** One resource as `app get` and the progress lines show it. */
export interface ResourceState {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly status: string;
  readonly health: string;
  readonly hook: string;
  readonly message: string;
}

interface RefLike {
  readonly group?: string | undefined;
  readonly kind?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

export function resourceKey(r: RefLike): string {
  return `${r.group ?? ''}/${r.kind ?? ''}/${r.namespace ?? ''}/${r.name ?? ''}`;
}

function treeHealth(tree: ApplicationTree | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of tree?.nodes ?? []) {
    if (n.health?.status) m.set(resourceKey(n), n.health.status);
  }
  return m;
}

function state(r: RefLike, fields: Partial<ResourceState>): ResourceState {
  return {
    group: r.group ?? '',
    kind: r.kind ?? '',
    namespace: r.namespace ?? '',
    name: r.name ?? '',
    status: '',
    health: '',
    hook: '',
    message: '',
    ...fields,
  };
}

type SyncResult = NonNullable<
  NonNullable<NonNullable<Application['status']>['operationState']>['syncResult']
>;
type ResultResource = NonNullable<SyncResult['resources']>[number];
type LiveResource = NonNullable<NonNullable<Application['status']>['resources']>[number];

function resultState(
  res: ResultResource,
  live: LiveResource | undefined,
  healthOf: (own: string | undefined) => string,
): ResourceState {
  const hook = res.hookType ?? '';
  const message = res.message ?? '';
  if (live && hook === '') {
    return state(res, {
      status: live.status ?? '',
      health: healthOf(live.health?.status),
      message,
    });
  }
  // Argo CD's columns for hooks: STATUS is the hook's phase, HEALTH the result of its task.
  return state(res, { status: res.hookPhase ?? '', health: res.status ?? '', hook, message });
}

/**
 * The resources of an Application with the result of its last operation, as Argo CD's
 * getResourceStates: the last sync's results first (hooks show their hook phase as STATUS and
 * their result as HEALTH), then the other resources sorted. Health comes from status.resources
 * or, since it is no longer persisted there, from the resource tree when one is given.
 */
export function resourceStates(app: Application, tree?: ApplicationTree): ResourceState[] {
  const healthFromTree = treeHealth(tree);
  const byKey = new Map((app.status?.resources ?? []).map((r) => [resourceKey(r), r]));
  const healthOf = (key: string, own: string | undefined): string =>
    own ?? healthFromTree.get(key) ?? '';
  const out: ResourceState[] = [];
  for (const res of app.status?.operationState?.syncResult?.resources ?? []) {
    const key = resourceKey(res);
    out.push(resultState(res, byKey.get(key), (own) => healthOf(key, own)));
    byKey.delete(key);
  }
  const rest = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [key, r] of rest) {
    out.push(state(r, { status: r.status ?? '', health: healthOf(key, r.health?.status) }));
  }
  return out;
}

/** The resources table of `app get`: GROUP KIND NAMESPACE NAME STATUS HEALTH HOOK MESSAGE. */
export function renderAppResources(
  app: Application,
  opts: ViewOptions & { readonly tree?: ApplicationTree | undefined } = {},
): string[] {
  const header = ['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'STATUS', 'HEALTH', 'HOOK', 'MESSAGE'];
  const rows = resourceStates(app, opts.tree).map((s): CellValue[] => [
    s.group,
    s.kind,
    s.namespace,
    s.name,
    status(s.status),
    status(s.health),
    s.hook,
    s.message,
  ]);
  return alignRows([header, ...rows], opts);
}

function sourceFields(src: ApplicationSource, indent: string): [string, string | undefined][] {
  const first = indent === '' ? '' : '- ';
  const more = indent === '' ? '' : '  ';
  return [
    [`${first}Repo`, src.repoURL],
    [`${more}Target`, src.targetRevision ?? ''],
    [`${more}Path`, firstSet(src.path)],
    [`${more}Chart`, firstSet(src.chart)],
    [`${more}Ref`, firstSet(src.ref)],
    [
      `${more}Helm Values`,
      src.helm?.valueFiles?.length ? src.helm.valueFiles.join(',') : undefined,
    ],
    [`${more}Name Prefix`, firstSet(src.kustomize?.namePrefix)],
  ];
}

function sourcesFields(app: Application): [string, string | undefined][] {
  const sources = app.spec.sources ?? [];
  if (app.spec.source || sources.length === 0) {
    return app.spec.source ? sourceFields(app.spec.source, '') : [];
  }
  return [['Sources', ''], ...sources.flatMap((s) => sourceFields(s, '  '))];
}

export interface SummaryOptions extends ViewOptions {
  /** The UI link of the Application, if the caller knows it. */
  readonly url?: string | undefined;
  /** E.g. `Sync Allowed` / `Sync Denied`, from the syncwindows route. */
  readonly syncWindow?: string | undefined;
}

function healthLabel(app: Application): Cell {
  const h = app.status?.health;
  const code = h?.status ?? 'Unknown';
  return { text: h?.message ? `${code} (${h.message})` : code, color: statusColor(code) };
}

/** The summary block of `app get`, then its conditions table if it has conditions. */
export function renderAppSummary(app: Application, opts: SummaryOptions = {}): string[] {
  const syncCode = app.status?.sync?.status;
  const lines = renderFields(
    [
      ['Name', qualifiedName(app)],
      ['Project', app.spec.project],
      ['Server', clusterOf(app)],
      ['Namespace', app.spec.destination.namespace ?? ''],
      ['URL', opts.url],
      ...sourcesFields(app),
      ['SyncWindow', opts.syncWindow],
      ['Sync Policy', syncPolicyLabel(app, 'get')],
      ['Sync Status', { text: syncStatusLabel(app), color: statusColor(syncCode) }],
      ['Health Status', healthLabel(app)],
    ],
    opts,
  );
  const conditions = app.status?.conditions ?? [];
  if (conditions.length === 0) return lines;
  const rows = conditions.map((c) => [c.type, c.message, c.lastTransitionTime ?? '']);
  return [...lines, '', ...alignRows([['CONDITION', 'MESSAGE', 'LAST TRANSITION'], ...rows])];
}

export interface AppGetOptions extends SummaryOptions {
  readonly tree?: ApplicationTree | undefined;
  /** `tree` draws the resources by ownership (`-o tree`); needs `tree`. */
  readonly view?: 'table' | 'tree' | undefined;
  /** Add the last operation's block (`--show-operation`). */
  readonly showOperation?: boolean | undefined;
  readonly now?: (() => Date) | undefined;
}

/** `gitward app get NAME` in full: summary, optional operation, then resources. */
export function renderAppGet(app: Application, opts: AppGetOptions = {}): string[] {
  const lines = renderAppSummary(app, opts);
  const op = app.status?.operationState;
  if (opts.showOperation && op) lines.push('', ...renderOperationState(op, opts));
  const resources =
    opts.view === 'tree' && opts.tree
      ? renderAppTree(app, opts.tree, opts)
      : (app.status?.resources?.length ?? 0) > 0
        ? renderAppResources(app, opts)
        : [];
  if (resources.length > 0) lines.push('', ...resources);
  return lines;
}

interface TreeItem {
  readonly ref: RefLike;
  readonly node?: ResourceNode;
  readonly children: TreeItem[];
}

function byRef(a: TreeItem, b: TreeItem): number {
  const ka = `${a.ref.kind ?? ''}/${a.ref.name ?? ''}/${resourceKey(a.ref)}`;
  const kb = `${b.ref.kind ?? ''}/${b.ref.name ?? ''}/${resourceKey(b.ref)}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function parentOf(
  ref: ResourceRef,
  byUid: Map<string, TreeItem>,
  byKey: Map<string, TreeItem>,
): TreeItem | undefined {
  return (ref.uid ? byUid.get(ref.uid) : undefined) ?? byKey.get(resourceKey(ref));
}

/**
 * Builds the forest from parentRefs. Managed resources the tree does not hold (not created
 * yet) become roots too: that a Deployment is missing is the thing to see.
 */
function buildForest(
  nodes: readonly ResourceNode[],
  states: readonly ResourceState[],
): { roots: TreeItem[]; items: TreeItem[] } {
  const items = nodes.map((node): TreeItem => ({ ref: node, node, children: [] }));
  const byUid = new Map(items.flatMap((i) => (i.node?.uid ? [[i.node.uid, i] as const] : [])));
  const byKey = new Map(items.map((i) => [resourceKey(i.ref), i]));
  const roots: TreeItem[] = [];
  for (const item of items) {
    const parents = (item.node?.parentRefs ?? [])
      .map((p) => parentOf(p, byUid, byKey))
      .filter((p): p is TreeItem => p !== undefined && p !== item);
    // A node with several owners is drawn under the first; drawing it twice reads as two objects.
    const parent = parents[0];
    if (parent) parent.children.push(item);
    else roots.push(item);
  }
  for (const s of states) {
    if (!byKey.has(resourceKey(s))) roots.push({ ref: s, children: [] });
  }
  const sortAll = (list: TreeItem[]): void => {
    list.sort(byRef);
    for (const i of list) sortAll(i.children);
  };
  sortAll(roots);
  return { roots, items: [...items].sort(byRef) };
}

/** `-o tree`: KIND/NAME STATUS HEALTH MESSAGE, children under their owners. */
export function renderAppTree(
  app: Application,
  tree: ApplicationTree,
  opts: ViewOptions = {},
): string[] {
  const states = resourceStates(app, tree);
  const stateByKey = new Map(states.map((s) => [resourceKey(s), s]));
  const rows: CellValue[][] = [['KIND/NAME', 'STATUS', 'HEALTH', 'MESSAGE']];
  const seen = new Set<TreeItem>();
  const walk = (item: TreeItem, prefix: string, childPrefix: string): void => {
    // parentRefs come from the cluster: a cycle must not hang the CLI.
    if (seen.has(item)) return;
    seen.add(item);
    const s = stateByKey.get(resourceKey(item.ref));
    const health = firstSet(s?.health, item.node?.health?.status) ?? '';
    const label = `${prefix}${item.ref.kind ?? ''}/${item.ref.name ?? ''}`;
    rows.push([label, status(s?.status), status(health), s?.message ?? '']);
    item.children.forEach((child, i) => {
      const last = i === item.children.length - 1;
      walk(child, `${childPrefix}${last ? '└─' : '├─'}`, `${childPrefix}${last ? '  ' : '│ '}`);
    });
  };
  const forest = buildForest(tree.nodes ?? [], states);
  for (const root of forest.roots) walk(root, '', '');
  // Nodes whose owners form a cycle are reachable from no root: each cycle starts at its first.
  for (const item of forest.items) if (!seen.has(item)) walk(item, '', '');
  return alignRows(rows, opts);
}

/** Go's time.Duration format at second precision: `0s`, `45s`, `2m5s`, `1h0m3s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${m}m${rest}s`;
  if (m > 0) return `${m}m${rest}s`;
  return `${rest}s`;
}

type OperationState = NonNullable<NonNullable<Application['status']>['operationState']>;

function duration(op: OperationState, now: () => Date): string | undefined {
  if (!op.startedAt) return undefined;
  const start = Date.parse(op.startedAt);
  const end = op.finishedAt ? Date.parse(op.finishedAt) : now().getTime();
  return Number.isNaN(start) || Number.isNaN(end)
    ? undefined
    : formatDuration((end - start) / 1000);
}

/** The operation block `app sync`, `app wait` and `app get --show-operation` print. */
export function renderOperationState(
  op: OperationState,
  opts: ViewOptions & { readonly now?: (() => Date) | undefined } = {},
): string[] {
  const result = op.syncResult;
  const revision = result?.revisions?.length ? result.revisions.join(', ') : result?.revision;
  return renderFields(
    [
      ['Operation', (result ?? op.operation?.sync) ? 'Sync' : undefined],
      ['Sync Revision', result ? (revision ?? '') : undefined],
      ['Phase', status(op.phase)],
      ['Start', op.startedAt ?? ''],
      ['Finished', op.finishedAt ?? ''],
      ['Duration', duration(op, opts.now ?? (() => new Date()))],
      ['Message', firstSet(op.message)],
    ],
    opts,
  );
}

function historyRevision(target: string | undefined, revision: string | undefined): string {
  const t = firstSet(target) ?? 'HEAD';
  return revision && revision.length >= 7 ? `${t} (${revision.slice(0, 7)})` : t;
}

/**
 * `app history`: per source repository, `SOURCE <repo>` then ID DATE REVISION (Argo CD
 * groups by repository so multi-source Applications read one repository at a time).
 */
export function renderHistory(app: Application): string[] {
  const groups = new Map<string, CellValue[][]>();
  const add = (repo: string, row: CellValue[]): void => {
    const rows = groups.get(repo) ?? [];
    rows.push(row);
    groups.set(repo, rows);
  };
  for (const h of app.status?.history ?? []) {
    const date = h.deployedAt ?? '';
    const sources = h.sources ?? (h.source ? [h.source] : []);
    sources.forEach((src, i) => {
      const rev = h.sources ? h.revisions?.[i] : h.revision;
      add(src.repoURL, [String(h.id), date, historyRevision(src.targetRevision, rev)]);
    });
    if (sources.length === 0) add('', [String(h.id), date, historyRevision(undefined, h.revision)]);
  }
  const out: string[] = [];
  for (const [repo, rows] of groups) {
    if (out.length > 0) out.push('');
    out.push(...alignRows([['SOURCE', repo], ['ID', 'DATE', 'REVISION'], ...rows]));
  }
  return out;
}

/** `app history -o id`: the ids, one per line. */
export function historyIds(app: Application): string[] {
  return (app.status?.history ?? []).map((h) => String(h.id));
}

/** Tracks one operation's progress and says what changed since the last update. */
export interface ProgressTracker {
  /** Lines to print for this snapshot of the Application (empty when nothing changed). */
  update(app: Application, tree?: ApplicationTree): string[];
}

const progressHeader = [
  'TIMESTAMP',
  'GROUP',
  'KIND',
  'NAMESPACE',
  'NAME',
  'STATUS',
  'HEALTH',
  'HOOK',
  'MESSAGE',
];

/** RFC 3339 at second precision, like Go's time.RFC3339. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Copies non-empty fields of `next` that differ (Argo CD's resourceState.Merge). */
function merge(prev: ResourceState, next: ResourceState): ResourceState | undefined {
  const fields = ['status', 'health', 'hook', 'message'] as const;
  const changed = fields.filter((f) => next[f] !== '' && next[f] !== prev[f]);
  if (changed.length === 0) return undefined;
  return { ...prev, ...Object.fromEntries(changed.map((f) => [f, next[f]])) };
}

/**
 * The progress lines of `app sync` / `app wait`: a line when the operation's phase or message
 * changes, and a TIMESTAMP GROUP KIND NAMESPACE NAME STATUS HEALTH HOOK MESSAGE row per
 * resource whose state changed. Column widths only grow, so rows printed minutes apart still
 * line up as far as they can.
 */
export function createProgressTracker(
  opts: ViewOptions & { readonly now?: (() => Date) | undefined } = {},
): ProgressTracker {
  const now = opts.now ?? (() => new Date());
  const states = new Map<string, ResourceState>();
  let widths: number[] = [];
  let headerShown = false;
  let lastOp = '';
  return {
    update(app, tree) {
      const ts = timestamp(now());
      const out: string[] = [];
      const op = app.status?.operationState;
      const opKey = op ? `${op.phase ?? ''}\n${op.message ?? ''}` : '';
      if (op && opKey !== lastOp) {
        const phase = paint(op.phase ?? 'Unknown', statusColor(op.phase), opts.color);
        out.push(`${ts}  Operation ${phase}${op.message ? `: ${op.message}` : ''}`);
      }
      lastOp = opKey;
      const rows: CellValue[][] = [];
      for (const next of resourceStates(app, tree)) {
        const key = resourceKey(next);
        const prev = states.get(key);
        const merged = prev ? merge(prev, next) : next;
        if (!merged) continue;
        states.set(key, merged);
        const m = merged;
        rows.push([
          ts,
          m.group,
          m.kind,
          m.namespace,
          m.name,
          status(m.status),
          status(m.health),
          m.hook,
          m.message,
        ]);
      }
      if (rows.length === 0) return out;
      const withHeader = headerShown ? rows : [progressHeader, ...rows];
      headerShown = true;
      widths = columnWidths(withHeader, widths);
      return [...out, ...withHeader.map((r) => formatRow(r, widths, opts))];
    },
  };
}
