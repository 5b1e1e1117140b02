import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import {
  clusterScopePermits,
  clusterSecretData,
  parseClusterSecret,
  redactCluster,
  resolveDestination,
} from './clusters.ts';

const config = JSON.stringify({
  bearerToken: 'sekret-token',
  tlsClientConfig: { insecure: false, caData: 'LS0tLS1CRUdJTg==' },
});

describe('parseClusterSecret', () => {
  it.each([
    [{ server: 'https://10.0.0.1:6443/', name: 'prod', config }, 'https://10.0.0.1:6443', 'prod'],
    [{ server: 'https://k.example' }, 'https://k.example', 'https://k.example'],
    [
      { server: 'https://k.example', name: ' ', config: '{}' },
      'https://k.example',
      'https://k.example',
    ],
  ])('reads %j', (data, server, name) => {
    const p = parseClusterSecret(data);
    expect(p.ok && p.cluster.server).toBe(server);
    expect(p.ok && p.cluster.name).toBe(name);
  });

  it('reads namespaces, clusterResources and project', () => {
    const p = parseClusterSecret({ server: 'https://a', namespaces: 'a, b,,', project: 'team' });
    expect(p.ok && p.cluster.namespaces).toEqual(['a', 'b']);
    expect(p.ok && p.cluster.project).toBe('team');
    expect(p.ok && p.cluster.clusterResources).toBeUndefined();
    const c = parseClusterSecret({
      server: 'https://a',
      namespaces: 'a',
      clusterResources: 'true',
    });
    expect(c.ok && c.cluster.clusterResources).toBe(true);
  });

  it.each([
    [{}, 'has no server'],
    [{ server: 'ftp://x' }, 'not an http(s) URL'],
    [{ server: 'https://x', config: '{"bearerToken": "sekret-token"' }, 'config is not valid JSON'],
    [{ server: 'https://x', config: '[]' }, 'config is not an object'],
    [{ server: 'https://x', config: '{"bearerToken": 1}' }, 'bearerToken is not a string'],
    [
      { server: 'https://x', config: '{"tlsClientConfig": {"insecure": "yes"}}' },
      'insecure is not a boolean',
    ],
    [
      { server: 'https://x', config: '{"tlsClientConfig": {"caData": "not base64!"}}' },
      'caData is not base64',
    ],
  ])('refuses %j', (data: Record<string, string>, reason) => {
    const p = parseClusterSecret(data);
    expect(p.ok).toBe(false);
    if (!p.ok) {
      expect(p.reason).toContain(reason);
      expect(p.reason).not.toContain('sekret');
    }
  });

  it('round-trips through clusterSecretData', () => {
    const p = parseClusterSecret({
      server: 'https://a',
      name: 'a',
      config,
      namespaces: 'x,y',
      clusterResources: 'true',
    });
    if (!p.ok) throw new Error(p.reason);
    expect(parseClusterSecret(clusterSecretData(p.cluster))).toEqual(p);
  });

  it('redacts every credential', () => {
    const p = parseClusterSecret({ server: 'https://a', name: 'a', config });
    if (!p.ok) throw new Error(p.reason);
    const shown = JSON.stringify(redactCluster(p.cluster));
    expect(shown).not.toContain('sekret');
    expect(shown).not.toContain('LS0t');
    expect(redactCluster(p.cluster).hasCredentials).toBe(true);
  });
});

describe('resolveDestination', () => {
  const clusters = [
    { server: 'https://kubernetes.default.svc', name: 'in-cluster' },
    { server: 'https://10.0.0.1:6443', name: 'prod' },
  ];
  it.each([
    [{ server: 'https://10.0.0.1:6443/' }, 'prod'],
    [{ server: 'https://kubernetes.default.svc' }, 'in-cluster'],
    [{ name: 'prod' }, 'prod'],
    [{ name: 'staging' }, undefined],
    [{ server: 'https://elsewhere' }, undefined],
    [{}, undefined],
  ])('%j → %s', (dest, name) => {
    expect(resolveDestination(dest, clusters)?.name).toBe(name);
  });
});

describe('clusterScopePermits', () => {
  const obj = (kind: string, namespace?: string): KubeObject => ({
    apiVersion: 'v1',
    kind,
    metadata: { name: 'x', ...(namespace ? { namespace } : {}) },
  });
  const limited = { name: 'prod', namespaces: ['web', 'jobs'] };
  it.each([
    [
      'a cluster managing every namespace',
      { name: 'all', namespaces: [] },
      obj('ConfigMap', 'any'),
      true,
      undefined,
    ],
    ['an object in a managed namespace', limited, obj('ConfigMap', 'web'), true, undefined],
    [
      'an object elsewhere',
      limited,
      obj('ConfigMap', 'kube-system'),
      true,
      'namespace kube-system of ConfigMap x is not managed by cluster prod (it manages web, jobs)',
    ],
    [
      'a cluster-scoped object',
      limited,
      obj('Namespace'),
      false,
      'cluster level Namespace x can not be managed when in namespaced mode',
    ],
    [
      'a cluster-scoped object with clusterResources',
      { ...limited, clusterResources: true },
      obj('Namespace'),
      false,
      undefined,
    ],
    [
      'a kind discovery does not know (reported elsewhere)',
      limited,
      obj('Widget', 'x'),
      undefined,
      undefined,
    ],
  ] as const)('%s', (_what, cluster, o, namespaced, message) => {
    const out = clusterScopePermits(cluster, o, namespaced);
    if (message === undefined) expect(out).toBeUndefined();
    else expect(out).toContain(message);
  });
});
