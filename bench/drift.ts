/**
 * Scenario 5, drift: a 10-ConfigMap directory app, automated and Synced/Healthy, then a field of a
 * managed ConfigMap is changed behind gitward's back. Timed: until the Application shows OutOfSync
 * (selfHeal off), and until the field is restored in the cluster (selfHeal on). The controller
 * runs with periodic refresh off, so only its watch of the live objects can notice.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import type { Application, KubeObject } from '@gitward/model';
import { createGitServer, type GitServer } from '@gitward/testkit';
import { spread, type Spread } from './stats.ts';
import { run, startController, withCluster, type Controller } from './sync-throughput.ts';

export interface DriftFigures {
  readonly resources: number;
  /** Seconds from the patch to the Application's status showing OutOfSync (selfHeal off). */
  readonly detect: Spread;
  /** Seconds from the patch to the field being back in the cluster (selfHeal on). */
  readonly heal: Spread;
}

export const driftResources = 10;
/** Polled in-process at this interval, so the measurement's own resolution is about 20 ms. */
export const pollMs = 20;
/** The first self-heal waits this long after the last sync (defaultSelfHealBackoff.baseMs). */
const selfHealBackoffMs = 2000;
const appNamespace = 'gitward';
export const appsPath = `/apis/gitward.dev/v1alpha1/namespaces/${appNamespace}/applications`;

/** What the scenarios share: one control plane, one controller, one git server. */
export interface Harness {
  readonly kube: KubeClient;
  readonly kubeconfig: string;
  readonly server: GitServer;
  readonly controller: Controller;
  /** Every controller replica (`controller` is the first); one unless the harness shards. */
  readonly controllers: readonly Controller[];
  /** A scratch directory, removed at the end. */
  readonly dir: string;
  /** kubectl against the harness's control plane (for baselines). */
  readonly kubectl: (args: readonly string[], timeoutMs?: number) => Promise<string>;
}

/** Starts the harness of scenario 3; by default the controller's periodic refresh is off. */
export async function withHarness<T>(
  cacheDir: string,
  name: string,
  fn: (h: Harness) => Promise<T>,
  controllerArgs: readonly string[] = ['--resync-seconds', '0'],
  replicas = 1,
): Promise<T> {
  return withCluster(
    cacheDir,
    async (state) => {
      const kube = createKubeClient(await loadKubeconfig(state.kubeconfig));
      const server = await createGitServer();
      const dir = await mkdtemp(join(tmpdir(), `gitward-${name}-`));
      // Sharded: every replica with --replicas N, started together as a Deployment's would be.
      const args =
        replicas > 1 ? [...controllerArgs, '--replicas', String(replicas)] : controllerArgs;
      const started = await Promise.allSettled(
        Array.from({ length: replicas }, () => startController(cacheDir, state.kubeconfig, args)),
      );
      const controllers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const failed = started.find((r) => r.status === 'rejected');
      const controller = controllers[0];
      if (failed || !controller) {
        for (const c of controllers) await c.stop();
        throw failed ? failed.reason : new Error('withHarness: no controller replica');
      }
      try {
        const kubectl = (a: readonly string[], timeoutMs?: number) =>
          run(
            join(state.binDir, 'kubectl'),
            [
              ...[
                '--kubeconfig',
                state.kubeconfig,
                '--cache-dir',
                join(state.dir, 'kubectl-cache'),
              ],
              ...a,
            ],
            timeoutMs,
          );
        const h = { kube, kubeconfig: state.kubeconfig, server, controller, controllers, dir };
        return await fn({ ...h, kubectl });
      } finally {
        for (const c of controllers) await c.stop();
        await server.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    name,
  );
}

/** Polls `probe` every pollMs until it gives a value. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(pollMs);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}

export async function getApp(kube: KubeClient, name: string): Promise<Application | undefined> {
  const r = await kube.request<Application>('GET', `${appsPath}/${name}`);
  return r.status === 200 ? r.body : undefined;
}

/** Synced and Healthy, with no operation pending or running. */
export const settled = (a: Application): boolean =>
  a.status?.sync?.status === 'Synced' &&
  a.status.health?.status === 'Healthy' &&
  !a.operation &&
  a.status.operationState?.phase !== 'Running';

export function configMap(i: number, index = String(i)): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `cm-${i}`, labels: { bench: 'gitward' } },
    data: { index, payload: `value-${i}-`.repeat(8) },
  };
}

export async function writeConfigMaps(dir: string, count: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      writeFile(join(dir, `cm-${i}.json`), JSON.stringify(configMap(i))),
    ),
  );
}

