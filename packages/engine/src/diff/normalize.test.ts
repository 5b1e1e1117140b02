import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { encodeBase64 } from './base64.ts';
import { normalizeObject } from './normalize.ts';

const obj = (apiVersion: string, kind: string, rest: Record<string, unknown> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'ns' },
  ...rest,
});

describe('normalizeObject', () => {
  it('drops server metadata, status, client annotations, empty maps and nulls', () => {
    const live = obj('v1', 'ConfigMap', {
      metadata: {
        name: 'x',
        uid: 'u',
        resourceVersion: '1',
        generation: 2,
        creationTimestamp: null,
        selfLink: '/x',
        managedFields: [],
        labels: {},
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'deprecated.daemonset.template.generation': '1',
        },
      },
      data: { a: '1', b: null },
      status: { phase: 'x' },
    });
    expect(normalizeObject(live)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
      data: { a: '1' },
    });
    expect(live.metadata['uid']).toBe('u');
  });

  it('folds Secret stringData into data, stringData winning', () => {
    const s = obj('v1', 'Secret', { data: { a: 'b2xk', keep: 'aw==' }, stringData: { a: 'nëw' } });
    expect(normalizeObject(s)).toMatchObject({ data: { a: encodeBase64('nëw'), keep: 'aw==' } });
    expect(normalizeObject(s)).not.toHaveProperty('stringData');
    expect(encodeBase64('nëw')).toBe('bsOrdw==');
    expect(['', 'f', 'fo', 'foo', 'foob'].map(encodeBase64)).toEqual([
      '',
      'Zg==',
      'Zm8=',
      'Zm9v',
      'Zm9vYg==',
    ]);
  });

  it('turns empty Role rules into none and, on request, drops aggregated ClusterRole rules', () => {
    expect(
      normalizeObject(obj('rbac.authorization.k8s.io/v1', 'Role', { rules: [] })),
    ).not.toHaveProperty('rules');
    const aggregated = obj('rbac.authorization.k8s.io/v1', 'ClusterRole', {
      aggregationRule: { clusterRoleSelectors: [] },
      rules: [{ verbs: ['get'] }],
    });
    expect(normalizeObject(aggregated)).toHaveProperty('rules');
    expect(normalizeObject(aggregated, { ignoreAggregatedRoles: true })).not.toHaveProperty(
      'rules',
    );
  });

  it('sorts Endpoints subsets, addresses and ports, defaulting port protocol', () => {
    const ep = (subsets: unknown[]) => normalizeObject(obj('v1', 'Endpoints', { subsets }));
    const a = ep([
      {
        addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }],
        ports: [{ port: 2 }, { port: 1, protocol: 'TCP' }],
      },
      { addresses: [{ ip: '10.0.0.0' }] },
    ]);
    const b = ep([
      { addresses: [{ ip: '10.0.0.0' }] },
      {
        addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }],
        ports: [{ port: 1 }, { port: 2, protocol: 'TCP' }],
      },
    ]);
    expect(a).toEqual(b);
  });
});
