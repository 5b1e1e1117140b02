/**
 * The processes' Kubernetes credentials against the real apiserver: a real exec credential plugin
 * (a node script printing an ExecCredential with a real TokenRequest token), the in-cluster
 * ServiceAccount (a fake mount directory holding a real token and the cluster's CA) with its
 * token rotated, and a cluster Secret's execProviderConfig. Tokens are made unusable
 * deterministically: each is bound to its own Secret, and deleting that Secret revokes it.
 */
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  clusterConnection,
  createKubeClient,
  loadKubeconfig,
  resolveKubeConnection,
  serviceAccountDir,
  type KubeClient,
} from '@gitward/infra';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const cluster = inject('cluster');
const ns = uniqueName('creds');
const account = 'reader';
let dir: string;
let ca: string;

/** A token of `reader` bound to a fresh Secret: deleting the Secret revokes the token. */
async function boundToken(secret: string): Promise<string> {
  await kubectl(['-n', ns, 'create', 'secret', 'generic', secret]);
  const args = ['--bound-object-kind', 'Secret', '--bound-object-name', secret];
  return (await kubectl(['-n', ns, 'create', 'token', account, ...args])).trim();
}

/** Deletes the token's Secret and waits until the apiserver refuses the token (exact state). */
async function revoke(secret: string, token: string): Promise<void> {
  await kubectl(['-n', ns, 'delete', 'secret', secret]);
  const raw = createKubeClient({ server: cluster.server, ca, token });
  for (;;) {
    const res = await raw.request('GET', `/api/v1/namespaces/${ns}/configmaps`);
    if (res.status === 401) return;
    await sleep(200);
  }
}

async function listsConfigMap(kube: KubeClient): Promise<string[]> {
  const list = await kube.list(`/api/v1/namespaces/${ns}/configmaps`, {
    labelSelector: 'creds-test=yes',
  });
  return list.items.map((i) => i.metadata.name ?? '');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-kube-creds-'));
  ca = (await loadKubeconfig(cluster.kubeconfig)).ca ?? '';
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'create', 'serviceaccount', account]);
  await kubectl([
    '-n',
    ns,
    'create',
    'rolebinding',
    'reader-view',
    '--clusterrole=view',
    `--serviceaccount=${ns}:${account}`,
  ]);
  await kubectl(['-n', ns, 'create', 'configmap', 'readable']);
  await kubectl(['-n', ns, 'label', 'configmap', 'readable', 'creds-test=yes']);
  // A plugin as `aws eks get-token` is one: prints the token in the file it is told about and
  // counts its runs, so the test sees when the client ran it again.
  await writeFile(
    join(dir, 'plugin.mjs'),
    `#!/usr/bin/env node
import { appendFileSync, readFileSync } from 'node:fs';
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
appendFileSync(process.env.RUNS_FILE, 'run\\n');
const token = readFileSync(process.env.TOKEN_FILE, 'utf8').trim();
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: { token } }));
`,
  );
  await chmod(join(dir, 'plugin.mjs'), 0o755);
});
afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  await rm(dir, { recursive: true, force: true });
});

const pathEnv = { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` };
const runs = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

describe('Kubernetes credentials against the real apiserver', () => {
  it('a kubeconfig user with an exec plugin reads what RBAC allows, and the plugin runs again on 401', async () => {
    const tokenFile = join(dir, 'exec-token');
    const runsFile = join(dir, 'exec-runs');
    const t1 = await boundToken('exec-1');
    await writeFile(tokenFile, t1);
    const kubeconfig = join(dir, 'kubeconfig-exec');
    await writeFile(
      kubeconfig,
      JSON.stringify({
        'current-context': 'other',
        clusters: [
          {
            name: 'local',
            cluster: {
              server: cluster.server,
              'certificate-authority-data': Buffer.from(ca).toString('base64'),
            },
          },
        ],
        users: [
          {
            name: 'plugin',
            user: {
              exec: {
                apiVersion: 'client.authentication.k8s.io/v1',
                // Relative to the kubeconfig's directory, as client-go resolves it.
                command: './plugin.mjs',
                env: [
                  { name: 'TOKEN_FILE', value: tokenFile },
                  { name: 'RUNS_FILE', value: runsFile },
                ],
                interactiveMode: 'Never',
              },
            },
          },
        ],
        contexts: [
          { name: 'other', context: { cluster: 'local', user: 'nobody' } },
          { name: 'exec', context: { cluster: 'local', user: 'plugin' } },
        ],
      }),
    );
    // Through the processes' own entry point: --kubeconfig wins over a stray KUBECONFIG.
    const resolved = await resolveKubeConnection({
      kubeconfig,
      context: 'exec',
      env: { ...pathEnv, KUBECONFIG: join(dir, 'absent') },
    });
    const kube = createKubeClient(resolved.connection);
    expect(await listsConfigMap(kube)).toEqual(['readable']);
    expect(await runs(runsFile)).toBe(1);
    // Outside the role's namespace the token is the ServiceAccount's: forbidden, not 401.
    expect((await kube.request('GET', '/api/v1/namespaces/default/configmaps')).status).toBe(403);

    const t2 = await boundToken('exec-2');
    await writeFile(tokenFile, t2);
    await revoke('exec-1', t1);
    expect(await listsConfigMap(kube)).toEqual(['readable']);
    expect(await runs(runsFile)).toBe(2);
  });

  it('in a pod: the ServiceAccount mount and KUBERNETES_SERVICE_HOST/PORT, with the token rotated', async () => {
    const root = join(dir, 'pod');
    const sa = join(root, serviceAccountDir);
    await mkdir(sa, { recursive: true });
    const t1 = await boundToken('pod-1');
    await writeFile(join(sa, 'token'), t1);
    await writeFile(join(sa, 'ca.crt'), ca);
    await writeFile(join(sa, 'namespace'), ns);
    const url = new URL(cluster.server);
    const resolved = await resolveKubeConnection({
      env: { KUBERNETES_SERVICE_HOST: url.hostname, KUBERNETES_SERVICE_PORT: url.port },
      root,
    });
    expect(resolved.namespace).toBe(ns);
    const kube = createKubeClient(resolved.connection);
    expect(await listsConfigMap(kube)).toEqual(['readable']);

    // The kubelet rotates the token (atomically, by renaming); the old one is then revoked.
    const t2 = await boundToken('pod-2');
    await writeFile(join(sa, 'token.new'), t2);
    await rename(join(sa, 'token.new'), join(sa, 'token'));
    await revoke('pod-1', t1);
    expect(await listsConfigMap(kube)).toEqual(['readable']);
  });

  it("a cluster Secret's execProviderConfig (Argo CD's shape) reaches the cluster", async () => {
    const tokenFile = join(dir, 'secret-token');
    const runsFile = join(dir, 'secret-runs');
    await writeFile(tokenFile, await boundToken('secret-1'));
    const conn = clusterConnection(
      {
        server: cluster.server,
        config: {
          tlsClientConfig: { caData: Buffer.from(ca).toString('base64') },
          execProviderConfig: {
            command: join(dir, 'plugin.mjs'),
            args: [],
            env: { TOKEN_FILE: tokenFile, RUNS_FILE: runsFile },
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            installHint: 'the test writes plugin.mjs',
          },
        },
      },
      { env: pathEnv },
    );
    if (!conn.ok) throw new Error(conn.reason);
    expect(await listsConfigMap(createKubeClient(conn.connection))).toEqual(['readable']);
    expect(await runs(runsFile)).toBe(1);
  });
});
