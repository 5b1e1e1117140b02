import { describe, expect, it } from 'vitest';
import type { ClusterSpec } from '@gitward/engine';
import type { KubeClient } from '@gitward/infra';
import {
  clusterFingerprint,
  connectClusterSpec,
  createClusterClients,
  inClusterSpec,
  isInCluster,
  knownClusterSpecs,
  listClusterSecrets,
  namesInCluster,
  parseClusterSecrets,
  resolveCluster,
} from './cluster-registry.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secretData = (server: string, name: string, config: object = { bearerToken: 't' }) => ({
  server,
  name,
  config: JSON.stringify(config),
});
const spec = (server: string, name: string, token = 't'): ClusterSpec => ({
  server,
  name,
  namespaces: [],
  config: { bearerToken: token },
});

describe('isInCluster / namesInCluster', () => {
  it.each([
    ['https://kubernetes.default.svc', true],
    ['https://kubernetes.default.svc/', true],
    ['in-cluster', true],
    ['https://prod.example', false],
    ['prod', false],
  ])('%s → %s', (v, want) => expect(isInCluster(v)).toBe(want));

  it.each([
    [{ server: 'https://kubernetes.default.svc' }, true],
    [{ name: 'in-cluster' }, true],
    // The server decides when both are set, as Argo CD resolves.
    [{ server: 'https://prod.example', name: 'in-cluster' }, false],
    [{ name: 'prod' }, false],
    [{}, false],
  ])('%j → %s', (dest, want) => expect(namesInCluster(dest)).toBe(want));
});

describe('listClusterSecrets', () => {
  it('lists the labelled Secrets of the control namespace, data decoded', async () => {
    const calls: unknown[] = [];
    const kube = {
      list: (path: string, opts: unknown) => {
        calls.push([path, opts]);
        return Promise.resolve({
          items: [
            { metadata: { name: 'c1' }, data: { server: b64('https://a'), name: b64('a') } },
            { metadata: { name: 'c2' } },
          ],
        });
      },
    } as unknown as KubeClient;
    expect(await listClusterSecrets(kube, 'gitward.dev', 'gitward')).toEqual([
      { name: 'c1', data: { server: 'https://a', name: 'a' } },
      { name: 'c2', data: {} },
    ]);
    expect(calls).toEqual([
      ['/api/v1/namespaces/gitward/secrets', { labelSelector: 'gitward.dev/secret-type=cluster' }],
    ]);
  });
});

describe('parseClusterSecrets / knownClusterSpecs', () => {
  const registered = parseClusterSecrets([
    { name: 'good', data: secretData('https://prod.example', 'prod') },
    { name: 'bad', data: { name: 'no-server' } },
  ]);

  it('keeps each Secret with the cluster or why it cannot be used', () => {
    expect(registered.map((r) => [r.secretName, r.parsed.ok])).toEqual([
      ['good', true],
      ['bad', false],
    ]);
  });

  it('knows in-cluster first, then the usable clusters only', () => {
    expect(knownClusterSpecs(registered).map((c) => c.name)).toEqual(['in-cluster', 'prod']);
  });
});

describe('resolveCluster', () => {
  const known = [inClusterSpec, spec('https://prod.example', 'prod')];
  it.each([
    [{ server: 'https://prod.example/' }, 'prod'],
    [{ name: 'prod' }, 'prod'],
    [{ name: 'in-cluster' }, 'in-cluster'],
    [{ server: 'https://kubernetes.default.svc/' }, 'in-cluster'],
    [{ server: 'https://other.example' }, undefined],
    [{ name: 'other' }, undefined],
  ])('%j → %s', (dest, want) => expect(resolveCluster(dest, known)?.name).toBe(want));
});

describe('clusterFingerprint', () => {
  it('changes with the credentials, not with a copy', () => {
    const a = spec('https://a', 'a', 'one');
    expect(clusterFingerprint(a)).toBe(clusterFingerprint({ ...a }));
    expect(clusterFingerprint(a)).not.toBe(clusterFingerprint(spec('https://a', 'a', 'two')));
  });
});

describe('connectClusterSpec', () => {
  it('builds a client from a token', () => {
    expect(connectClusterSpec(spec('https://a.example', 'a')).ok).toBe(true);
  });

  it.each([
    [
      'a certificate without its key',
      { tlsClientConfig: { certData: b64('cert') } },
      /needs both certData and keyData/,
    ],
    [
      'username and password',
      { username: 'admin', password: 'hunter2' },
      /username\/password authentication is not supported/,
    ],
  ])('says why not for %s, quoting no secret', (_, config, reason) => {
    const out = connectClusterSpec({ ...spec('https://a.example', 'a'), config });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.reason).toMatch(reason);
    expect(out.reason).not.toContain('hunter2');
  });
});

describe('createClusterClients', () => {
  it('keeps one client per cluster content; a rotated token or forget builds a new one', () => {
    const pool = createClusterClients();
    const first = pool.clientFor(spec('https://a.example', 'a', 'one'));
    const again = pool.clientFor(spec('https://a.example', 'a', 'one'));
    if (!first.ok || !again.ok) throw new Error('no client');
    expect(again.kube).toBe(first.kube);
    const rotated = pool.clientFor(spec('https://a.example', 'a', 'two'));
    if (!rotated.ok) throw new Error('no client');
    expect(rotated.kube).not.toBe(first.kube);
    pool.forget('https://a.example');
    const fresh = pool.clientFor(spec('https://a.example', 'a', 'two'));
    if (!fresh.ok) throw new Error('no client');
    expect(fresh.kube).not.toBe(rotated.kube);
  });
});
