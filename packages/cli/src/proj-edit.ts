/**
 * Pure edits of an AppProject spec behind the `gitward proj ...` verbs (sources, destinations,
 * resource allow/deny lists, sync windows, roles), with Argo CD's CLI semantics and messages.
 * Each returns the new spec and whether anything changed (an unchanged spec is not written back),
 * or the reason the edit is refused.
 */
import type { AppProjectSpec } from '@gitward/model';
import { normalizeRepoUrl, validateSyncWindow, type SyncWindow } from '@gitward/engine';

export type EditResult =
  | {
      readonly ok: true;
      readonly spec: AppProjectSpec;
      readonly changed: boolean;
      readonly message: string;
    }
  | { readonly ok: false; readonly reason: string };

type Role = NonNullable<AppProjectSpec['roles']>[number];
type GroupKind = { group: string; kind: string };

const changed = (spec: AppProjectSpec, message: string): EditResult => ({
  ok: true,
  spec,
  changed: true,
  message,
});
const unchanged = (spec: AppProjectSpec, message: string): EditResult => ({
  ok: true,
  spec,
  changed: false,
  message,
});
const refused = (reason: string): EditResult => ({ ok: false, reason });

// Argo CD compares repository URLs loosely (git.SameURL); `!url` denies are compared verbatim.
const sameRepo = (a: string, b: string): boolean =>
  a === b ||
  (!a.startsWith('!') && !b.startsWith('!') && normalizeRepoUrl(a) === normalizeRepoUrl(b));

/** `proj add-source P URL`: `!URL` adds a deny; `*` already allows everything. */
export function addSource(spec: AppProjectSpec, url: string): EditResult {
  const repos = spec.sourceRepos ?? [];
  if (!url.startsWith('!') && repos.includes('*'))
    return unchanged(spec, "Source repository '*' already allowed in project");
  const found = repos.find((r) => sameRepo(r, url));
  if (found !== undefined)
    return unchanged(spec, `Source repository '${found}' already allowed in project`);
  return changed({ ...spec, sourceRepos: [...repos, url] }, `Source repository '${url}' added`);
}

/** `proj remove-source P URL`. */
export function removeSource(spec: AppProjectSpec, url: string): EditResult {
  const repos = spec.sourceRepos ?? [];
  const kept = repos.filter((r) => !sameRepo(r, url));
  if (kept.length === repos.length)
    return unchanged(spec, `Source repository '${url}' does not exist in project`);
  return changed({ ...spec, sourceRepos: kept }, `Source repository '${url}' removed`);
}

/** A destination by cluster URL, or by cluster name (`--name`). */
export interface DestinationRef {
  readonly server: string;
  readonly namespace: string;
  readonly byName?: boolean;
}

function sameDestination(
  d: NonNullable<AppProjectSpec['destinations']>[number],
  ref: DestinationRef,
): boolean {
  const cluster = ref.byName ? d.name : d.server;
  return cluster === ref.server && (d.namespace ?? '') === ref.namespace;
}

/** `proj add-destination P SERVER NAMESPACE [--name]`: a duplicate is an error, as in Argo CD. */
export function addDestination(spec: AppProjectSpec, ref: DestinationRef): EditResult {
  const dests = spec.destinations ?? [];
  if (dests.some((d) => sameDestination(d, ref)))
    return refused('Specified destination is already defined in project');
  const dest = ref.byName
    ? { name: ref.server, namespace: ref.namespace }
    : { server: ref.server, namespace: ref.namespace };
  return changed(
    { ...spec, destinations: [...dests, dest] },
    `Destination '${ref.server}' namespace '${ref.namespace}' added`,
  );
}

/** `proj remove-destination P SERVER NAMESPACE [--name]`. */
export function removeDestination(spec: AppProjectSpec, ref: DestinationRef): EditResult {
  const dests = spec.destinations ?? [];
  const kept = dests.filter((d) => !sameDestination(d, ref));
  if (kept.length === dests.length)
    return refused('Specified destination does not exist in project');
  return changed(
    { ...spec, destinations: kept },
    `Destination '${ref.server}' namespace '${ref.namespace}' removed`,
  );
}

export type ResourceScope = 'cluster' | 'namespace';
export type ListKind = 'allow' | 'deny';

export interface ResourceVerb {
  /** `allow-*-resource` or `deny-*-resource`. */
  readonly verb: ListKind;
  readonly scope: ResourceScope;
  /** `--list`; Argo CD's default is the allow list for cluster kinds, the deny list for namespaced. */
  readonly list?: ListKind | undefined;
  readonly group: string;
  readonly kind: string;
}

const listKey = {
  cluster: { allow: 'clusterResourceWhitelist', deny: 'clusterResourceBlacklist' },
  namespace: { allow: 'namespaceResourceWhitelist', deny: 'namespaceResourceBlacklist' },
} as const;

/**
 * `proj allow|deny-cluster-resource` and `allow|deny-namespace-resource`: allowing adds to the
 * allow list or removes from the deny list (whichever `--list` names); denying does the opposite.
 */
