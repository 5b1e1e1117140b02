import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';
import { createApi, createServerContext, hashPassword, routes } from '@gitward/server';
import type { Application } from '@gitward/model';
import { startLocalCluster, type LocalCluster } from '@gitward/local-cluster';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { runCli } from './support/cli.ts';
import { kubectl, kubectlAt, uniqueName } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';
import { appNamespace, cm, deployment, refresh } from './support/sync-fixtures.ts';

// A second local control plane is the destination: gitward runs against the first (Applications,
// projects and the cluster Secret live there) and deploys to the second.
let remote: LocalCluster;
let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
const ns = uniqueName('remote');
const secretName = uniqueName('cluster-remote');

/** The cluster Secret as `argocd cluster add` writes it, with the remote's client certificate. */
async function clusterSecret(): Promise<string> {
  const conn = await loadKubeconfig(remote.state.kubeconfig);
  const b64 = (pem: string | undefined) => Buffer.from(pem ?? '').toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: secretName,
      namespace: appNamespace,
      labels: { 'gitward.dev/secret-type': 'cluster' },
    },
    stringData: {
      name: 'remote',
      server: remote.state.server,
      config: JSON.stringify({
        tlsClientConfig: {
          caData: b64(conn.ca),
          certData: b64(conn.cert),
          keyData: b64(conn.key),
        },
      }),
    },
  });
}

/** An app of the repo's `app` path; CreateNamespace unless the destination names a namespace. */
const app = (name: string, destination: Record<string, string>, automated = true) =>
  JSON.stringify({
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: appNamespace },
    spec: {
      project: 'default',
      destination: { namespace: ns, ...destination },
      source: { repoURL: repo.url, path: 'app', targetRevision: 'main' },
      syncPolicy: {
        ...(automated ? { automated: { prune: true, selfHeal: true } } : {}),
        ...(destination['namespace'] ? {} : { syncOptions: ['CreateNamespace=true'] }),
      },
    },
  });

const wait = (name: string, ok: (a: Application) => boolean) =>
  waitApplication({ group: 'gitward.dev', namespace: appNamespace, name }, ok, {
    timeoutMs: 90_000,
    logFile: controller.logFile,
  });

beforeAll(async () => {
  remote = await startLocalCluster({ name: 'e2e-remote', cacheDir: inject('cacheDir') });
  git = await createGitServer();
  repo = await git.createRepo('multi-cluster');
  await repo.commit({ 'app/deploy.yaml': deployment('web'), 'app/cm.json': cm('settings') }, 'app');
  await repo.push();
  controller = await startController();
  await controller.ready();
});
afterAll(async () => {
  await kubectl(['-n', appNamespace, 'delete', 'secret', secretName, '--ignore-not-found']);
  await controller.stop();
  await git.close();
  await remote.stop();
});