/** An Application `name` in the control namespace, deploying `source` at main into namespace `name`. */
export function applicationBody(
  name: string,
  source: { readonly repoURL: string; readonly path: string },
  syncPolicy?: Application['spec']['syncPolicy'],
): Application {
  return {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: appNamespace },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      source: { ...source, targetRevision: 'main' },
      ...(syncPolicy ? { syncPolicy } : {}),
    },
  };
}

export async function postApp(kube: KubeClient, app: Application): Promise<void> {
  const r = await kube.request('POST', appsPath, { body: app });
  if (r.status >= 300)
    throw new Error(`creating Application ${app.metadata.name}: HTTP ${r.status}`);
}

/** Creates namespace `name` and an automated Application of that name deploying into it. */
export async function createApp(
  kube: KubeClient,
  name: string,
  source: { readonly repoURL: string; readonly path: string },
  selfHeal: boolean,
  timeoutMs = 120_000,
): Promise<Application> {
  const ns = await kube.request('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
  });
  if (ns.status >= 300) throw new Error(`creating namespace ${name}: HTTP ${ns.status}`);
  await postApp(kube, applicationBody(name, source, { automated: { selfHeal } }));
  return pollUntil(
    async () => {
      const a = await getApp(kube, name);
      return a && settled(a) ? a : undefined;
    },
    `Application ${name} Synced/Healthy`,
    timeoutMs,
  );
}

/** Sets cm-0's `data.index` as `kubectl patch --type merge` would; returns when it is written. */
async function patchIndex(kube: KubeClient, ns: string, index: string): Promise<void> {
  const r = await kube.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/cm-0`, {
    body: { data: { index } },
  });
  if (r.status >= 300) throw new Error(`patching cm-0 in ${ns}: HTTP ${r.status}`);
}

export async function liveIndex(kube: KubeClient, ns: string): Promise<string | undefined> {
  const r = await kube.request<KubeObject>('GET', `/api/v1/namespaces/${ns}/configmaps/cm-0`);
  const data = (r.body as { data?: Record<string, string> }).data;
  return r.status === 200 ? data?.['index'] : undefined;
}

/** One app, selfHeal off: drift, time to OutOfSync, then undo the drift by hand. */
async function detectRuns(h: Harness, repoURL: string, runs: number): Promise<number[]> {
  const name = 'bench-drift';
  await createApp(h.kube, name, { repoURL, path: 'objects' }, false);
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await patchIndex(h.kube, name, `drift-${i}`);
    await pollUntil(
      async () =>
        (await getApp(h.kube, name))?.status?.sync?.status === 'OutOfSync' ? 1 : undefined,
      `${name} OutOfSync after drift; see ${h.controller.logFile}`,
    );
    out.push((performance.now() - t0) / 1000);
    await patchIndex(h.kube, name, '0');
    await pollUntil(async () => {
      const a = await getApp(h.kube, name);
      return a && settled(a) ? a : undefined;
    }, `${name} Synced again`);
  }
  return out;
}

/**
 * A fresh app per run, selfHeal on: each heal raises the app's back-off (2 s, ×3), so reusing one
 * app would time the back-off, not the controller. The drift is made once the first back-off
 * after the initial sync has passed, so a heal may start as soon as the drift is seen.
 */
async function healRuns(h: Harness, repoURL: string, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `bench-heal-${i}`;
    const app = await createApp(h.kube, name, { repoURL, path: 'objects' }, true);
    const finished = Date.parse(app.status?.operationState?.finishedAt ?? '') || Date.now();
    await sleep(Math.max(0, finished + selfHealBackoffMs + 200 - Date.now()));
    const t0 = performance.now();
    await patchIndex(h.kube, name, `drift-${i}`);
    await pollUntil(
      async () => ((await liveIndex(h.kube, name)) === '0' ? 1 : undefined),
      `${name} healed; see ${h.controller.logFile}`,
    );
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

export async function benchDrift(cacheDir: string, runs: number): Promise<DriftFigures> {
  return withHarness(cacheDir, 'bench-drift', async (h) => {
    await writeConfigMaps(join(h.dir, 'repo', 'objects'), driftResources);
    const repo = await h.server.createRepo('drift', join(h.dir, 'repo'));
    const detect = await detectRuns(h, repo.url, runs);
    const heal = await healRuns(h, repo.url, runs);
    return { resources: driftResources, detect: spread(detect), heal: spread(heal) };
  });
}
