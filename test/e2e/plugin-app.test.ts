import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';

/**
 * Config management plugins configured the way Argo CD users configure them: plugin.yaml
 * documents in the cmp ConfigMap (gitward-cmp-cm) and in a directory (`--plugins-dir`, as a
 * sidecar mounts them). The real controller renders with them, syncs to the local control plane
 * and the real API server answers manifests with them. Everything runs in a control namespace
 * of this file, so its ConfigMap reaches no other file's controller.
 */

// A plugin program (the pinned node) that prints a ConfigMap of what it was given: Argo CD's
// variables, the app's env and parameters, a file of its working directory, and the names of
// every other variable it sees (only PATH and HOME: no secret of the controller's environment).
const dumpEnv = `
const e = process.env;
const other = Object.keys(e).filter((k) => !/^(ARGOCD_|PARAM_|KUBE_VERSION$|KUBE_API_VERSIONS$)/.test(k)).sort();
const data = {
  app: e.ARGOCD_APP_NAME, ns: e.ARGOCD_APP_NAMESPACE, rev: e.ARGOCD_APP_REVISION,
  path: e.ARGOCD_APP_SOURCE_PATH, color: e.ARGOCD_ENV_COLOR, size: e.PARAM_SIZE,
  file0: e.PARAM_FILES_0, params: e.ARGOCD_APP_PARAMETERS, kube: e.KUBE_VERSION,
  input: require('fs').readFileSync('input.txt', 'utf8').trim(), other: other.join(','),
};
console.log(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-plugin' }, data }));
`;

const cmp = (name: string, spec: Record<string, unknown>) =>
  JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ConfigManagementPlugin',
    metadata: { name },
    spec,
  });

// Its sleep length marks the hanging plugin's processes, to find leftovers in /proc.
const hangSleep = '4243';

let git: GitServer;
let repo: TestRepo;
let ns: string;
let pluginsDir: string;
let controller: ControllerProcess;
let server: ServerProcess;
const dests: string[] = [];

beforeAll(async () => {
  git = await createGitServer();
  repo = await git.createRepo('plugin-app');
  await repo.commit(
    {
      'env/input.txt': 'from the repo\n',
      'disc/cm.gen':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: discovered\ndata:\n  by: gen-files\n',
      'disc/ignored.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: not-a-plugin\n',
      'good/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n',
    },
    'plugin sources',
  );
  await repo.push();
  ns = uniqueName('cmp');
  await kubectl(['create', 'namespace', ns]);
  // Two plugins from the ConfigMap: one named with a version, one found by discovery.
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gitward-cmp-cm', namespace: ns },
      data: {
        'env-dump.yaml': cmp('env-dump', {
          version: 'v1.0',
          generate: { command: [process.execPath, '-e'], args: [dumpEnv] },
        }),
        'gen-files.yaml': cmp('gen-files', {
          discover: { fileName: '*.gen' },
          generate: { command: ['sh', '-c'], args: ['cat *.gen'] },
        }),
      },
    }),
  );
  // One from a directory laid out as a sidecar's: a plugin that never finishes, and forks.
  pluginsDir = await mkdtemp(join(tmpdir(), 'gitward-cmp-'));
  await mkdir(join(pluginsDir, 'hang'));
  await writeFile(
    join(pluginsDir, 'hang', 'plugin.yaml'),
    cmp('hang', {
      generate: { command: ['sh', '-c', `sleep ${hangSleep} & sleep ${hangSleep}`] },
    }),
  );
  const pluginArgs = ['--plugins-dir', pluginsDir, '--plugin-timeout-seconds', '5'];
  controller = await startController(['--namespace', ns, ...pluginArgs]);
  await controller.ready();
  server = await startServer(['--insecure', '--namespace', ns, ...pluginArgs]);
});

afterAll(async () => {
  await controller?.stop();
  await server?.stop();
  await git?.close();
  await rm(pluginsDir, { recursive: true, force: true });
  for (const n of [ns, ...dests])
    await kubectl(['delete', 'namespace', n, '--wait=false', '--ignore-not-found']);
});

/** An auto-synced Application of `path` into a new namespace, with `source` fields over it. */
async function createApp(name: string, path: string, source: Record<string, unknown> = {}) {
  const dest = uniqueName(`${name}-dst`);
  dests.push(dest);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: ns },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: dest },
        source: { repoURL: repo.url, path, targetRevision: 'main', ...source },
        syncPolicy: { automated: {}, syncOptions: ['CreateNamespace=true'] },
      },
    }),
  );
  return dest;
}

const waitApp = (name: string, ok: (a: Application) => boolean) =>
  waitApplication({ group: 'gitward.dev', namespace: ns, name }, ok, {
    timeoutMs: 90_000,
    logFile: controller.logFile,
  });

const syncedHealthy = (a: Application) =>
  a.status?.sync?.status === 'Synced' &&
  a.status.health?.status === 'Healthy' &&
  a.status.operationState?.phase === 'Succeeded';

