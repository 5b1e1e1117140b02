/**
 * Argo CD behind the peers' interface (bench/peers.ts): its multi-call binary built from the
 * github.com/argoproj/argo-cd/v3 module (bench/peers/build-peers.sh), run by symlink name as
 * argocd-repo-server and argocd-application-controller against the control plane's kubeconfig,
 * with Debian's redis-server, its CRDs installed, and N argoproj.io Applications in `argocd` that
 * are automated (prune, CreateNamespace=true) like gitward's. Out of a cluster there is no
 * in-cluster service account, so in-cluster is turned off in argocd-cm and the control plane is
 * registered as a cluster Secret with the kubeconfig's client certificate; Applications name its
 * URL as destination. `--app-resync 3600` keeps periodic work out of the measured cycles, as
 * gitward's periodic refresh is off. The refresh request is `argocd.argoproj.io/refresh=normal`.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenPort } from '@gitward/local-cluster';
import {
  applicationPeer,
  buildPeer,
  create,
  createNamespace,
  installCrds,
  PeerStepError,
  peerVersions,
  step,
  untilHttpOk,
} from './peer-common.ts';
import type { PeerContext, PeerRunner } from './peers.ts';
import { spawnBinary, type Spawned } from './processes.ts';

const ns = 'argocd';
const apps = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/applications`;
const refreshKey = 'argocd.argoproj.io/refresh';
const partOf = { 'app.kubernetes.io/part-of': 'argocd' };

/** The kubeconfig's server and client certificate (base64 PEM, as bench clusters write it). */
interface KubeAccess {
  readonly server: string;
  readonly caData: string;
  readonly certData: string;
  readonly keyData: string;
}

export function kubeAccess(kubeconfigJson: string): KubeAccess {
  const doc = JSON.parse(kubeconfigJson) as {
    clusters?: { cluster?: Record<string, string> }[];
    users?: { user?: Record<string, string> }[];
  };
  const cluster = doc.clusters?.[0]?.cluster ?? {};
  const user = doc.users?.[0]?.user ?? {};
  const access = {
    server: cluster['server'] ?? '',
    caData: cluster['certificate-authority-data'] ?? '',
    certData: user['client-certificate-data'] ?? '',
    keyData: user['client-key-data'] ?? '',
  };
  if (Object.values(access).some((v) => !v))
    throw new Error('the kubeconfig has no server, CA or client certificate');
  return access;
}

async function untilTcp(p: Spawned, command: string, port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (p.child.exitCode !== null) break;
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  const log = await readFile(p.logFile, 'utf8').catch(() => '');
  throw new PeerStepError(command, `port ${port} never opened:\n${log.slice(-2000)}`);
}

/** Settings, the cluster and the default project, as an Argo CD install would have them. */
async function seed(ctx: PeerContext, access: KubeAccess): Promise<void> {
  await createNamespace(ctx.kube, ns);
  await create(ctx.kube, `/api/v1/namespaces/${ns}/configmaps`, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: ns, labels: partOf },
    data: { 'cluster.inClusterEnabled': 'false' },
  });
  await create(ctx.kube, `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'argocd-secret', namespace: ns, labels: partOf },
    stringData: { 'server.secretkey': randomBytes(32).toString('base64') },
  });
  await create(ctx.kube, `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'cluster-local',
      namespace: ns,
      labels: { 'argocd.argoproj.io/secret-type': 'cluster' },
    },
    stringData: {
      name: 'local',
      server: access.server,
      config: JSON.stringify({
        tlsClientConfig: {
          caData: access.caData,
          certData: access.certData,
          keyData: access.keyData,
        },
      }),
    },
  });
  await create(ctx.kube, `/apis/argoproj.io/v1alpha1/namespaces/${ns}/appprojects`, {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'default', namespace: ns },
    spec: {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  });
}

const ensureDeps = join(import.meta.dirname, '..', 'scripts', 'ensure-deps.sh');

export async function startArgoCd(ctx: PeerContext): Promise<PeerRunner> {
  // Redis from Debian: `ensure-deps.sh peers` installs it when missing (and warns if it cannot).
  await step('sh', [ensureDeps, 'peers']);
  const dir = await buildPeer(ctx, 'argocd');
  await installCrds(ctx, join(dir, 'crds'));
  const access = kubeAccess(await readFile(ctx.kubeconfig, 'utf8'));
  await seed(ctx, access);
  const procs: Spawned[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop();
  };
  const [redisPort, repoPort, repoMetrics, ctlMetrics] = [
    await listenPort(),
    await listenPort(),
    await listenPort(),
    await listenPort(),
  ];
  const redis = `127.0.0.1:${redisPort}`;
  const env = {
    ARGOCD_GPG_ENABLED: 'false',
    ARGOCD_ASK_PASS_SOCK: join(ctx.dir, 'askpass.sock'),
    ARGOCD_TLS_DATA_PATH: join(ctx.dir, 'tls'),
    ARGOCD_SSH_DATA_PATH: join(ctx.dir, 'ssh'),
    PATH: `${dir}:${process.env['PATH'] ?? ''}`,
  };
  try {
    const redisArgs = [
      '--port',
      String(redisPort),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const r = await spawnBinary('redis', 'redis-server', () => redisArgs);
    procs.push(r);
    await untilTcp(r, `redis-server ${redisArgs.join(' ')}`, redisPort);
    const repoArgs = [
      ...[
        '--address',
        '127.0.0.1',
        '--port',
        String(repoPort),
        '--disable-tls',
        '--client-ca-path',
        '',
      ],
      ...['--metrics-address', '127.0.0.1', '--metrics-port', String(repoMetrics)],
      ...['--redis', redis, '--logformat', 'text'],
    ];
    const repoBin = join(dir, 'argocd-repo-server');
    const repo = await spawnBinary('argocd-repo-server', repoBin, () => repoArgs, env);
    procs.push(repo);
    await untilHttpOk(
      repo,
      `${repoBin} ${repoArgs.join(' ')}`,
      `http://127.0.0.1:${repoMetrics}/metrics`,
    );
    const ctlArgs = [
      ...['--kubeconfig', ctx.kubeconfig, '--namespace', ns],
      ...['--repo-server', `127.0.0.1:${repoPort}`, '--repo-server-plaintext', '--redis', redis],
      ...['--metrics-port', String(ctlMetrics), '--app-resync', '3600', '--logformat', 'text'],
    ];
    const ctlBin = join(dir, 'argocd-application-controller');
    const ctl = await spawnBinary('argocd-application-controller', ctlBin, () => ctlArgs, env);
    procs.push(ctl);
    await untilHttpOk(
      ctl,
      `${ctlBin} ${ctlArgs.join(' ')}`,
      `http://127.0.0.1:${ctlMetrics}/metrics`,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    name: 'Argo CD',
    version: `v${(await peerVersions())['ARGOCD_VERSION']}`,
    pids: () => procs.map((p) => p.child.pid ?? 0),
    logFiles: procs.map((p) => p.logFile),
    async createApp(name, repoURL, path) {
      await create(ctx.kube, apps, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace: ns },
        spec: {
          project: 'default',
          source: { repoURL, path, targetRevision: 'main' },
          destination: { server: access.server, namespace: name },
          syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
        },
      });
    },
    ...applicationPeer(ctx.kube, apps, refreshKey),
    stop,
  };
}
