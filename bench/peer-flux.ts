/**
 * Flux behind the peers' interface (bench/peers.ts): source-controller and kustomize-controller
 * built from their Go modules (bench/peers/build-peers.sh), run as processes against the control
 * plane's kubeconfig, their CRDs installed, and per app one GitRepository and one Kustomization in
 * flux-system (interval 60m, so only the measured work runs, as gitward's periodic refresh is off;
 * prune, wait: true so Ready includes the health of what was applied, targetNamespace the app's
 * namespace, which the bench creates as part of the timed create step since Flux has no
 * CreateNamespace). Both controllers run with --concurrent=10 (gitward's parallelism). The refresh
 * request is `reconcile.fluxcd.io/requestedAt` (what `flux reconcile ks --with-source` sets).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { listenPort } from '@gitward/local-cluster';
import {
  annotate,
  buildPeer,
  create,
  createNamespace,
  installCrds,
  peerVersions,
  untilHttpOk,
} from './peer-common.ts';
import { fluxHandled, kustomizationVerdict, type Verdict } from './peer-status.ts';
import type { PeerContext, PeerRunner } from './peers.ts';
import { spawnBinary, type Spawned } from './processes.ts';
import { inBatches } from './scale-out.ts';

const ns = 'flux-system';
const gitRepos = `/apis/source.toolkit.fluxcd.io/v1/namespaces/${ns}/gitrepositories`;
const kustomizations = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${ns}/kustomizations`;
const requestKey = 'reconcile.fluxcd.io/requestedAt';

async function controller(
  dir: string,
  name: string,
  kubeconfig: string,
  extra: (scratch: string) => readonly string[],
): Promise<Spawned> {
  const metrics = await listenPort();
  const health = await listenPort();
  const args = (scratch: string) => [
    ...['--metrics-addr', `127.0.0.1:${metrics}`, '--health-addr', `127.0.0.1:${health}`],
    ...['--enable-leader-election=false', '--watch-all-namespaces=true', '--concurrent=10'],
    ...['--log-level', 'info', ...extra(scratch)],
  ];
  const bin = join(dir, name);
  const p = await spawnBinary(name, bin, args, { KUBECONFIG: kubeconfig, RUNTIME_NAMESPACE: ns });
  await untilHttpOk(
    p,
    `${bin} ${args('<scratch>').join(' ')}`,
    `http://127.0.0.1:${health}/readyz`,
  );
  return p;
}

export async function startFlux(ctx: PeerContext): Promise<PeerRunner> {
  const dir = await buildPeer(ctx, 'flux');
  const v = await peerVersions();
  await installCrds(ctx, join(dir, 'crds'));
  await createNamespace(ctx.kube, ns);
  const storage = await listenPort();
  const procs: Spawned[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop();
  };
  try {
    procs.push(
      await controller(dir, 'source-controller', ctx.kubeconfig, (scratch) => [
        // It must exist: source-controller refuses a missing one ("invalid dir path").
        ...['--storage-path', mkdirSync(join(scratch, 'storage'), { recursive: true }) ?? ''],
        ...['--storage-addr', `127.0.0.1:${storage}`, '--storage-adv-addr', `127.0.0.1:${storage}`],
      ]),
    );
    procs.push(await controller(dir, 'kustomize-controller', ctx.kubeconfig, () => []));
  } catch (e) {
    await stop();
    throw e;
  }
  const list = async (path: string) => (await ctx.kube.list(path)).items as unknown[];
  const nameOf = (o: unknown) => (o as { metadata: { name: string } }).metadata.name;
  const request = async (name: string, token: string, withKs: boolean) => {
    await annotate(ctx.kube, `${gitRepos}/${name}`, requestKey, token);
    if (withKs) await annotate(ctx.kube, `${kustomizations}/${name}`, requestKey, token);
  };
  return {
    name: 'Flux',
    version: `source-controller v${v['FLUX_SOURCE_CONTROLLER_VERSION']}, kustomize-controller v${v['FLUX_KUSTOMIZE_CONTROLLER_VERSION']}`,
    pids: () => procs.map((p) => p.child.pid ?? 0),
    logFiles: procs.map((p) => p.logFile),
    async createApp(name, repoURL, path) {
      await createNamespace(ctx.kube, name);
      await create(ctx.kube, gitRepos, {
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'GitRepository',
        metadata: { name, namespace: ns },
        spec: { interval: '60m', timeout: '60s', url: repoURL, ref: { branch: 'main' } },
      });
      await create(ctx.kube, kustomizations, {
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        metadata: { name, namespace: ns },
        spec: {
          interval: '60m',
          timeout: '5m',
          sourceRef: { kind: 'GitRepository', name },
          path: `./${path}`,
          prune: true,
          wait: true,
          targetNamespace: name,
        },
      });
    },
    async verdicts() {
      return new Map<string, Verdict>(
        (await list(kustomizations)).map((k) => [nameOf(k), kustomizationVerdict(k)]),
      );
    },
    async requestReconcile(names) {
      const token = new Date().toISOString();
      await inBatches(names, 20, (n) => request(n, token, true));
      const want = new Set(names);
      const handled = (objs: unknown[]) =>
        objs.filter((o) => want.has(nameOf(o)) && fluxHandled(o, token)).length === want.size;
      return async () => handled(await list(gitRepos)) && handled(await list(kustomizations));
    },
    notify: (name) => request(name, new Date().toISOString(), false),
    stop,
  };
}
