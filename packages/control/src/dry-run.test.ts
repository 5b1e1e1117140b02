import { describe, expect, it } from 'vitest';
import type { ApiResource, ApiResourceIndex, KubeClient } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import { createPredictor } from './dry-run.ts';
import { applyPatch, fieldManager, resourcePath } from './kube-paths.ts';

const configMaps: ApiResource = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  namespaced: true,
  verbs: ['get', 'patch'],
  preferred: true,
};
const index: ApiResourceIndex = {
  resources: [configMaps],
  lookup: (g, k) => (g === '' && k === 'ConfigMap' ? configMaps : undefined),
  apiVersions: () => ['v1'],
};
const cm = (name: string, data: Record<string, string>, ns = 'web'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns },
  data,
});

/** A stub apiserver: answers each dry run with `answer(path)`, records every call. */
function stub(answer: (path: string, body: KubeObject) => { status: number; body: unknown }) {
  const calls: { method: string; path: string; opts: unknown }[] = [];
  const kube = {
    request: (method: string, path: string, opts: { body: KubeObject }) => {
      calls.push({ method, path, opts });
      return Promise.resolve(answer(path, opts.body));
    },
  } as unknown as KubeClient;
  return { kube, calls };
}
const withDefault = (_: string, body: KubeObject) => ({
  status: 200,
  body: { ...body, metadata: { ...body.metadata, uid: 'u' } },
});

describe('resourcePath', () => {
  it.each([
    [configMaps, undefined, undefined, undefined, '/api/v1/configmaps'],
    [configMaps, 'web', 'a b', undefined, '/api/v1/namespaces/web/configmaps/a%20b'],
    [
      { ...configMaps, group: 'apps', kind: 'Deployment', plural: 'deployments' },
      'web',
      'x',
      'status',
      '/apis/apps/v1/namespaces/web/deployments/x/status',
    ],
    [{ ...configMaps, namespaced: false }, 'web', 'x', undefined, '/api/v1/configmaps/x'],
  ])('%#', (res, ns, name, sub, want) => {
    expect(resourcePath(res, ns, name, sub)).toBe(want);
  });
});

describe('createPredictor', () => {
  it("dry-runs each desired object as a server-side apply with the controller's field manager", async () => {
    const { kube, calls } = stub(withDefault);
    const p = createPredictor(kube);
    const out = await p.predictAll([cm('a', { k: '1' })], new Map(), index);
    expect([...out.keys()]).toEqual(['/ConfigMap/web/a']);
    expect(out.get('/ConfigMap/web/a')).toMatchObject({ metadata: { uid: 'u' } });
    expect(calls).toEqual([
      {
        method: 'PATCH',
        path: '/api/v1/namespaces/web/configmaps/a',
        opts: {
          body: cm('a', { k: '1' }),
          contentType: applyPatch,
          query: { dryRun: 'All', fieldManager, force: 'true' },
        },
      },
    ]);
  });

  it.each([
    [403, 'no patch rights'],
    [404, 'a missing namespace'],
    [422, 'an invalid object'],
  ])('gives no prediction on %i (%s): that object is compared 2-way', async (status) => {
    const { kube } = stub((path, body) =>
      path.endsWith('/refused') ? { status, body: { message: 'no' } } : withDefault(path, body),
    );
    const out = await createPredictor(kube).predictAll(
      [cm('refused', { k: '1' }), cm('fine', { k: '1' })],
      new Map(),
      index,
    );
    expect([...out.keys()]).toEqual(['/ConfigMap/web/fine']);
  });

  it('skips kinds the cluster does not serve and objects without a name', async () => {
    const { kube, calls } = stub(withDefault);
    const unknown = { apiVersion: 'x.io/v1', kind: 'Thing', metadata: { name: 't' } } as KubeObject;
    const out = await createPredictor(kube).predictAll(
      [unknown, { ...cm('', {}), metadata: { namespace: 'web' } }],
      new Map(),
      index,
    );
    expect(out.size).toBe(0);
    expect(calls).toEqual([]);
  });

  it('asks again only when the desired content or the live resourceVersion changed', async () => {
    const { kube, calls } = stub(withDefault);
    const p = createPredictor(kube);
    const live = (rv: string) =>
      new Map([['/ConfigMap/web/a', { ...cm('a', {}), metadata: { resourceVersion: rv } }]]);
    await p.predictAll([cm('a', { k: '1' })], live('1'), index);
    await p.predictAll([cm('a', { k: '1' })], live('1'), index);
    expect(calls).toHaveLength(1);
    expect(p.stats).toEqual({ dryRuns: 1, cacheHits: 1 });
    await p.predictAll([cm('a', { k: '1' })], live('2'), index);
    await p.predictAll([cm('a', { k: '2' })], live('2'), index);
    expect(calls).toHaveLength(3);
  });

  it('does not remember a refusal: the next call asks again', async () => {
    let status = 403;
    const { kube, calls } = stub((path, body) =>
      status === 200 ? withDefault(path, body) : { status, body: {} },
    );
    const p = createPredictor(kube);
    expect((await p.predictAll([cm('a', {})], new Map(), index)).size).toBe(0);
    status = 200;
    expect((await p.predictAll([cm('a', {})], new Map(), index)).size).toBe(1);
    expect(calls).toHaveLength(2);
  });
});
