import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KubeClient, KubeConnection } from '@gitward/infra';
import { ErrorCode, GitwardError } from '@gitward/model';
import { loadConfig } from '../config.ts';
import { clusterCommand, formatCluster, type ClusterDeps } from './cluster.ts';

// `gitward cluster ...` against a local stand-in for the API server and a fake target cluster:
// which flags become which requests, and what is asked and printed.

const b64 = (s: string) => Buffer.from(s).toString('base64');
const prod = {
  server: 'https://prod.example:6443',
  name: 'prod',
  connectionState: { status: 'Unknown' },
};

let apiCalls: { method: string; url: string; body: unknown }[] = [];
let kubeCalls: { method: string; path: string; body: unknown }[] = [];
let loaded: [string, string][] = [];
let answers: (boolean | undefined)[] = [];
let asked: string[] = [];
let serviceAccountExists = true;

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text === '' ? undefined : JSON.parse(text);
}

const api = createServer((req: IncomingMessage, res: ServerResponse) => {
  void (async () => {
    apiCalls.push({ method: req.method ?? '', url: req.url ?? '', body: await readBody(req) });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.method === 'DELETE' ? {} : prod));
  })();
});
let port = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  port = String((api.address() as AddressInfo).port);
});
afterAll(() => {
  api.closeAllConnections();
  api.close();
});

const connection: KubeConnection = {
  server: 'https://127.0.0.1:40443/',
  ca: 'KUBECONFIG-CA',
  token: 'admin-token',
};

const fakeKube = {
  request(method: string, path: string, o: { body?: unknown } = {}) {
    kubeCalls.push({ method, path, body: o.body });
    if (path.includes('/serviceaccounts/'))
      return Promise.resolve({ status: serviceAccountExists ? 200 : 404, body: {} });
    if (method === 'GET')
      return Promise.resolve({
        status: 200,
        body: { data: { token: b64('manager-token'), 'ca.crt': b64('CA') } },
      });
    return Promise.resolve({ status: 201, body: {} });
  },
} as unknown as KubeClient;

