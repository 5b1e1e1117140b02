import { describe, expect, it } from 'vitest';
import type { ApiResource, ApiResourceIndex } from '@gitward/infra';
import type { Application, AppProject, KubeObject } from '@gitward/model';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../http/api-error.ts';
import { appResourceRoutes } from './app-resources.ts';
import type { TreeCaches } from '../cluster/tree-cache.ts';
import type { TargetSource } from '../target-state.ts';
import type { RouteRequest } from './route.ts';

// The live-state routes over a stub in-cluster client: the app's manifests name an object of its
// own namespace and one of another team's; only the first may ever be read back.

const resources: ApiResource[] = [
  {
    group: '',
    version: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespaced: true,
    verbs: ['get', 'list'],
    preferred: true,
  },
  {
    group: '',
    version: 'v1',
    kind: 'PersistentVolume',
    plural: 'persistentvolumes',
    namespaced: false,
    verbs: ['get', 'list'],
    preferred: true,
  },
  {
    group: 'apps',
    version: 'v1',
    kind: 'ReplicaSet',
    plural: 'replicasets',
    namespaced: true,
    verbs: ['get', 'list'],
    preferred: true,
  },
];
const index: ApiResourceIndex = {
  resources,
  lookup: (g, k) => resources.find((r) => r.group === g && r.kind === k),
  apiVersions: () => ['v1', 'apps/v1'],
};

const project: AppProject = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'team-a' },
  spec: {
    sourceRepos: ['*'],
    destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'team-a' }],
  },
};

const app: Application = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web' },
  spec: {
    project: 'team-a',
    source: { repoURL: 'https://git.example/a.git', path: '.' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'team-a' },
  },
  status: {
    resources: [
      { group: '', version: 'v1', kind: 'Secret', namespace: 'team-a', name: 'own' },
      { group: '', version: 'v1', kind: 'Secret', namespace: 'team-b', name: 'stolen' },
      { group: '', version: 'v1', kind: 'PersistentVolume', name: 'pv' },
    ],
  },
};

/** Every object exists live: a Secret with a value, a PV; each read is recorded. */
function liveObject(path: string): KubeObject | undefined {
  const ns = /\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(path);
  if (ns?.[1] && ns[2])
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: ns[2], namespace: ns[1], uid: `uid-${ns[1]}-${ns[2]}` },
      data: { token: Buffer.from(`value of ${ns[1]}/${ns[2]}`).toString('base64') },
    };
  const pv = /\/persistentvolumes\/([^/]+)$/.exec(path);
  if (pv?.[1])
    return { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: pv[1], uid: 'uid-pv' } };
  return undefined;
}

/** A ReplicaSet in team-b claiming the stolen Secret as owner: it must not join the tree. */
const orphanChild: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'rs',
    namespace: 'team-b',
    uid: 'uid-rs',
    ownerReferences: [{ uid: 'uid-team-b-stolen' }],
  },
};

/** The writes the routes sent to the cluster: method, path and options. */
const writes: { method: string; path: string; opts: unknown }[] = [];

function request(
  query: Record<string, string> = {},
  projects: AppProject[] = [project],
  body?: unknown,
  target?: TargetSource,
  trees?: TreeCaches,
) {
  const kube = {
    request: (m: string, path: string, opts?: unknown) => {
      if (m !== 'GET') writes.push({ method: m, path, opts });
      const body = liveObject(path);
      return Promise.resolve(body ? { status: 200, body } : { status: 404, body: {} });
    },
    list: (path: string) =>
      Promise.resolve({ items: path.includes('/namespaces/team-b/') ? [orphanChild] : [] }),
    discover: () => Promise.resolve(index),
  };
  const ctx = {
    kube,
    settings: { get: () => Promise.resolve({ projects, cm: {} }) },
    ...(target ? { target } : {}),
    ...(trees ? { trees } : {}),
    store: { secretsOfType: () => Promise.resolve([]) },
  } as unknown as ServerContext;
  return {
    params: { name: 'web' },
    ctx,
    query: (n: string) => query[n],
    json: () => Promise.resolve(body),
    app: () => Promise.resolve(app),
  } as unknown as RouteRequest;
}

