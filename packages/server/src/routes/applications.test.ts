import { describe, expect, it } from 'vitest';
import type { WritePlan } from '@gitward/control';
import type { Application, AppProject } from '@gitward/model';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../http/api-error.ts';
import { applicationRoutes } from './applications.ts';
import type { RouteRequest } from './route.ts';

// The application write routes over a stub store: what is checked is what each route would write
// to the cluster, in particular that no caller can write `status` or `operation` (issue 13).

const route = (method: string, path: string) => {
  const found = applicationRoutes.find((r) => r.method === method && r.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
};
const base = '/api/v1/applications';

const project: AppProject = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'team' },
  spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] },
};

const spec: Application['spec'] = {
  project: 'team',
  destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
  source: { repoURL: 'https://git.example/team/web.git', path: '.', targetRevision: 'main' },
};

/** The app as the cluster has it: status written by the controller, no operation running. */
const live: Application = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web', namespace: 'gitward', resourceVersion: '7', uid: 'u-1' },
  spec,
  status: { sync: { status: 'OutOfSync' }, health: { status: 'Healthy' } },
};

/** What a hostile caller sends alongside a legitimate change. */
const forged = {
  status: { sync: { status: 'Synced' }, health: { status: 'Healthy' }, reconciledAt: 'never' },
  operation: {
    initiatedBy: { username: 'admin' },
    sync: { revision: 'evil', prune: true },
  },
};

interface Written {
  created?: Application;
  updated?: Application;
  patches: unknown[];
}

function call(opts: {
  method: string;
  path: string;
  body: unknown;
  current?: Application;
  query?: Record<string, string>;
}): { r: RouteRequest; written: Written } {
  const written: Written = { patches: [] };
  const current = opts.current ?? live;
  const ctx = {
    store: {
      group: 'gitward.dev',
      namespace: 'gitward',
      getApp: (name: string) =>
        Promise.resolve(name === current.metadata.name ? current : undefined),
      createApp: (app: Application) => {
        written.created = app;
        return Promise.resolve(app);
      },
      updateApp: (_name: string, mutate: (latest: Application) => Application) => {
        written.updated = mutate(structuredClone(current));
        return Promise.resolve(written.updated);
      },
      patchApp: (_name: string, patch: unknown) => {
        written.patches.push(patch);
        return Promise.resolve(current);
      },
      // The AppWrite the plan makes on the app as it is (the sync routes write { operation }).
      writeApp: async (_name: string, plan: WritePlan) => {
        const w = await plan(structuredClone(current));
        if (w) written.patches.push(w);
        return current;
      },
      secretsOfType: () => Promise.resolve([]),
    },
    settings: { get: () => Promise.resolve({ projects: [project] }) },
    rbac: () => Promise.resolve({ enforce: () => true }),
    now: () => new Date('2024-05-01T10:00:00Z'),
  } as unknown as ServerContext;
  const r = {
    params: { name: current.metadata.name },
    query: (name: string) => opts.query?.[name],
    queries: () => [],
    json: () => Promise.resolve(opts.body),
    principal: { subject: { kind: 'user', name: 'alice', groups: [] }, name: 'alice' },
    ctx,
    app: () => Promise.resolve(current),
    signal: new AbortController().signal,
  } as unknown as RouteRequest;
  return { r, written };
}

async function run(opts: Parameters<typeof call>[0]): Promise<Written> {
  const { r, written } = call(opts);
  await route(opts.method, opts.path).handle(r);
  return written;
}