const lines: string[] = [];
const deps = (): Parameters<typeof clusterCommand>[0] & ClusterDeps => ({
  config: loadConfig({ HOME: '/nonexistent', GITWARD_CONFIG: '/nonexistent/config.yaml' }),
  output: { out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`) },
  loadKubeconfig: (path, context) => {
    loaded.push([path, context]);
    return Promise.resolve(connection);
  },
  createKube: () => fakeKube,
  confirm: (q) => {
    asked.push(q);
    return Promise.resolve(answers.shift());
  },
  tokenTimeoutMs: 1000,
});

beforeEach(() => {
  apiCalls = [];
  kubeCalls = [];
  loaded = [];
  answers = [];
  asked = [];
  lines.length = 0;
  serviceAccountExists = true;
});

async function run(...args: string[]) {
  const flags = ['--server', `127.0.0.1:${port}`, '--plaintext', '--auth-token', 't'];
  await clusterCommand(deps()).parseAsync([...args, ...flags], { from: 'user' });
}

const created = () => kubeCalls.filter((c) => c.method === 'POST').map((c) => c.path);

describe('gitward cluster add', () => {
  it('installs the manager account, then registers the context with its token and CA', async () => {
    await run('add', 'kind-prod', '--kubeconfig', '/k/config', '-y');
    expect(loaded).toEqual([['/k/config', 'kind-prod']]);
    expect(asked).toEqual([]);
    expect(created()).toEqual([
      '/api/v1/namespaces/kube-system/serviceaccounts',
      '/api/v1/namespaces/kube-system/secrets',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    ]);
    expect(apiCalls).toEqual([
      {
        method: 'POST',
        url: '/api/v1/clusters?upsert=false',
        body: {
          server: 'https://127.0.0.1:40443',
          name: 'kind-prod',
          config: {
            bearerToken: 'manager-token',
            tlsClientConfig: { caData: b64('KUBECONFIG-CA') },
          },
        },
      },
    ]);
    expect(lines).toEqual(["Cluster 'https://127.0.0.1:40443' added"]);
    expect(lines.join('\n')).not.toContain('manager-token');
  });

  it('passes name, namespaces, project, upsert and the in-cluster server', async () => {
    await run(
      'add',
      'ctx',
      '-y',
      '--name',
      'prod',
      '--namespace',
      'a',
      '--namespace',
      'b',
      '--project',
      'team',
      '--upsert',
      '--system-namespace',
      'gitward-sys',
      '--in-cluster-server',
      'https://prod-control-plane:6443/',
    );
    expect(apiCalls[0]?.url).toBe('/api/v1/clusters?upsert=true');
    expect(apiCalls[0]?.body).toMatchObject({
      server: 'https://prod-control-plane:6443',
      name: 'prod',
      namespaces: ['a', 'b'],
      project: 'team',
    });
    expect(created()).toContain('/api/v1/namespaces/gitward-sys/serviceaccounts');
    expect(created()).toContain('/apis/rbac.authorization.k8s.io/v1/namespaces/b/roles');
    expect(created()).not.toContain('/apis/rbac.authorization.k8s.io/v1/clusterroles');
  });

  it.each([
    [false, 0, 'Cluster not added'],
    [undefined, 1, "Cluster 'https://127.0.0.1:40443' added"],
    [true, 1, "Cluster 'https://127.0.0.1:40443' added"],
  ])('asks first without -y (answer %s)', async (answer, posts, said) => {
    answers = [answer];
    await run('add', 'kind-prod');
    expect(asked[0]).toContain('service account `gitward-manager`');
    expect(asked[0]).toContain('context `kind-prod`');
    expect(apiCalls).toHaveLength(posts);
    expect(lines).toEqual([said]);
  });

  it('uses an existing service account without creating RBAC', async () => {
    await run('add', 'ctx', '--service-account', 'ci');
    expect(asked).toEqual([]);
    expect(created()).toEqual(['/api/v1/namespaces/kube-system/secrets']);
    expect(kubeCalls[1]?.body).toMatchObject({
      metadata: {
        name: 'ci-long-lived-token',
        annotations: { 'kubernetes.io/service-account.name': 'ci' },
      },
    });
  });

  it('refuses a service account that does not exist', async () => {
    serviceAccountExists = false;
    const err = await run('add', 'ctx', '--service-account', 'ci').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.NotFound);
    expect(apiCalls).toEqual([]);
  });
});

describe('gitward cluster rm', () => {
  it.each([
    [['-y'], [], 1],
    [[], [true], 1],
    [[], [undefined], 1],
    [[], [false], 0],
  ])('rm %j with answers %j deletes %i time(s)', async (flags, given, deletes) => {
    answers = [...given];
    await run('rm', 'https://prod.example:6443', ...flags);
    expect(asked).toHaveLength(flags.length ? 0 : 1);
    expect(apiCalls.map((c) => `${c.method} ${c.url}`)).toEqual(
      Array.from(
        { length: deletes },
        () => 'DELETE /api/v1/clusters/https%3A%2F%2Fprod.example%3A6443',
      ),
    );
    expect(lines).toEqual([
      deletes
        ? "Cluster 'https://prod.example:6443' removed"
        : "Cluster 'https://prod.example:6443' not removed",
    ]);
  });
});

describe('gitward cluster get', () => {
  it('asks by name or server and prints the chosen format', async () => {
    await run('get', 'prod', '-o', 'server');
    expect(apiCalls.map((c) => c.url)).toEqual(['/api/v1/clusters/prod']);
    expect(lines).toEqual([prod.server]);
  });

  it.each([
    ['json', (out: string[]) => expect(JSON.parse(out.join('\n'))).toEqual(prod)],
    [
      'yaml',
      (out: string[]) => expect(out.join('\n')).toContain('server: https://prod.example:6443'),
    ],
    ['wide', (out: string[]) => expect(out[0]).toMatch(/^SERVER\s+NAME\s+VERSION\s+STATUS/)],
  ])('-o %s', (format, check) => {
    check(formatCluster(prod, format));
  });

  it('refuses an unknown format', () => {
    expect(() => formatCluster(prod, 'table')).toThrow('unknown output format table');
  });
});