export function editResourceList(spec: AppProjectSpec, v: ResourceVerb): EditResult {
  const list = v.list ?? (v.scope === 'cluster' ? 'allow' : 'deny');
  const key = listKey[v.scope][list];
  const add = v.verb === list;
  const desc = `${list === 'allow' ? 'allowed' : 'denied'} ${v.scope === 'cluster' ? 'cluster' : 'namespaced'} resources`;
  const items: readonly GroupKind[] = spec[key] ?? [];
  const what = `Group '${v.group}' and kind '${v.kind}'`;
  const present = items.some((i) => i.group === v.group && i.kind === v.kind);
  if (add) {
    if (present) return unchanged(spec, `${what} already present in ${desc}`);
    return changed(
      { ...spec, [key]: [...items, { group: v.group, kind: v.kind }] },
      `${what} is added to ${desc}`,
    );
  }
  if (!present) return unchanged(spec, `${what} not in ${desc}`);
  return changed(
    { ...spec, [key]: items.filter((i) => !(i.group === v.group && i.kind === v.kind)) },
    `${what} is removed from ${desc}`,
  );
}

/** `proj windows add`: validated as the API server validates it. */
export function addWindow(spec: AppProjectSpec, window: SyncWindow): EditResult {
  const problems = validateSyncWindow(window);
  if (problems.length > 0) return refused(`cannot create window: ${problems.join('; ')}`);
  const windows = spec.syncWindows ?? [];
  return changed({ ...spec, syncWindows: [...windows, window] }, 'Sync window added');
}

/** `proj windows delete P ID`: the ID is the window's index, as `windows list` shows it. */
export function deleteWindow(spec: AppProjectSpec, id: string): EditResult {
  const windows = spec.syncWindows ?? [];
  const n = /^\d+$/.test(id) ? Number(id) : -1;
  if (n < 0 || n >= windows.length) return refused(`window with id '${id}' not found`);
  return changed(
    { ...spec, syncWindows: windows.filter((_, i) => i !== n) },
    `Sync window ${id} deleted`,
  );
}

/** `proj role create P ROLE`: an existing role is left alone, as in Argo CD. */
export function createRole(spec: AppProjectSpec, name: string, description?: string): EditResult {
  const roles = spec.roles ?? [];
  if (roles.some((r) => r.name === name)) return unchanged(spec, `Role '${name}' already exists`);
  const role: Role = { name, ...(description ? { description } : {}) };
  return changed({ ...spec, roles: [...roles, role] }, `Role '${name}' created`);
}

/** `proj role delete P ROLE`: its tokens stop working with it. */
export function deleteRole(spec: AppProjectSpec, name: string): EditResult {
  const roles = spec.roles ?? [];
  if (!roles.some((r) => r.name === name))
    return unchanged(spec, `Role '${name}' does not exist in project`);
  return changed(
    { ...spec, roles: roles.filter((r) => r.name !== name) },
    `Role '${name}' deleted`,
  );
}

export interface PolicyRef {
  readonly project: string;
  readonly role: string;
  readonly action: string;
  readonly permission: string;
  /** The application name (glob); the policy names it as `PROJECT/OBJECT`. */
  readonly object: string;
  /** Argo CD's `--resource`, `applications` by default. */
  readonly resource?: string | undefined;
}

/** The casbin line Argo CD writes for a project role: `p, proj:P:R, RES, ACT, P/OBJ, PERM`. */
export function rolePolicy(p: PolicyRef): string {
  const resource = p.resource ?? 'applications';
  return `p, proj:${p.project}:${p.role}, ${resource}, ${p.action}, ${p.project}/${p.object}, ${p.permission}`;
}

function editRole(
  spec: AppProjectSpec,
  name: string,
  edit: (r: Role) => { role: Role; message: string } | undefined,
  noop: string,
): EditResult {
  const roles = spec.roles ?? [];
  const role = roles.find((r) => r.name === name);
  if (!role) return refused(`role '${name}' does not exist in project`);
  const out = edit(role);
  if (!out) return unchanged(spec, noop);
  return changed({ ...spec, roles: roles.map((r) => (r === role ? out.role : r)) }, out.message);
}

function checkPolicy(p: PolicyRef): string | undefined {
  if (p.permission !== 'allow' && p.permission !== 'deny')
    return `--permission must be allow or deny, got ${p.permission}`;
  if (p.action === '') return '--action is required';
  return undefined;
}

/** `proj role add-policy P ROLE -a ACTION -p allow|deny -o OBJECT`. */
export function addRolePolicy(spec: AppProjectSpec, p: PolicyRef): EditResult {
  const problem = checkPolicy(p);
  if (problem) return refused(problem);
  const line = rolePolicy(p);
  return editRole(
    spec,
    p.role,
    (r) =>
      (r.policies ?? []).includes(line)
        ? undefined
        : {
            role: { ...r, policies: [...(r.policies ?? []), line] },
            message: `Policy '${line}' added`,
          },
    `Policy '${line}' already present`,
  );
}

/** `proj role remove-policy P ROLE -a ACTION -p allow|deny -o OBJECT`. */
export function removeRolePolicy(spec: AppProjectSpec, p: PolicyRef): EditResult {
  const problem = checkPolicy(p);
  if (problem) return refused(problem);
  const line = rolePolicy(p);
  return editRole(
    spec,
    p.role,
    (r) =>
      (r.policies ?? []).includes(line)
        ? {
            role: { ...r, policies: (r.policies ?? []).filter((l) => l !== line) },
            message: `Policy '${line}' removed`,
          }
        : undefined,
    `Policy '${line}' not present`,
  );
}
