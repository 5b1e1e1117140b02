import { describe, expect, it } from 'vitest';
import { parseClusterSecret } from '@gitward/engine';
import {
  applyClusterChanges,
  checkClusterBody,
  checkClusterChanges,
  clusterObject,
  clusterSecretName,
  findCluster,
  publicCluster,
  registeredCluster,
  sameCluster,
} from './cluster-api.ts';
import { inClusterSpec, type RegisteredCluster } from './destinations.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const token = 'tok-5ecret-value';
const key = b64('-----BEGIN EC PRIVATE KEY-----\nsecretkey\n-----END EC PRIVATE KEY-----\n');

const body = {
  server: 'https://prod.example:6443',
  name: 'prod',
  config: { bearerToken: token, tlsClientConfig: { caData: b64('CA'), keyData: key } },
};

function registered(data: Record<string, string>, secretName = 'cluster-x'): RegisteredCluster {
  return { secretName, data, parsed: parseClusterSecret(data) };
}

describe('clusterSecretName', () => {
  it.each([
    ['https://prod.example:6443', /^cluster-prod\.example-[0-9a-f]{10}$/],
    ['https://10.0.0.1', /^cluster-10\.0\.0\.1-[0-9a-f]{10}$/],
    ['https://Rancher.Example/k8s/clusters/c-1', /^cluster-rancher\.example-[0-9a-f]{10}$/],
    ['https://[::1]:6443', /^cluster-1-[0-9a-f]{10}$/],
    ['not a url', /^cluster-[0-9a-f]{10}$/],
  ])('%s → %s', (server, shape) => {
    const name = clusterSecretName(server);
    expect(name).toMatch(shape);
    expect(name.length).toBeLessThanOrEqual(253);
  });

  it('differs for two servers on one host', () => {
    expect(clusterSecretName('https://h:6443')).not.toBe(clusterSecretName('https://h:7443'));
  });
});

describe('clusterObject', () => {
  it.each([
    [{ server: 'https://a' }, 'https://a'],
    [{ server: 'https://a', project: 'team' }, 'team/https://a'],
  ])('%j → %s', (c, object) => expect(clusterObject(c)).toBe(object));
});

describe('checkClusterBody', () => {
  it.each([
    ['not an object', 'x', 'the body must be a cluster object'],
    ['an array', [], 'the body must be a cluster object'],
    ['no server', { name: 'a' }, 'cluster secret has no server'],
    ['a server that is no URL', { server: 'prod' }, 'is not an http(s) URL'],
    ['a non-string server', { server: 42 }, 'server must be a string'],
    ['config not an object', { server: 'https://a', config: 'x' }, 'config must be an object'],
    [
      'a token that is no string',
      { server: 'https://a', config: { bearerToken: 1 } },
      'config.bearerToken is not a string',
    ],
    [
      'caData that is no base64',
      { server: 'https://a', config: { tlsClientConfig: { caData: '%%%' } } },
      'caData is not base64',
    ],
    [
      'namespaces of numbers',
      { server: 'https://a', namespaces: [1] },
      'namespaces must be a list of strings',
    ],
    [
      'clusterResources that is no boolean',
      { server: 'https://a', clusterResources: 'yes' },
      'clusterResources must be a boolean',
    ],
    ['the in-cluster server', { server: 'https://kubernetes.default.svc/' }, 'always registered'],
    ['the in-cluster name', { server: 'https://a', name: 'in-cluster' }, 'always registered'],
  ])('refuses %s', (_what, b, reason) => {
    const out = checkClusterBody(b);
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.reason).toContain(reason);
      expect(out.reason).not.toContain(token);
    }
  });

  it('turns a body into Secret data (namespaces as a list or a comma string)', () => {
    for (const namespaces of [['a', 'b'], 'a,b']) {
      const out = checkClusterBody({
        ...body,
        server: `${body.server}/`,
        namespaces,
        project: 'p',
      });
      expect(out.ok).toBe(true);
      if (!out.ok) continue;
      expect(out.data).toEqual({
        name: 'prod',
        server: 'https://prod.example:6443',
        config: JSON.stringify(body.config),
        namespaces: 'a,b',
        project: 'p',
      });
      expect(out.cluster.namespaces).toEqual(['a', 'b']);
    }
  });

  it('keeps clusterResources with the namespaces', () => {
    const out = checkClusterBody({ ...body, namespaces: ['a'], clusterResources: true });
    expect(out.ok && out.data['clusterResources']).toBe('true');
    expect(out.ok && out.cluster.clusterResources).toBe(true);
  });

  it('names a cluster after its server when no name is given', () => {
    const out = checkClusterBody({ server: 'https://a' });
    expect(out.ok && out.data).toMatchObject({ name: 'https://a', config: '{}' });
  });
});

