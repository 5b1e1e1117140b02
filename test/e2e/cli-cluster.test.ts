import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { clusterCommand, formatCluster, loadConfig, type ClusterDeps } from '@gitward/cli';
import { loadKubeconfig, type KubeConnection } from '@gitward/infra';
import { ErrorCode, GitwardError, type KubeObject } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

// `gitward cluster ...` with the local control plane as the target cluster and a local stand-in
// for gitward's API server: what lands in the cluster, which flags become which API requests,
// and what is asked and printed. (multi-cluster.test.ts runs `cluster add` against the real API
// server and a second control plane.)

const b64 = (s: string) => Buffer.from(s).toString('base64');
const prod = {
  server: 'https://prod.example:6443',
  name: 'prod',
  connectionState: { status: 'Unknown' },
};

let apiCalls: { method: string; url: string; body: unknown }[] = [];
let loaded: [string, string][] = [];
let answers: (boolean | undefined)[] = [];
let asked: string[] = [];

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

let connection: KubeConnection;
let kubeconfig = '';
let context = '';
let system = '';
beforeAll(async () => {
  kubeconfig = inject('cluster').kubeconfig;
  context = (await kubectl(['config', 'current-context'])).trim();
  connection = await loadKubeconfig(kubeconfig, context);
});
afterAll(async () => {
  await kubectl([
    'delete',
    'clusterrolebinding',
    'gitward-manager-role-binding',
    '--ignore-not-found',
  ]);
  await kubectl(['delete', 'clusterrole', 'gitward-manager-role', '--ignore-not-found']);
});

const lines: string[] = [];
const deps = (): Parameters<typeof clusterCommand>[0] & ClusterDeps => ({
  config: loadConfig({ HOME: '/nonexistent', GITWARD_CONFIG: '/nonexistent/config.yaml' }),
  output: { out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`) },
  loadKubeconfig: (path, ctx) => {
    loaded.push([path, ctx]);
    return loadKubeconfig(path, ctx);
  },
  confirm: (q) => {
    asked.push(q);
    return Promise.resolve(answers.shift());
  },
});

beforeEach(async () => {
  apiCalls = [];
  loaded = [];
  answers = [];
  asked = [];
  lines.length = 0;
  // Each case installs into its own system namespace.
  system = uniqueName('cluster-add');
  namespaces.push(system);
  await kubectl(['create', 'namespace', system]);
});
const namespaces: string[] = [];
afterAll(async () => {
  await kubectl(['delete', 'namespace', ...namespaces, '--wait=false', '--ignore-not-found']);
});

async function run(...args: string[]) {
  const flags = ['--server', `127.0.0.1:${port}`, '--plaintext', '--auth-token', 't'];
  await clusterCommand(deps()).parseAsync([...args, ...flags], { from: 'user' });
}

const exists = async (args: string[]) =>
  (await kubectl(['get', ...args, '--ignore-not-found', '-o', 'name'])).trim() !== '';
/** `cluster add` of the e2e cluster's context, installing into this case's system namespace. */
const addHere = (...flags: string[]) =>
  run('add', context, '--kubeconfig', kubeconfig, '--system-namespace', system, ...flags);
const server = () => connection.server.replace(/\/+$/, '');

describe('gitward cluster add', () => {
  it('installs the manager account, then registers the context with its token and CA', async () => {
    await addHere('-y');
    expect(loaded).toEqual([[kubeconfig, context]]);
    expect(asked).toEqual([]);
    expect(await exists(['-n', system, 'serviceaccount', 'gitward-manager'])).toBe(true);
    expect(await exists(['clusterrole', 'gitward-manager-role'])).toBe(true);
    const binding = await getJson<KubeObject & { subjects: { namespace: string }[] }>([
      'clusterrolebinding',
      'gitward-manager-role-binding',
    ]);
    expect(binding.subjects.map((x) => x.namespace)).toEqual([system]);
    const secret = await getJson<KubeObject & { data: Record<string, string> }>([
      '-n',
      system,
      'secret',
      'gitward-manager-long-lived-token',
    ]);
    const token = Buffer.from(secret.data['token'] ?? '', 'base64').toString();
    expect(token).not.toBe('');
    expect(apiCalls).toEqual([
      {
        method: 'POST',
        url: '/api/v1/clusters?upsert=false',
        body: {
          server: server(),
          name: context,
          config: { bearerToken: token, tlsClientConfig: { caData: b64(connection.ca ?? '') } },
        },
      },
    ]);
    expect(lines).toEqual([`Cluster '${server()}' added`]);
    expect(lines.join('\n')).not.toContain(token);
  });

  it('passes name, namespaces, project, upsert and the in-cluster server', async () => {
    const [a, b] = [uniqueName('managed'), uniqueName('managed')];
    namespaces.push(a, b);
    for (const n of [a, b]) await kubectl(['create', 'namespace', n]);
    await run(
      'add',
      context,
      '--kubeconfig',
      kubeconfig,
      '-y',
      '--name',
      'prod',
      '--namespace',
      a,
      '--namespace',
      b,
      '--project',
      'team',
      '--upsert',
      '--system-namespace',
      system,
      '--in-cluster-server',
      'https://prod-control-plane:6443/',
    );
    expect(apiCalls[0]?.url).toBe('/api/v1/clusters?upsert=true');
    expect(apiCalls[0]?.body).toMatchObject({
      server: 'https://prod-control-plane:6443',
      name: 'prod',
      namespaces: [a, b],
      project: 'team',
    });
    expect(await exists(['-n', system, 'serviceaccount', 'gitward-manager'])).toBe(true);
    for (const n of [a, b])
      expect(await exists(['-n', n, 'role', 'gitward-manager-role'])).toBe(true);
    const bindings = await getJson<{ items: KubeObject[] }>(['clusterrolebindings']);
    const toSystem = bindings.items.filter((x) =>
      JSON.stringify(x['subjects'] ?? []).includes(`"namespace":"${system}"`),
    );
    expect(toSystem).toEqual([]);
  });

  it.each([
    [false, 0, 'not added'],
    [undefined, 1, 'added'],
    [true, 1, 'added'],
  ])('asks first without -y (answer %s)', async (answer, posts, said) => {
    answers = [answer];
    await addHere();
    expect(asked[0]).toContain('service account `gitward-manager`');
    expect(asked[0]).toContain(`context \`${context}\``);
    expect(apiCalls).toHaveLength(posts);
    expect(lines).toEqual([said === 'added' ? `Cluster '${server()}' added` : 'Cluster not added']);
    expect(await exists(['-n', system, 'serviceaccount', 'gitward-manager'])).toBe(posts === 1);
  });

  it('uses an existing service account without creating RBAC', async () => {
    await kubectl(['-n', system, 'create', 'serviceaccount', 'ci']);
    await addHere('--service-account', 'ci');
    expect(asked).toEqual([]);
    const secret = await getJson<KubeObject>(['-n', system, 'secret', 'ci-long-lived-token']);
    expect(secret.metadata.annotations?.['kubernetes.io/service-account.name']).toBe('ci');
    expect(await exists(['-n', system, 'serviceaccount', 'gitward-manager'])).toBe(false);
    expect(apiCalls).toHaveLength(1);
  });

  it('refuses a service account that does not exist', async () => {
    const err = await addHere('--service-account', 'ci').catch((e: unknown) => e);
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
