import { describe, expect, it } from 'vitest';
import type { AppProjectSpec } from '@gitward/model';
import {
  addDestination,
  addRolePolicy,
  addSource,
  addWindow,
  createRole,
  deleteRole,
  deleteWindow,
  editResourceList,
  removeDestination,
  removeRolePolicy,
  removeSource,
  rolePolicy,
  type EditResult,
  type ResourceVerb,
} from './proj-edit.ts';

const repo = 'https://github.com/acme/app.git';

function specOf(r: EditResult): AppProjectSpec {
  if (!r.ok) throw new Error(r.reason);
  return r.spec;
}

describe('sources', () => {
  it.each<[string, AppProjectSpec, string, string[] | undefined, boolean]>([
    ['adds to an empty project', {}, repo, [repo], true],
    [
      'keeps a same URL spelt differently',
      { sourceRepos: [repo] },
      'https://GitHub.com/acme/app',
      [repo],
      false,
    ],
    ['adds nothing when * allows all', { sourceRepos: ['*'] }, repo, ['*'], false],
    [
      'adds a deny even when * is there',
      { sourceRepos: ['*'] },
      `!${repo}`,
      ['*', `!${repo}`],
      true,
    ],
  ])('add-source %s', (_, spec, url, want, isChanged) => {
    const r = addSource(spec, url);
    expect(specOf(r).sourceRepos).toEqual(want);
    expect(r.ok && r.changed).toBe(isChanged);
  });

  it.each<[string, string[], string, string[], boolean]>([
    ['removes it', [repo, '*'], repo, ['*'], true],
    ['removes a loosely equal URL', [repo], 'https://github.com/acme/app/', [], true],
    ['reports a missing one', ['*'], repo, ['*'], false],
  ])('remove-source %s', (_, repos, url, want, isChanged) => {
    const r = removeSource({ sourceRepos: repos }, url);
    expect(specOf(r).sourceRepos).toEqual(want);
    expect(r.ok && r.changed).toBe(isChanged);
  });
});

describe('destinations', () => {
  const server = 'https://kubernetes.default.svc';
  it.each([
    [{}, { server, namespace: 'shop' }, [{ server, namespace: 'shop' }]],
    [
      {},
      { server: 'in-cluster', namespace: '*', byName: true },
      [{ name: 'in-cluster', namespace: '*' }],
    ],
  ])('add-destination %#', (spec, ref, want) => {
    expect(specOf(addDestination(spec, ref)).destinations).toEqual(want);
  });

  it('refuses a duplicate, and removing one that is not there', () => {
    const spec = { destinations: [{ server, namespace: 'shop' }] };
    expect(addDestination(spec, { server, namespace: 'shop' })).toEqual({
      ok: false,
      reason: 'Specified destination is already defined in project',
    });
    expect(removeDestination(spec, { server, namespace: 'other' }).ok).toBe(false);
    expect(specOf(removeDestination(spec, { server, namespace: 'shop' })).destinations).toEqual([]);
  });
});