describe('destination clusters', () => {
  it('refuses an app for a cluster that is not registered', async () => {
    await kubectl(['apply', '-f', '-'], app('mc-early', { name: 'remote' }));
    const a = await wait('mc-early', (x) =>
      (x.status?.conditions ?? []).some((c) => c.message.includes('not a configured cluster')),
    );
    expect(a.status?.conditions?.[0]?.type).toBe('InvalidSpecError');
    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', 'mc-early']);
  });

  it('deploys to a registered cluster by name, never to the control plane', async () => {
    await kubectl(['apply', '-f', '-'], await clusterSecret());
    await kubectl(['apply', '-f', '-'], app('mc-web', { name: 'remote' }));
    const a = await wait(
      'mc-web',
      (x) => x.status?.sync?.status === 'Synced' && x.status.health?.status === 'Healthy',
    );
    expect(a.status?.resources?.map((r) => r.kind).sort()).toEqual(['ConfigMap', 'Deployment']);
    // It was Missing (with a message) before the sync; Healthy carries no message of its own.
    expect(a.status?.health?.message).toBeUndefined();
    const live = JSON.parse(
      await kubectlAt(remote.state, ['-n', ns, 'get', 'deployment', 'web', '-o', 'json']),
    ) as { metadata: { annotations?: Record<string, string> } };
    expect(live.metadata.annotations?.['gitward.dev/tracking-id']).toContain('mc-web');
    const here = await kubectl(['get', 'namespace', ns, '--ignore-not-found', '-o', 'name']);
    expect(here.trim()).toBe('');
  });

  it('sees drift in the registered cluster through its watch and heals it', async () => {
    const before = await wait('mc-web', (x) => x.status?.operationState?.phase === 'Succeeded');
    const firstSyncStartedAt = before.status?.operationState?.startedAt;
    await kubectlAt(remote.state, [
      '-n',
      ns,
      'patch',
      'configmap',
      'settings',
      '--type=merge',
      '-p',
      '{"data":{"a":"changed"}}',
    ]);
    await expect
      .poll(
        async () =>
          JSON.parse(
            await kubectlAt(remote.state, ['-n', ns, 'get', 'configmap', 'settings', '-o', 'json']),
          ) as { data: Record<string, string> },
        { timeout: 60_000, interval: 250 },
      )
      .toMatchObject({ data: { a: '1' } });
    // The first sync's Succeeded is still in status until the heal's own operation replaces it,
    // so wait for that newer operation rather than for any Succeeded.
    const a = await wait(
      'mc-web',
      (x) =>
        x.status?.operationState?.phase === 'Succeeded' &&
        x.status.operationState.startedAt !== firstSyncStartedAt &&
        x.status.sync?.status === 'Synced',
    );
    expect(a.status?.sync?.status).toBe('Synced');
  });

  it('an app addressed by the server URL resolves to the same cluster', async () => {
    const byServer = app('mc-by-server', { server: remote.state.server }, false);
    await kubectl(['apply', '-f', '-'], byServer);
    // Not automated: it only compares, against the remote cluster's objects (which another app
    // tracks, so they show as OutOfSync here), instead of being refused as an unknown cluster.
    const a = await wait('mc-by-server', (x) => x.status?.sync?.status === 'OutOfSync');
    expect((a.status?.conditions ?? []).filter((c) => c.type === 'InvalidSpecError')).toHaveLength(
      0,
    );
    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', 'mc-by-server']);
  });

  it('an app whose cluster is unregistered gets InvalidSpecError and nothing is pruned', async () => {
    await kubectl(['-n', appNamespace, 'delete', 'secret', secretName]);
    await refresh('mc-web');
    await wait('mc-web', (x) =>
      (x.status?.conditions ?? []).some((c) => c.message.includes('not a configured cluster')),
    );
    const still = await kubectlAt(remote.state, [
      '-n',
      ns,
      'get',
      'deployment',
      'web',
      '-o',
      'name',
    ]);
    expect(still.trim()).toBe('deployment.apps/web');
  });
});

