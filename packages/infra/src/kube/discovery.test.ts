import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@gitward/model';
import {
  buildIndex,
  discoverResources,
  parseAggregated,
  parseGroupList,
  parseResourceList,
  type DiscoveryGet,
} from './discovery.ts';

const aggregatedApis = {
  apiVersion: 'apidiscovery.k8s.io/v2',
  kind: 'APIGroupDiscoveryList',
  items: [
    {
      metadata: { name: 'apps' },
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'deployments',
              responseKind: { group: '', version: '', kind: 'Deployment' },
              scope: 'Namespaced',
              verbs: ['get', 'list', 'create'],
              subresources: [{ subresource: 'status', responseKind: { kind: 'Deployment' } }],
            },
          ],
        },
      ],
    },
    {
      metadata: { name: 'example.com' },
      versions: [
        {
          version: 'v2',
          resources: [
            {
              resource: 'widgets',
              responseKind: { kind: 'Widget' },
              scope: 'Cluster',
              verbs: ['get'],
            },
          ],
        },
        {
          version: 'v1',
          resources: [
            {
              resource: 'widgets',
              responseKind: { kind: 'Widget' },
              scope: 'Cluster',
              verbs: ['get'],
            },
            { resource: 'gadgets', responseKind: { kind: 'Gadget' }, scope: 'Namespaced' },
          ],
        },
      ],
    },
  ],
};

const aggregatedCore = {
  kind: 'APIGroupDiscoveryList',
  items: [
    {
      metadata: {},
      versions: [
        {
          version: 'v1',
          resources: [
            {
              resource: 'configmaps',
              responseKind: { kind: 'ConfigMap' },
              scope: 'Namespaced',
              verbs: ['get'],
            },
            { resource: 'namespaces', responseKind: { kind: 'Namespace' }, scope: 'Cluster' },
          ],
        },
      ],
    },
  ],
};

describe('aggregated discovery', () => {
  it('marks the first version of a group preferred and keeps subresources out', () => {
    const index = buildIndex(parseAggregated(aggregatedApis));
    expect(index.resources.map((r) => `${r.group}/${r.version}/${r.plural}`)).toEqual([
      'apps/v1/deployments',
      'example.com/v2/widgets',
      'example.com/v1/widgets',
      'example.com/v1/gadgets',
    ]);
    expect(index.lookup('apps', 'Deployment')).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      plural: 'deployments',
      namespaced: true,
      verbs: ['get', 'list', 'create'],
      preferred: true,
    });
    expect(index.lookup('example.com', 'Widget')?.version).toBe('v2');
    // Served only in a non-preferred version: still found.
    expect(index.lookup('example.com', 'Gadget')).toMatchObject({
      version: 'v1',
      preferred: false,
      namespaced: true,
      verbs: [],
    });
    expect(index.lookup('example.com', 'Nothing')).toBeUndefined();
  });

  it('lists api versions in both forms, as helm --api-versions wants', () => {
    const index = buildIndex([
      ...parseAggregated(aggregatedCore),
      ...parseAggregated(aggregatedApis),
    ]);
    expect(index.apiVersions()).toEqual([
      'v1',
      'v1/ConfigMap',
      'v1/Namespace',
      'apps/v1',
      'apps/v1/Deployment',
      'example.com/v2',
      'example.com/v2/Widget',
      'example.com/v1',
      'example.com/v1/Widget',
      'example.com/v1/Gadget',
    ]);
    expect(index.lookup('', 'Namespace')?.namespaced).toBe(false);
  });
});