describe('what answers show of a cluster', () => {
  const checked = checkClusterBody(body);
  if (!checked.ok) throw new Error(checked.reason);

  it.each([
    ['a registered cluster', publicCluster(checked.cluster)],
    ['a stored Secret', registeredCluster(registered(checked.data))],
  ])('%s has no credential', (_what, answer) => {
    const text = JSON.stringify(answer);
    expect(text).not.toContain(token);
    expect(text).not.toContain(key);
    expect(text).not.toContain(b64('CA'));
    expect(answer).toMatchObject({
      server: body.server,
      name: 'prod',
      hasCredentials: true,
      connectionState: { status: 'Unknown' },
    });
  });

  it('shows in-cluster as connected', () => {
    expect(publicCluster(inClusterSpec)).toMatchObject({
      server: 'https://kubernetes.default.svc',
      name: 'in-cluster',
      hasCredentials: false,
      connectionState: { status: 'Successful' },
    });
  });

  it('shows a Secret that does not parse as Failed, with the reason and no credential', () => {
    const answer = registeredCluster(
      registered({ server: 'https://a', name: 'a', config: `{"bearerToken": "${token}"` }),
    );
    expect(answer).toEqual({
      server: 'https://a',
      name: 'a',
      connectionState: { status: 'Failed', message: 'cluster https://a: config is not valid JSON' },
    });
  });
});

describe('findCluster and sameCluster', () => {
  const a = registered({ server: 'https://a', name: 'alpha', config: '{}' }, 'cluster-a');
  const b = registered({ server: 'https://b', name: 'beta', config: '{}' }, 'cluster-b');

  it.each([
    ['https://a', 'cluster-a'],
    ['https://a/', 'cluster-a'],
    ['beta', 'cluster-b'],
    ['https://c', undefined],
  ])('finds %s', (want, secretName) => {
    expect(findCluster([a, b], want)?.secretName).toBe(secretName);
  });

  it.each([
    [{ server: 'https://a', name: 'alpha' }, true],
    [{ server: 'https://a', name: 'other' }, false],
    [{ server: 'https://a', name: 'alpha', config: { bearerToken: 'new' } }, false],
    [{ server: 'https://a', name: 'alpha', namespaces: ['x'] }, false],
  ])('%j is the same as the stored one: %s', (next, same) => {
    const out = checkClusterBody(next);
    if (!out.ok) throw new Error(out.reason);
    expect(sameCluster(a, out.cluster)).toBe(same);
  });
});

describe('cluster set: checkClusterChanges and applyClusterChanges', () => {
  const prod = {
    server: 'https://prod.example:6443',
    name: 'prod',
    namespaces: ['a'],
    project: 'team',
    config: { bearerToken: token },
  };

  it.each([
    [{ name: '' }, /name must be a non-empty string/],
    [{ namespaces: 'a,b' }, /namespaces must be a list of strings/],
    [{ project: 3 }, /project must be a string/],
  ])('refuses %j', (body, why) => {
    const out = checkClusterChanges(body);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toMatch(why);
  });

  it.each([
    ['renames, keeping the rest and the credentials', { name: 'live' }, { ...prod, name: 'live' }],
    [
      'replaces the namespaces (deduplicated)',
      { namespaces: ['b', 'c', 'b'] },
      { ...prod, namespaces: ['b', 'c'] },
    ],
    ["'*' means every namespace", { namespaces: ['*'] }, { ...prod, namespaces: [] }],
    ['moves it to another project', { project: 'other' }, { ...prod, project: 'other' }],
    ["'' makes it unscoped", { project: '' }, { ...prod, project: undefined }],
    ['nothing given changes nothing', {}, prod],
  ])('%s', (_, body, want) => {
    const checked = checkClusterChanges(body);
    if (!checked.ok) throw new Error(checked.reason);
    const got = applyClusterChanges(prod, checked.changes);
    expect(got).toEqual(JSON.parse(JSON.stringify(want)));
    expect(got.config).toBe(prod.config);
  });
});