describe('gitward cluster add | list | rm, through the API server', () => {
  let server: ServerProcess;
  let env: Record<string, string>;
  let api: ReturnType<typeof createApi>;
  const password = 'multi-cluster-admin';
  const gitward = (args: readonly string[]) => runCli(args, env);

  beforeAll(async () => {
    env = { GITWARD_CONFIG: join(await mkdtemp(join(tmpdir(), 'gitward-mc-')), 'config.yaml') };
    server = await startServer();
    const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
    const ctx = createServerContext({
      kube,
      group: 'gitward.dev',
      namespace: appNamespace,
      logger: pino({ level: 'silent' }),
      version: 'test',
      secureCookies: true,
    });
    await ctx.store.writeSecret(ctx.names.secret, {
      'admin.password': await hashPassword(password),
    });
    // The same routes in process, for reading an answer the CLI only summarizes.
    api = createApi(ctx, routes);
    await kubectl([
      '-n',
      appNamespace,
      'delete',
      'configmap',
      ctx.names.rbacCm,
      '--ignore-not-found',
    ]);
    const login = await gitward([
      ...['login', server.url, '--insecure', '--username', 'admin', '--password', password],
    ]);
    expect(login.code, login.stderr).toBe(0);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('adds the cluster from a kubeconfig context with a service account of its own', async () => {
    const kubeconfig = await readFile(remote.state.kubeconfig, 'utf8');
    // The kubeconfig may be YAML or JSON: take the name either way.
    const context = /"?current-context"?:\s*"?([\w.-]+)/.exec(kubeconfig)?.[1] ?? '';
    const add = await gitward([
      ...['cluster', 'add', context, '--kubeconfig', remote.state.kubeconfig, '--name', 'remote'],
      '-y',
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain(`Cluster '${remote.state.server}' added`);
    expect(add.stdout + add.stderr).not.toMatch(/eyJ[\w-]{20,}/); // no token printed
    // The credentials are the new service account's token, not the admin certificate.
    const sa = await kubectlAt(remote.state, [
      ...['-n', 'kube-system', 'get', 'serviceaccount', 'gitward-manager', '-o', 'name'],
    ]);
    expect(sa.trim()).toBe('serviceaccount/gitward-manager');

    const list = await gitward(['cluster', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain(remote.state.server);
    expect(list.stdout).toContain('remote');
  });

  it('the app deploys again through the new credentials, and the API reads its live tree there', async () => {
    await refresh('mc-web');
    await wait(
      'mc-web',
      (x) =>
        x.status?.sync?.status === 'Synced' &&
        !(x.status.conditions ?? []).some((c) => c.type === 'InvalidSpecError'),
    );
    const login = await api.request('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    const { token } = (await login.json()) as { token: string };
    const tree = await api.request('/api/v1/applications/mc-web/resource-tree', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tree.status).toBe(200);
    const nodes = ((await tree.json()) as { nodes: { kind: string; namespace?: string }[] }).nodes;
    // The ReplicaSet exists only in the remote cluster, made there by its Deployment controller.
    expect(nodes.filter((n) => n.namespace === ns).map((n) => n.kind)).toEqual(
      expect.arrayContaining(['Deployment', 'ReplicaSet', 'ConfigMap']),
    );
  });

  it('removes the cluster', async () => {
    const rm = await gitward(['cluster', 'rm', 'remote', '-y']);
    expect(rm.code, rm.stderr).toBe(0);
    const list = await gitward(['cluster', 'list']);
    expect(list.stdout).not.toContain(remote.state.server);
    const missing = await gitward(['cluster', 'get', 'remote']);
    expect(missing.code).not.toBe(0);
  });

  it('a cluster added for one namespace is watched there only, and objects elsewhere are refused', async () => {
    const managed = uniqueName('limited');
    const outside = uniqueName('outside');
    for (const n of [managed, outside]) await kubectlAt(remote.state, ['create', 'namespace', n]);
    const kubeconfig = await readFile(remote.state.kubeconfig, 'utf8');
    const context = /"?current-context"?:\s*"?([\w.-]+)/.exec(kubeconfig)?.[1] ?? '';
    const add = await gitward([
      ...['cluster', 'add', context, '--kubeconfig', remote.state.kubeconfig, '--name', 'limited'],
      ...['--namespace', managed, '--system-namespace', managed, '-y'],
    ]);
    expect(add.code, add.stderr).toBe(0);
    // No CreateNamespace: a Namespace is cluster-scoped, which this registration may not touch.
    const limitedApp = (name: string, namespace: string) =>
      app(name, { name: 'limited', namespace });
    // Its token may only touch `managed`: the watches are per namespace there, so it still syncs.
    await kubectl(['apply', '-f', '-'], limitedApp('lim-in', managed));
    await wait(
      'lim-in',
      (x) => x.status?.sync?.status === 'Synced' && x.status.health?.status === 'Healthy',
    );
    const made = await kubectlAt(remote.state, [
      '-n',
      managed,
      'get',
      'deployment,configmap',
      '-o',
      'name',
    ]);
    expect(made).toContain('deployment.apps/web');

    await kubectl(['apply', '-f', '-'], limitedApp('lim-out', outside));
    const refused = await wait('lim-out', (x) =>
      (x.status?.conditions ?? []).some((c) =>
        c.message.includes('is not managed by cluster limited'),
      ),
    );
    expect(refused.status?.operationState?.phase ?? 'none').not.toBe('Succeeded');
    const nothing = await kubectlAt(remote.state, [
      '-n',
      outside,
      'get',
      'deployment,configmap',
      '-o',
      'name',
    ]);
    expect(nothing).not.toContain('deployment.apps/web');
    // The token may not list CRDs: said once in the log, not at every retry.
    const log = await readFile(controller.logFile, 'utf8');
    const crdForbidden = log
      .split('\n')
      .filter((l) => l.includes('customresourcedefinitions') && l.includes('403'));
    expect(crdForbidden).toHaveLength(1);
    expect((await gitward(['cluster', 'rm', 'limited', '-y'])).code).toBe(0);
  });
});