describe('legacy discovery', () => {
  it('uses preferredVersion and skips subresources', () => {
    expect(
      parseGroupList({
        groups: [
          {
            name: 'autoscaling',
            versions: [
              { groupVersion: 'autoscaling/v2', version: 'v2' },
              { groupVersion: 'autoscaling/v1', version: 'v1' },
            ],
            preferredVersion: { groupVersion: 'autoscaling/v1', version: 'v1' },
          },
        ],
      }),
    ).toEqual([
      { group: 'autoscaling', version: 'v2', preferred: false },
      { group: 'autoscaling', version: 'v1', preferred: true },
    ]);
    expect(
      parseResourceList({
        resources: [
          { name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get'] },
          { name: 'deployments/status', kind: 'Deployment', namespaced: true, verbs: ['get'] },
          { name: 'deployments/scale', kind: 'Scale', namespaced: true, verbs: ['get'] },
        ],
      }),
    ).toEqual([{ kind: 'Deployment', plural: 'deployments', namespaced: true, verbs: ['get'] }]);
  });
});

/** A fake apiserver keyed by path; `v2` decides whether it honours the aggregated media type. */
function fakeServer(v2: boolean, overrides: Record<string, number> = {}) {
  const seen: string[] = [];
  const legacy: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'] },
    '/apis': {
      kind: 'APIGroupList',
      groups: [
        {
          name: 'apps',
          versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
        },
        {
          name: 'metrics.k8s.io',
          versions: [{ groupVersion: 'metrics.k8s.io/v1beta1', version: 'v1beta1' }],
        },
      ],
    },
    '/api/v1': {
      kind: 'APIResourceList',
      resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get'] }],
    },
    '/apis/apps/v1': {
      kind: 'APIResourceList',
      resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['get'] }],
    },
    '/apis/metrics.k8s.io/v1beta1': { kind: 'APIResourceList', resources: [] },
  };
  const get: DiscoveryGet = (path, accept) => {
    seen.push(`${path} ${accept.includes('v=v2') ? 'v2' : 'legacy'}`);
    const status = overrides[path] ?? 200;
    if (status !== 200) {
      return Promise.resolve({ status, body: { kind: 'Status', message: 'backend down' } });
    }
    if (v2 && accept.includes('v=v2')) {
      const body = path === '/api' ? aggregatedCore : aggregatedApis;
      return Promise.resolve({ status: 200, body });
    }
    return Promise.resolve({ status: 200, body: legacy[path] });
  };
  return { get, seen };
}

describe('discoverResources', () => {
  it('needs two requests when the server speaks v2', async () => {
    const { get, seen } = fakeServer(true);
    const index = await discoverResources(get);
    expect(seen.sort()).toEqual(['/api v2', '/apis v2']);
    expect(index.lookup('apps', 'Deployment')?.namespaced).toBe(true);
  });

  it('falls back to legacy discovery, reusing the legacy root answer', async () => {
    const { get, seen } = fakeServer(false);
    const index = await discoverResources(get);
    expect(seen.sort()).toEqual([
      '/api v2',
      '/api/v1 legacy',
      '/apis v2',
      '/apis/apps/v1 legacy',
      '/apis/metrics.k8s.io/v1beta1 legacy',
    ]);
    expect(index.lookup('', 'ConfigMap')).toMatchObject({ version: 'v1', preferred: true });
    expect(index.lookup('apps', 'Deployment')?.plural).toBe('deployments');
    expect(index.apiVersions()).toContain('metrics.k8s.io/v1beta1');
  });

  it('skips a group-version whose backend is down, as kubectl does', async () => {
    const { get } = fakeServer(false, { '/apis/metrics.k8s.io/v1beta1': 503 });
    const index = await discoverResources(get);
    expect(index.apiVersions()).not.toContain('metrics.k8s.io/v1beta1');
    expect(index.lookup('apps', 'Deployment')).toBeDefined();
  });

  it('fails with the Status message when a discovery root fails', async () => {
    const { get } = fakeServer(false, { '/apis': 500 });
    await expect(discoverResources(get)).rejects.toMatchObject({
      code: ErrorCode.KubeRequestFailed,
      message: 'GET /apis: HTTP 500: backend down',
    });
  });
});