describe('application writes never take status or operation from the caller', () => {
  it('POST creates the app without the status and operation of the body', async () => {
    const body = { metadata: { name: 'new', uid: 'forged' }, spec, ...forged };
    const { created } = await run({ method: 'POST', path: base, body, current: live });
    expect(created?.metadata.name).toBe('new');
    expect(created?.spec).toEqual(spec);
    expect(created).not.toHaveProperty('status');
    expect(created).not.toHaveProperty('operation');
    expect(created?.metadata).not.toHaveProperty('uid');
  });

  it('PUT keeps the live status and starts no operation', async () => {
    const body = { metadata: { name: 'web', labels: { a: 'b' } }, spec, ...forged };
    const { updated } = await run({ method: 'PUT', path: `${base}/:name`, body });
    expect(updated?.status).toEqual(live.status);
    expect(updated).not.toHaveProperty('operation');
    expect(updated?.metadata.labels).toEqual({ a: 'b' });
  });

  it('PUT /spec changes only the spec', async () => {
    const body = { ...spec, source: { ...spec.source, targetRevision: 'v2' } };
    const { updated } = await run({ method: 'PUT', path: `${base}/:name/spec`, body });
    expect(updated?.spec.source?.targetRevision).toBe('v2');
    expect(updated?.status).toEqual(live.status);
    expect(updated).not.toHaveProperty('operation');
  });

  it.each([
    ['a merge patch', 'merge', JSON.stringify({ ...forged, metadata: { labels: { a: 'b' } } })],
    [
      'a json patch',
      'json',
      JSON.stringify([
        { op: 'replace', path: '/status', value: forged.status },
        { op: 'add', path: '/operation', value: forged.operation },
        { op: 'add', path: '/metadata/labels', value: { a: 'b' } },
      ]),
    ],
  ])('PATCH with %s applies the labels and drops status and operation', async (_n, type, text) => {
    const body = { patchType: type, patch: text };
    const { updated } = await run({ method: 'PATCH', path: `${base}/:name`, body });
    expect(updated?.metadata.labels).toEqual({ a: 'b' });
    expect(updated?.status).toEqual(live.status);
    expect(updated).not.toHaveProperty('operation');
  });

  it('PATCH refuses a patch type other than json and merge', async () => {
    const { r } = call({
      method: 'PATCH',
      path: `${base}/:name`,
      body: { patchType: 'strategic', patch: '{}' },
    });
    const err: unknown = await route('PATCH', `${base}/:name`)
      .handle(r)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(/patchType: must be json or merge/);
  });

  it('sync records the caller as initiatedBy, whatever the body says', async () => {
    const body = {
      revision: 'main',
      initiatedBy: { username: 'admin' },
      operation: forged.operation,
    };
    const { patches } = await run({ method: 'POST', path: `${base}/:name/sync`, body });
    expect(patches).toEqual([
      { operation: { initiatedBy: { username: 'alice' }, sync: { revision: 'main' } } },
    ]);
  });

  it('sync passes strategy, resources, options, retry and infos through to the operation', async () => {
    const body = {
      prune: true,
      strategy: { apply: { force: true } },
      resources: [{ group: '', kind: 'ConfigMap', name: 'a', namespace: 'web' }],
      syncOptions: { items: ['ServerSideApply=true'] },
      retryStrategy: { limit: 2, backoff: { duration: '5s', maxDuration: '3m0s', factor: 2 } },
      infos: [{ name: 'reason', value: 'hotfix' }],
      appNamespace: 'ignored',
    };
    const { patches } = await run({ method: 'POST', path: `${base}/:name/sync`, body });
    expect(patches).toEqual([
      {
        operation: {
          initiatedBy: { username: 'alice' },
          sync: {
            prune: true,
            syncStrategy: { apply: { force: true } },
            resources: [{ group: '', kind: 'ConfigMap', name: 'a', namespace: 'web' }],
            syncOptions: ['ServerSideApply=true'],
          },
          retry: { limit: 2, backoff: { duration: '5s', maxDuration: '3m0s', factor: 2 } },
          info: [{ name: 'reason', value: 'hotfix' }],
        },
      },
    ]);
  });

  it('sync refuses a malformed body with the path of each problem, and starts nothing', async () => {
    const { r, written } = call({
      method: 'POST',
      path: `${base}/:name/sync`,
      body: { infos: [{ name: 7 }], resources: [{ kind: 'ConfigMap' }], prune: 'yes' },
    });
    const err: unknown = await route('POST', `${base}/:name/sync`)
      .handle(r)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    const message = (err as ApiError).message;
    for (const path of ['prune:', 'resources[0].name:', 'infos[0].name:', 'infos[0].value:'])
      expect(message).toContain(path);
    expect(written.patches).toEqual([]);
  });
});

describe('a local sync (manifests in the request)', () => {
  const manifests = ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}'];
  const path = `${base}/:name/sync`;
  const automated: Application = {
    ...live,
    spec: { ...spec, syncPolicy: { automated: { prune: true } } },
  };

  it('records the manifests for the controller', async () => {
    const { patches } = await run({ method: 'POST', path, body: { manifests } });
    expect(patches).toEqual([
      { operation: { initiatedBy: { username: 'alice' }, sync: { manifests } } },
    ]);
  });

  it.each([
    [
      'not all strings',
      { manifests: [{}] },
      live,
      true,
      /manifests\[0\]: Invalid input: expected string/,
    ],
    ['under automated sync', { manifests }, automated, true, /Automatic Sync Policy is enabled/],
    ['without the override permission', { manifests }, live, false, /override/],
  ])('is refused %s', async (_, body, current, allowed, message) => {
    const { r, written } = call({ method: 'POST', path, body, current });
    const enforce = (_s: unknown, _res: string, action: string) => allowed || action !== 'override';
    (r.ctx as { rbac: unknown }).rbac = () => Promise.resolve({ enforce });
    const err = await route('POST', path)
      .handle(r)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toMatch(message);
    expect(written.patches).toEqual([]);
  });

  it('is a dry run under automated sync', async () => {
    const body = { manifests, dryRun: true };
    const { patches } = await run({ method: 'POST', path, body, current: automated });
    expect(patches).toHaveLength(1);
  });
});