const comparisonError = (a: Application) =>
  (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError');

/** Processes whose command line is `sleep <hangSleep>`, anywhere on the machine. */
async function hangLeftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd === `sleep\0${hangSleep}\0`) found.push(pid);
  }
  return found;
}

/** A JSON GET of the server's API as the admin (the password the server generated). */
async function apiGet(path: string): Promise<{ status: number; text: string }> {
  const password = Buffer.from(
    await kubectl([
      ...['get', 'secret', 'gitward-initial-admin-secret', '-n', ns],
      ...['-o', 'jsonpath={.data.password}'],
    ]),
    'base64',
  ).toString('utf8');
  const login = await fetch(`${server.url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: res.status, text: await res.text() };
}

describe('a plugin named by the Application', () => {
  it('renders from the repository with parameters and env as variables, and syncs Healthy', async () => {
    const dest = await createApp('cmp-env', 'env', {
      plugin: {
        name: 'env-dump-v1.0',
        env: [{ name: 'COLOR', value: 'blue-$ARGOCD_APP_NAME' }],
        parameters: [
          { name: 'size', string: 'L' },
          { name: 'files', array: ['a.yaml'] },
        ],
      },
    });
    const a = await waitApp('cmp-env', syncedHealthy);
    expect(a.status?.sourceType).toBe('Plugin');
    const cm = await getJson<KubeObject & { data: Record<string, string> }>([
      ...['configmap', 'from-plugin', '-n', dest],
    ]);
    expect(cm.data).toMatchObject({
      app: 'cmp-env',
      ns: dest,
      rev: a.status?.sync?.revision,
      path: 'env',
      color: 'blue-cmp-env',
      size: 'L',
      file0: 'a.yaml',
      input: 'from the repo',
      other: 'HOME,PATH',
    });
    expect(JSON.parse(cm.data['params'] ?? '')).toEqual([
      { name: 'size', string: 'L' },
      { name: 'files', array: ['a.yaml'] },
    ]);
    expect(cm.data['kube']).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("the API server's manifests render it as the controller does", async () => {
    const res = await apiGet('/api/v1/applications/cmp-env/manifests');
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('from-plugin');
    expect(res.text).toContain('blue-cmp-env');
  });
});

describe('a plugin found by discovery', () => {
  it('renders a source without a plugin block whose files match its discover rule', async () => {
    const dest = await createApp('cmp-disc', 'disc');
    const a = await waitApp('cmp-disc', syncedHealthy);
    expect(a.status?.sourceType).toBe('Plugin');
    const cm = await getJson<KubeObject & { data: Record<string, string> }>([
      ...['configmap', 'discovered', '-n', dest],
    ]);
    expect(cm.data).toEqual({ by: 'gen-files' });
    // The plugin rendered the directory, not the plain YAML beside its file.
    expect(a.status?.resources?.map((r) => r.name)).toEqual(['discovered']);
    const res = await apiGet('/api/v1/applications/cmp-disc/manifests');
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('discovered');
  });
});

describe('a plugin that hangs', () => {
  it('is killed with its process tree at its timeout, with a clear condition, and the controller goes on', async () => {
    await createApp('cmp-hang', 'good', { plugin: { name: 'hang' } });
    const a = await waitApp('cmp-hang', (x) => comparisonError(x) !== undefined);
    expect(comparisonError(a)?.message).toMatch(/plugin:hang did not finish within 5s/);
    expect(await hangLeftovers()).toEqual([]);
    // Meanwhile and afterwards, other apps render and sync.
    await createApp('cmp-after', 'good');
    await waitApp('cmp-after', syncedHealthy);
  });

  it('an unknown plugin name is a clear condition', async () => {
    await createApp('cmp-unknown', 'good', { plugin: { name: 'nope' } });
    const a = await waitApp('cmp-unknown', (x) => comparisonError(x) !== undefined);
    expect(comparisonError(a)?.message).toMatch(
      /config management plugin "nope" is not configured/,
    );
  });
});

describe('the cmp ConfigMap', () => {
  it('is watched: a plugin added to it is used without a restart, by the controller and the server', async () => {
    await kubectl([
      ...['-n', ns, 'patch', 'configmap', 'gitward-cmp-cm', '--type=merge', '-p'],
      JSON.stringify({
        data: {
          'late.yaml': cmp('late', { generate: { command: ['sh', '-c'], args: ['cat cm.yaml'] } }),
          // A broken value beside it: logged, and the other plugins stay.
          'broken.yaml': 'kind: ConfigManagementPlugin\nmetadata: {name: broken}\n',
        },
      }),
    ]);
    await createApp('cmp-late', 'good', { plugin: { name: 'late' } });
    const a = await waitApp('cmp-late', syncedHealthy);
    expect(a.status?.sourceType).toBe('Plugin');
    const deadline = Date.now() + 30_000;
    let res = await apiGet('/api/v1/applications/cmp-late/manifests');
    while (res.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      res = await apiGet('/api/v1/applications/cmp-late/manifests');
    }
    expect(res.status, res.text).toBe(200);
    expect(res.text).toContain('good');
  });
});