describe('resource lists (Argo CD semantics)', () => {
  const ns = { group: '', kind: 'Namespace' };
  const rq = { group: '', kind: 'ResourceQuota' };
  it.each<[string, Omit<ResourceVerb, 'group' | 'kind'>, AppProjectSpec, AppProjectSpec]>([
    [
      'allow-cluster-resource adds to the allow list',
      { verb: 'allow', scope: 'cluster' },
      {},
      { clusterResourceWhitelist: [ns] },
    ],
    [
      'deny-cluster-resource removes from the allow list',
      { verb: 'deny', scope: 'cluster' },
      { clusterResourceWhitelist: [ns, rq] },
      { clusterResourceWhitelist: [rq] },
    ],
    [
      'deny-cluster-resource --list deny adds to the deny list',
      { verb: 'deny', scope: 'cluster', list: 'deny' },
      {},
      { clusterResourceBlacklist: [ns] },
    ],
    [
      'allow-cluster-resource --list deny removes from the deny list',
      { verb: 'allow', scope: 'cluster', list: 'deny' },
      { clusterResourceBlacklist: [ns] },
      { clusterResourceBlacklist: [] },
    ],
    [
      'deny-namespace-resource adds to the deny list',
      { verb: 'deny', scope: 'namespace' },
      {},
      { namespaceResourceBlacklist: [ns] },
    ],
    [
      'allow-namespace-resource removes from the deny list',
      { verb: 'allow', scope: 'namespace' },
      { namespaceResourceBlacklist: [ns] },
      { namespaceResourceBlacklist: [] },
    ],
    [
      'allow-namespace-resource --list allow adds to the allow list',
      { verb: 'allow', scope: 'namespace', list: 'allow' },
      {},
      { namespaceResourceWhitelist: [ns] },
    ],
    [
      'deny-namespace-resource --list allow removes from the allow list',
      { verb: 'deny', scope: 'namespace', list: 'allow' },
      { namespaceResourceWhitelist: [rq, ns] },
      { namespaceResourceWhitelist: [rq] },
    ],
  ])('%s', (_, verb, spec, want) => {
    const r = editResourceList(spec, { ...verb, ...ns });
    expect(specOf(r)).toEqual(want);
    expect(r.ok && r.changed).toBe(true);
  });

  it.each<[Omit<ResourceVerb, 'group' | 'kind'>, AppProjectSpec, string]>([
    [
      { verb: 'allow', scope: 'cluster' },
      { clusterResourceWhitelist: [ns] },
      "Group '' and kind 'Namespace' already present in allowed cluster resources",
    ],
    [
      { verb: 'allow', scope: 'namespace' },
      {},
      "Group '' and kind 'Namespace' not in denied namespaced resources",
    ],
  ])('leaves the spec alone when there is nothing to do %#', (verb, spec, message) => {
    expect(editResourceList(spec, { ...verb, ...ns })).toEqual({
      ok: true,
      spec,
      changed: false,
      message,
    });
  });
});

describe('sync windows', () => {
  const window = {
    kind: 'deny' as const,
    schedule: '0 22 * * *',
    duration: '1h',
    applications: ['*'],
  };
  it('adds a valid window and deletes it by index', () => {
    const added = specOf(addWindow({ syncWindows: [{ ...window, kind: 'allow' }] }, window));
    expect(added.syncWindows).toEqual([{ ...window, kind: 'allow' }, window]);
    expect(specOf(deleteWindow(added, '0')).syncWindows).toEqual([window]);
  });
  it.each([
    [{ ...window, schedule: 'every night' }],
    [{ ...window, duration: 'long' }],
    [{ ...window, kind: 'maybe' as 'allow' }],
  ])('refuses an invalid window %#', (w) => {
    expect(addWindow({}, w).ok).toBe(false);
  });
  it.each(['1', '-1', 'x', ''])('refuses to delete a missing window id %j', (id) => {
    expect(deleteWindow({ syncWindows: [window] }, id)).toEqual({
      ok: false,
      reason: `window with id '${id}' not found`,
    });
  });
});

describe('roles', () => {
  const policy = {
    project: 'team',
    role: 'ci',
    action: 'sync',
    permission: 'allow',
    object: '*',
  };
  it('writes the casbin line Argo CD writes', () => {
    expect(rolePolicy(policy)).toBe('p, proj:team:ci, applications, sync, team/*, allow');
  });
  it('creates a role, adds and removes a policy, deletes the role', () => {
    const created = specOf(createRole({}, 'ci', 'pipelines'));
    expect(created.roles).toEqual([{ name: 'ci', description: 'pipelines' }]);
    expect(createRole(created, 'ci')).toMatchObject({ ok: true, changed: false });
    const withPolicy = specOf(addRolePolicy(created, policy));
    expect(withPolicy.roles?.[0]?.policies).toEqual([rolePolicy(policy)]);
    expect(addRolePolicy(withPolicy, policy)).toMatchObject({ ok: true, changed: false });
    expect(specOf(removeRolePolicy(withPolicy, policy)).roles?.[0]?.policies).toEqual([]);
    expect(specOf(deleteRole(withPolicy, 'ci')).roles).toEqual([]);
  });
  it.each([
    [{ ...policy, role: 'nobody' }, "role 'nobody' does not exist in project"],
    [{ ...policy, permission: 'maybe' }, '--permission must be allow or deny, got maybe'],
    [{ ...policy, action: '' }, '--action is required'],
  ])('refuses a bad policy %#', (p, reason) => {
    expect(addRolePolicy({ roles: [{ name: 'ci' }] }, p)).toEqual({ ok: false, reason });
  });
});