const route = (path: string, method = 'GET') => {
  const found = appResourceRoutes.find(
    (r) => r.method === method && r.path === `/api/v1/applications/:name/${path}`,
  );
  if (!found) throw new Error(`no route ${path}`);
  return found;
};

describe('live state of an app is limited to what its project permits', () => {
  it("resource-tree leaves out another team's object, a forbidden kind, and their children", async () => {
    const tree = (await route('resource-tree').handle(request())) as {
      nodes: { namespace?: string; name: string }[];
    };
    expect(tree.nodes.map((n) => `${n.namespace ?? ''}/${n.name}`)).toEqual(['team-a/own']);
  });

  it('resource-tree reads children from the owner index, in the managed namespaces only', async () => {
    const child = (name: string, namespace: string, owner: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, namespace, uid: `uid-${name}`, ownerReferences: [{ uid: owner }] },
    });
    const owned: Record<string, KubeObject[]> = {
      // A dependent claiming the app's object from another namespace stays out.
      'uid-team-a-own': [
        child('rs-a', 'team-a', 'uid-team-a-own'),
        child('rs-x', 'team-b', 'uid-team-a-own'),
      ],
      'uid-rs-a': [child('pod-a', 'team-a', 'uid-rs-a')],
      // Dependents of a forbidden kind's object and of another team's object.
      'uid-pv': [child('rs-pv', 'team-a', 'uid-pv')],
      'uid-team-b-stolen': [orphanChild],
    };
    const asked: unknown[] = [];
    const trees = {
      childrenOf: (...args: unknown[]) => {
        asked.push(args);
        return Promise.resolve((uid: string) => owned[uid] ?? []);
      },
    } as unknown as TreeCaches;
    const tree = (await route('resource-tree').handle(
      request({}, [project], undefined, undefined, trees),
    )) as { nodes: { namespace?: string; name: string; parentRefs?: { uid: string }[] }[] };
    expect(tree.nodes.map((n) => `${n.namespace ?? ''}/${n.name}`)).toEqual([
      'team-a/own',
      'team-a/rs-a',
      'team-a/pod-a',
    ]);
    expect(tree.nodes[2]?.parentRefs?.map((p) => p.uid)).toEqual(['uid-rs-a']);
    expect(asked).toEqual([['https://kubernetes.default.svc', expect.anything(), []]]);
  });

  it("resource refuses another team's object with 404, as an object not of the app", async () => {
    const err: unknown = await route('resource')
      .handle(request({ kind: 'Secret', namespace: 'team-b', resourceName: 'stolen' }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
  });

  it('resource still returns an object of the app, masked', async () => {
    const out = (await route('resource').handle(
      request({ kind: 'Secret', namespace: 'team-a', resourceName: 'own' }),
    )) as { manifest: string };
    expect(out.manifest).toContain('"name":"own"');
    expect(out.manifest).not.toContain(Buffer.from('value of team-a/own').toString('base64'));
  });

  it("managed-resources shows no live state of another team's object", async () => {
    const out = (await route('managed-resources').handle(request())) as {
      items: { namespace: string; name: string; liveState: string }[];
    };
    const live = Object.fromEntries(out.items.map((i) => [i.name, i.liveState]));
    expect(live['stolen']).toBe('null');
    expect(live['pv']).toBe('null');
    expect(live['own']).toContain('"name":"own"');
    expect(JSON.stringify(out)).not.toContain('uid-team-b-stolen');
  });

  it("managed-resources dry-runs the app's own objects only, never another team's", async () => {
    writes.length = 0;
    const secret = (namespace: string, name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace },
      data: { token: Buffer.from('from git').toString('base64') },
    });
    const target: TargetSource = {
      render: () =>
        Promise.resolve({
          ok: true,
          objects: [secret('team-a', 'own'), secret('team-b', 'stolen')],
          revision: 'abc',
          sourceType: 'Directory',
        }),
    };
    const out = (await route('managed-resources').handle(
      request({}, [project], undefined, target),
    )) as { items: { name: string; predictedLiveState: string }[] };
    expect(writes.map((w) => [w.method, w.path, (w.opts as { query?: object }).query])).toEqual([
      [
        'PATCH',
        '/api/v1/namespaces/team-a/secrets/own',
        expect.objectContaining({ dryRun: 'All' }),
      ],
    ]);
    expect(JSON.stringify(out)).not.toContain('uid-team-b-stolen');
    expect(JSON.stringify(out)).not.toContain(
      Buffer.from('value of team-b/stolen').toString('base64'),
    );
  });

  it('an app whose project is gone shows no live object at all', async () => {
    const tree = (await route('resource-tree').handle(request({}, []))) as { nodes: unknown[] };
    expect(tree.nodes).toEqual([]);
    const out = (await route('managed-resources').handle(request({}, []))) as {
      items: { liveState: string }[];
    };
    expect(out.items.every((i) => i.liveState === 'null')).toBe(true);
  });

  const stolen = { kind: 'Secret', namespace: 'team-b', resourceName: 'stolen' };
  const own = { kind: 'Secret', namespace: 'team-a', resourceName: 'own' };

  it.each(['DELETE', 'POST'])(
    "%s resource refuses another team's object with 404 and writes nothing",
    async (method) => {
      writes.length = 0;
      const err: unknown = await route('resource', method)
        .handle(request({ ...stolen, patchType: 'merge' }, [project], '{"data":{}}'))
        .catch((e: unknown) => e);
      expect((err as ApiError).status).toBe(404);
      expect(writes).toEqual([]);
    },
  );

  it('DELETE resource deletes an object of the app, in the foreground unless asked', async () => {
    writes.length = 0;
    await route('resource', 'DELETE').handle(request(own));
    await route('resource', 'DELETE').handle(request({ ...own, orphan: 'true' }));
    await route('resource', 'DELETE').handle(request({ ...own, force: 'true' }));
    expect(writes.map((w) => [w.method, w.path, (w.opts as { body: object }).body])).toEqual([
      [
        'DELETE',
        '/api/v1/namespaces/team-a/secrets/own',
        expect.objectContaining({ propagationPolicy: 'Foreground' }),
      ],
      [
        'DELETE',
        '/api/v1/namespaces/team-a/secrets/own',
        expect.objectContaining({ propagationPolicy: 'Orphan' }),
      ],
      [
        'DELETE',
        '/api/v1/namespaces/team-a/secrets/own',
        expect.objectContaining({ propagationPolicy: 'Background', gracePeriodSeconds: 0 }),
      ],
    ]);
  });

  it('POST resource sends the patch as given and answers the object masked', async () => {
    writes.length = 0;
    const patch = '{"metadata":{"labels":{"a":"b"}}}';
    const out = (await route('resource', 'POST').handle(
      request({ ...own, patchType: 'strategic' }, [project], patch),
    )) as { manifest: string };
    expect(writes).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/namespaces/team-a/secrets/own',
        opts: { body: patch, contentType: 'application/strategic-merge-patch+json' },
      },
    ]);
    expect(out.manifest).not.toContain(Buffer.from('value of team-a/own').toString('base64'));
  });

  it.each([
    [{ patchType: 'merge' }, '[1]', /must be a JSON object/],
    [{ patchType: 'json' }, '{}', /must be a JSON array/],
    [{ patchType: 'yaml' }, '{}', /patchType must be/],
    [{ patchType: 'merge' }, { not: 'a string' }, /the body must be the patch/],
  ])('POST resource refuses %j with %j', async (q, body, message) => {
    const err: unknown = await route('resource', 'POST')
      .handle(request({ ...own, ...q }, [project], body))
      .catch((e: unknown) => e);
    expect((err as ApiError).message).toMatch(message);
  });
});
