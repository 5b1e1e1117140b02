import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedVariants, type RenderedObject } from '@gitward/local-cluster';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { runCli } from './support/cli.ts';
import { adminLogin } from './support/cli-bed.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import {
  applyObjects,
  applyShippedCrds,
  deleteClusterScoped,
  rbacKinds,
  renderChart,
} from './support/deploy.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';
import { cm, deployment, exists, waitGone } from './support/sync-fixtures.ts';

// The controller and the server with exactly the rights the manifests grant: the chart's
// ServiceAccounts, Roles and ClusterRoles (cluster scope) in a namespace of this run, and each
// process given a token of its ServiceAccount (TokenRequest, as the kubelet mounts one) instead
// of the admin's kubeconfig. A user's round trip through the CLI then works: the server stores
// the app and a repository, the controller syncs it, the server's resource route deletes one of
// its objects, and a cascading delete removes the rest. A rule the processes need and the chart
// lacks fails here with the apiserver's 403.

const installKinds = new Set([...rbacKinds, 'ConfigMap', 'Secret', 'AppProject']);

const ns = uniqueName('gw-proc');
const prefix = `${ns}-`;
const dest = `${ns}-dest`;
let objects: RenderedObject[] = [];
let work: string;
let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess | undefined;
let server: ServerProcess | undefined;

/** A kubeconfig for the e2e apiserver that authenticates as a ServiceAccount with a fresh token. */
async function serviceAccountKubeconfig(sa: string): Promise<string> {
  const token = (await kubectl(['create', 'token', sa, '-n', ns, '--duration=3600s'])).trim();
  const admin = JSON.parse(
    await kubectl(['config', 'view', '--raw', '--minify', '-o', 'json']),
  ) as {
    clusters: { cluster: Record<string, string> }[];
  };
  const cluster = admin.clusters[0]?.cluster ?? {};
  const file = join(work, `${sa}.kubeconfig`);
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'e2e', cluster }],
      users: [{ name: sa, user: { token } }],
      contexts: [{ name: sa, context: { cluster: 'e2e', user: sa, namespace: ns } }],
      'current-context': sa,
    }),
    { mode: 0o600 },
  );
  return file;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'gitward-deploy-proc-'));
  git = await createGitServer();
  repo = await git.createRepo('deploy-processes');
  await repo.commit({ 'app/cm.json': cm('settings'), 'app/web.yaml': deployment('web') }, 'v1');
  await repo.push();
  const rendered = await renderChart([
    ...generatedVariants.base,
    ...['--set', `namespace=${ns}`, '--set', `namePrefix=${prefix}`],
  ]);
  objects = rendered.filter((o) => installKinds.has(o.kind));
  await applyShippedCrds('gitward-e2e-deploy');
  await applyObjects(objects);
  await kubectl(['create', 'namespace', dest]);
  // As in the pod: no --install-crds (the manifests installed them), the control namespace of
  // the install, the ServiceAccounts' tokens.
  controller = await startController(['--namespace', ns, '--sync-timeout-seconds', '60'], {
    installCrds: false,
    kubeconfig: await serviceAccountKubeconfig('gitward-controller'),
  });
  await controller.ready();
  server = await startServer([
    ...['--kubeconfig', await serviceAccountKubeconfig('gitward-server')],
    ...['--namespace', ns],
  ]);
});

afterAll(async () => {
  await server?.stop();
  await controller?.stop();
  await git.close();
  // Nothing may keep the namespace from going: drop what is left of the app with its finalizer.
  await kubectl(['delete', 'applications.gitward.dev', '--all', '-n', ns, '--wait=false']).catch(
    () => '',
  );
  await deleteClusterScoped(objects);
  await kubectl(['delete', 'namespace', ns, dest, '--ignore-not-found', '--wait=false']);
  await rm(work, { recursive: true, force: true });
});

describe('the processes with the ServiceAccounts the manifests grant', () => {
  it('log in, add a repository, create, sync, delete a resource and cascade-delete an app', async () => {
    const gitward = (args: readonly string[]) =>
      runCli(args, { GITWARD_CONFIG: join(work, 'cli.yaml') });
    // The server made the admin password with its own rights (a Secret it creates).
    const password = Buffer.from(
      await kubectl([
        'get',
        'secret',
        'gitward-initial-admin-secret',
        '-n',
        ns,
        '-o',
        'jsonpath={.data.password}',
      ]),
      'base64',
    ).toString('utf8');
    const url = server?.url ?? '';
    const login = await gitward(adminLogin(url, password));
    expect(login.code, login.stderr).toBe(0);

    const repoAdd = await gitward(['repo', 'add', repo.url]);
    expect(repoAdd.code, repoAdd.stderr).toBe(0);
    const create = await gitward([
      ...['app', 'create', 'shop', '--repo', repo.url, '--path', 'app'],
      ...['--revision', 'main', '--dest-namespace', dest, '--set-finalizer'],
    ]);
    expect(create.code, create.stderr).toBe(0);
    const sync = await gitward(['app', 'sync', 'shop', '--timeout', '120']);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    expect(await exists(dest, 'deployment', 'web')).toBe(true);

    // The resource route: the server deletes a live object with its delete grant.
    const del = await gitward([
      ...['app', 'delete-resource', 'shop', '--kind', 'ConfigMap'],
      ...['--namespace', dest, '--resource-name', 'settings'],
    ]);
    expect(del.code, del.stderr).toBe(0);
    await waitGone(dest, 'configmap', 'settings');

    const remove = await gitward(['app', 'delete', 'shop', '--wait']);
    expect(remove.code, remove.stderr).toBe(0);
    await waitGone(dest, 'deployment', 'web');
  });
});
