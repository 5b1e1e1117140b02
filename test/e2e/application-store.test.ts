/**
 * The ApplicationStore (packages/control) against the real apiserver: one conditional write per
 * pass, conflicts re-decided on the fresh object, and the fence that shows our own write while
 * the watch cache still has the version it went over. The "cache" here is a variable the test
 * sets, so each lag the real watch cache can have is reproduced exactly.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApplicationStore, type ApplicationStore } from '@gitward/control';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import { OperationPhase, type ApiGroup, type Application, type KubeObject } from '@gitward/model';
import { applyShippedCrds } from './support/deploy.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';

// A group of its own whose Application CRD has the status subresource (gitward's has none).
const subGroup = 'storetest.gitward.dev';
const subCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `applications.${subGroup}` },
  spec: {
    group: subGroup,
    scope: 'Namespaced',
    names: { kind: 'Application', plural: 'applications', singular: 'application' },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    ],
  },
};

const op = { sync: { revision: 'main' }, initiatedBy: { username: 'alice' } };

describe('ApplicationStore against the local control plane', () => {
  const cluster = inject('cluster');
  let kube: KubeClient;
  let ns: string;
  const cache = new Map<string, KubeObject>();

  const storeFor = (group: ApiGroup, subresource: boolean): ApplicationStore =>
    createApplicationStore({
      kube,
      group,
      namespace: ns,
      cached: (name) => cache.get(`${group}/${name}`),
      statusSubresource: () => subresource,
    });

  async function create(group: string, name: string, extra: Record<string, unknown> = {}) {
    const res = await kube.request<KubeObject>(
      'POST',
      `/apis/${group}/v1alpha1/namespaces/${ns}/applications`,
      {
        body: {
          apiVersion: `${group}/v1alpha1`,
          kind: 'Application',
          metadata: {
            name,
            namespace: ns,
            annotations: { 'gitward.dev/refresh': 'normal', keep: 'me' },
          },
          spec: {
            project: 'default',
            source: { repoURL: 'https://git.example/app.git', path: '.' },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
          },
          ...extra,
        },
      },
    );
    expect(res.status).toBe(201);
    cache.set(`${group}/${name}`, res.body);
    return res.body as unknown as Application;
  }
  const get = async (group: string, name: string) =>
    (
      await kube.request<Application>(
        'GET',
        `/apis/${group}/v1alpha1/namespaces/${ns}/applications/${name}`,
      )
    ).body;
  const patch = async (group: string, name: string, body: unknown) => {
    const res = await kube.request<KubeObject>(
      'PATCH',
      `/apis/${group}/v1alpha1/namespaces/${ns}/applications/${name}`,
      { body },
    );
    expect(res.status).toBe(200);
    return res.body;
  };

  beforeAll(async () => {
    kube = createKubeClient(await loadKubeconfig(cluster.kubeconfig), { userAgent: 'gitward-e2e' });
    ns = uniqueName('app-store');
    await kubectl(['create', 'namespace', ns]);
    await applyShippedCrds('gitward-e2e-store');
    await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(subCrd));
    await kubectl(['wait', '--for=condition=Established', `crd/applications.${subGroup}`]);
  });
  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
    await kubectl(['delete', 'crd', `applications.${subGroup}`, '--wait=false']);
  });

  it('writes status, clears the operation and the refresh annotation in one request', async () => {
    const store = storeFor('gitward.dev', false);
    const app = await create('gitward.dev', 'one-write', { operation: op });
    const out = await store.write(app, {
      status: { reconciledAt: '2026-12-07T10:00:00Z', sync: { status: 'Synced' } },
      operation: null,
      removeAnnotations: ['gitward.dev/refresh'],
    });
    expect(out.kind).toBe('written');
    const now = await get('gitward.dev', 'one-write');
    expect(now.status?.sync?.status).toBe('Synced');
    expect(now.operation).toBeUndefined();
    expect(now.metadata.annotations).toEqual({ keep: 'me' });
    // One write: the version after it is the one the response carried.
    if (out.kind === 'written')
      expect(now.metadata.resourceVersion).toBe(out.app.metadata.resourceVersion);
  });

  it('shows its own write while the cache lags, and the cache once it has moved on', async () => {
    const store = storeFor('gitward.dev', false);
    const app = await create('gitward.dev', 'fence', { operation: op });
    const key = 'gitward.dev/fence';
    await store.write(app, { status: { reconciledAt: '2026-12-07T10:00:00Z' }, operation: null });
    // The cache still has the version the write went over: the store shows the write.
    const lagging = store.view('fence');
    expect(lagging.kind === 'app' && lagging.app.operation).toBeUndefined();
    expect(store.memos()).toBe(1);
    // Another writer's change reaches the cache: it is newer than ours and wins.
    const later = await patch('gitward.dev', 'fence', { operation: op });
    cache.set(key, later);
    const caught = store.view('fence');
    expect(caught.kind === 'app' && caught.app.operation).toEqual(op);
    expect(store.memos()).toBe(0);
    // Gone from the cache: gone, and nothing is kept for it.
    cache.delete(key);
    expect(store.view('fence').kind).toBe('gone');
  });

  it('lands on the fresh object after a conflict when the write is still valid', async () => {
    const store = storeFor('gitward.dev', false);
    const app = await create('gitward.dev', 'conflict');
    await patch('gitward.dev', 'conflict', { metadata: { labels: { edited: 'yes' } } });
    const out = await store.write(app, { status: { reconciledAt: '2026-12-07T10:00:00Z' } });
    expect(out.kind).toBe('written');
    const now = await get('gitward.dev', 'conflict');
    expect(now.metadata.labels).toEqual({ edited: 'yes' });
    expect(now.status?.reconciledAt).toBe('2026-12-07T10:00:00Z');
  });

  it('does not overwrite a terminate written while the pass ran', async () => {
    const store = storeFor('gitward.dev', false);
    const running = {
      operation: op,
      phase: OperationPhase.Running,
      startedAt: '2026-12-07T09:00:00Z',
    };
    await create('gitward.dev', 'terminate', { operation: op });
    const base = await patch('gitward.dev', 'terminate', { status: { operationState: running } });
    // The pass computed from this version: it is what the cache showed.
    cache.set('gitward.dev/terminate', base);
    await patch('gitward.dev', 'terminate', {
      status: { operationState: { phase: OperationPhase.Terminating } },
    });
    const out = await store.write(base as unknown as Application, {
      status: { operationState: { ...running, message: 'wave 1 applied' } },
      stillValid: (fresh) => fresh.status?.operationState?.phase === OperationPhase.Running,
    });
    expect(out.kind).toBe('superseded');
    expect((await get('gitward.dev', 'terminate')).status?.operationState?.phase).toBe(
      OperationPhase.Terminating,
    );
    // The next pass sees the terminate even though the cache has not caught up.
    const seen = store.view('terminate');
    expect(seen.kind === 'app' && seen.app.status?.operationState?.phase).toBe(
      OperationPhase.Terminating,
    );
  });

  it('does not clear an operation requested again while the pass ran', async () => {
    const store = storeFor('gitward.dev', false);
    const app = await create('gitward.dev', 'again', { operation: op });
    const again = { ...op, sync: { revision: 'v2' } };
    await patch('gitward.dev', 'again', { operation: again });
    const out = await store.write(app, {
      status: { reconciledAt: '2026-12-07T10:00:00Z' },
      operation: null,
    });
    expect(out.kind).toBe('superseded');
    expect((await get('gitward.dev', 'again')).operation).toEqual(again);
  });

  it('with the status subresource: status to /status, the rest beside it, both shown', async () => {
    const store = storeFor(subGroup as ApiGroup, true);
    const app = await create(subGroup, 'sub', { operation: op });
    const out = await store.write(app, {
      status: { sync: { status: 'Synced' } },
      operation: null,
      removeAnnotations: ['gitward.dev/refresh'],
    });
    expect(out.kind).toBe('written');
    const now = await get(subGroup, 'sub');
    expect(now.status?.sync?.status).toBe('Synced');
    expect(now.operation).toBeUndefined();
    expect(now.metadata.annotations).toEqual({ keep: 'me' });
    // The cache still has the version before both requests: the store shows where they led.
    const seen = store.view('sub');
    expect(seen.kind === 'app' && seen.app.operation).toBeUndefined();
    expect(seen.kind === 'app' && seen.app.metadata.resourceVersion).toBe(
      now.metadata.resourceVersion,
    );
  });

  it('writes finalizers as a whole list', async () => {
    const store = storeFor('gitward.dev', false);
    await create('gitward.dev', 'fin', {});
    const withFin = await patch('gitward.dev', 'fin', {
      metadata: { finalizers: ['resources-finalizer.argocd.argoproj.io', 'other/keep'] },
    });
    const out = await store.write(withFin as unknown as Application, {
      finalizers: ['other/keep'],
    });
    expect(out.kind).toBe('written');
    expect((await get('gitward.dev', 'fin')).metadata.finalizers).toEqual(['other/keep']);
    await store.write(await get('gitward.dev', 'fin'), { finalizers: [] });
  });

  describe("update: read, plan and write on the apiserver's copy (the API server's way)", () => {
    // No cache, as the API server has none; the subresource answer is asynchronous there.
    const uncached = (group: ApiGroup, subresource: boolean): ApplicationStore =>
      createApplicationStore({
        kube,
        group,
        namespace: ns,
        statusSubresource: () => Promise.resolve(subresource),
      });
    const startSync = (app: Application) => {
      if (app.operation) throw new Error('another operation is already in progress');
      return { operation: op };
    };

    it('of two sync requests at once, exactly one lands', async () => {
      const store = uncached('gitward.dev', false);
      await create('gitward.dev', 'race');
      const results = await Promise.allSettled([
        store.update('race', startSync),
        store.update('race', startSync),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected');
      expect(String(refused?.reason)).toContain('already in progress');
      expect((await get('gitward.dev', 'race')).operation).toEqual(op);
      expect(store.memos()).toBe(0);
    });

    it('plans again on the changed app after a conflict', async () => {
      const store = uncached('gitward.dev', false);
      await create('gitward.dev', 'replan');
      const seen: (string | undefined)[] = [];
      const written = await store.update('replan', async (app) => {
        seen.push(app.metadata.labels?.['edited']);
        // Another writer lands between this plan's read and its write, once.
        if (seen.length === 1)
          await patch('gitward.dev', 'replan', { metadata: { labels: { edited: 'yes' } } });
        return { operation: op };
      });
      expect(seen).toEqual([undefined, 'yes']);
      const now = await get('gitward.dev', 'replan');
      expect(now.operation).toEqual(op);
      expect(now.metadata.resourceVersion).toBe(written?.metadata.resourceVersion);
    });

    it('a terminate lands only while the operation still runs', async () => {
      const store = uncached(subGroup as ApiGroup, true);
      const running = {
        operation: op,
        phase: OperationPhase.Running,
        startedAt: '2026-12-07T09:00:00Z',
      };
      await create(subGroup, 'term');
      await kube.request(
        'PATCH',
        `/apis/${subGroup}/v1alpha1/namespaces/${ns}/applications/term/status`,
        {
          body: { status: { operationState: running } },
        },
      );
      const terminate = (app: Application) => {
        const state = app.status?.operationState;
        if (state?.phase !== OperationPhase.Running) throw new Error('no operation is in progress');
        return { status: { operationState: { ...state, phase: OperationPhase.Terminating } } };
      };
      await store.update('term', terminate);
      const now = await get(subGroup, 'term');
      expect(now.status?.operationState).toEqual({ ...running, phase: OperationPhase.Terminating });
      await expect(store.update('term', terminate)).rejects.toThrow('no operation is in progress');
      expect(await store.update('nobody-has-this-app', terminate)).toBeUndefined();
    });
  });
});
