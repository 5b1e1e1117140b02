/**
 * Scenario 3, sync throughput against the physical limit: one Application of 1,000 objects synced
 * by the real controller process, from a real git repository over loopback, against the local
 * control plane; the baseline is `kubectl apply --server-side` of the same objects on the same
 * control plane in the same run, so both pay the same apiserver and etcd.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import {
  ensureBinaries,
  listenPort,
  startLocalCluster,
  type ClusterState,
} from '@gitward/local-cluster';
import type { Application } from '@gitward/model';
import { createGitServer } from '@gitward/testkit';
import { objectCount, thousandObjects, writeThousandObjects } from './fixtures.ts';
import { spawnLogged, untilReady } from './processes.ts';
import { spread, timed, type Spread } from './stats.ts';

export interface SyncFigures {
  readonly objects: number;
  /** Seconds from requesting the sync to a finished, Succeeded operation. */
  readonly controller: Spread;
  /** Seconds `kubectl apply --server-side` of the same objects takes. */
  readonly kubectl: Spread;
  /** From the controller's log: request to "applied N object(s)" (dry runs and applies). */
  readonly applyPhase: Spread;
  /** From the controller's log: "applied" to the operation's success (health, final compare). */
  readonly afterApply: Spread;
}

const appNamespace = 'gitward';
const controllerMain = join(import.meta.dirname, '..', 'packages', 'controller', 'src', 'main.ts');

export function run(cmd: string, args: readonly string[], timeoutMs = 600_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, out, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(out);
    });
  });
}

export interface Controller {
  /** Removed by stop(), with the controller's caches. */
  readonly logFile: string;
  /** For CPU and memory readings from /proc. */
  readonly pid: number;
  /** The controller's Prometheus metrics, for where the time went. */
  readonly metricsUrl: string;
  stop(): Promise<void>;
}

/** Starts the real controller process; `extraArgs` go last (e.g. `--resync-seconds 0`). */
export async function startController(
  cacheDir: string,
  kubeconfig: string,
  extraArgs: readonly string[] = [],
): Promise<Controller> {
  const bin = await ensureBinaries({ cacheDir });
  const port = await listenPort();
  const p = await spawnLogged('controller', controllerMain, (dir) => [
    ...['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache')],
    ...['--metrics-port', String(port), '--metrics-address', '127.0.0.1', '--install-crds'],
    ...['--leader-election', 'false'],
    ...['--helm', bin.path.helm, '--kustomize', bin.path.kustomize, '--jsonnet', bin.path.jsonnet],
    ...extraArgs,
  ]);
  await untilReady(p, 'controller', 120_000, async () =>
    (await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined,
  );
  return {
    logFile: p.logFile,
    pid: p.child.pid ?? 0,
    metricsUrl: `http://127.0.0.1:${port}/metrics`,
    stop: p.stop,
  };
}

async function waitApp(
  kube: KubeClient,
  name: string,
  ok: (a: Application) => boolean,
  logFile: string,
): Promise<Application> {
  const path = `/apis/gitward.dev/v1alpha1/namespaces/${appNamespace}/applications/${name}`;
  const deadline = performance.now() + 600_000;
  while (performance.now() < deadline) {
    const r = await kube.request<Application>('GET', path);
    if (r.status === 200 && ok(r.body)) return r.body;
    // Polled in-process, not with kubectl, so the waiting costs the 2-CPU machine almost nothing.
    await sleep(50);
  }
  throw new Error(`Application ${name} did not get there in 600 s; see ${logFile}`);
}

const opDone = (a: Application): boolean =>
  !a.operation && ['Succeeded', 'Failed', 'Error'].includes(a.status?.operationState?.phase ?? '');

/** Syncs a fresh Application (fresh namespace, so every object is created) and times it. */
async function controllerSync(
  kube: KubeClient,
  kubectl: (a: readonly string[]) => Promise<string>,
  repoURL: string,
  i: number,
  logFile: string,
): Promise<ControllerRun> {
  const name = `bench-sync-${i}`;
  await kubectl(['create', 'namespace', name]);
  const app = {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: appNamespace },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: name },
      source: { repoURL, path: 'objects', targetRevision: 'main' },
    },
  };
  const apps = `/apis/gitward.dev/v1alpha1/namespaces/${appNamespace}/applications`;
  const created = await kube.request('POST', apps, { body: app });
  if (created.status >= 300) throw new Error(`creating ${name}: HTTP ${created.status}`);
  // The first comparison (render and live state) is not part of the sync: wait for it.
  await waitApp(kube, name, (a) => a.status?.sync?.status === 'OutOfSync', logFile);
  const requested = Date.now();
  const { ms, value } = await timed(async () => {
    const body = { operation: { initiatedBy: { username: 'bench' }, sync: {} } };
    const r = await kube.request('PATCH', `${apps}/${name}`, { body });
    if (r.status >= 300) throw new Error(`requesting sync of ${name}: HTTP ${r.status}`);
    return waitApp(kube, name, opDone, logFile);
  });
  const phase = value.status?.operationState?.phase;
  if (phase !== 'Succeeded') throw new Error(`sync of ${name} ended ${phase}; see ${logFile}`);
  const applied = await logTime(logFile, name, /^applied \d+ object/);
  const succeeded = await logTime(logFile, name, /^successfully synced/);
  return {
    seconds: ms / 1000,
    applySeconds: (applied - requested) / 1000,
    afterApplySeconds: (succeeded - applied) / 1000,
  };
}

interface ControllerRun {
  readonly seconds: number;
  readonly applySeconds: number;
  readonly afterApplySeconds: number;
}

/** The time of the controller's first log line for `app` whose message matches. */
async function logTime(logFile: string, app: string, msg: RegExp): Promise<number> {
  for (const line of (await readFile(logFile, 'utf8')).split('\n')) {
    if (!line.startsWith('{')) continue;
    const e = JSON.parse(line) as { app?: string; msg?: string; time?: number | string };
    // The log's time is RFC 3339 since the JSON logs follow Argo CD and Flux (epoch ms before).
    if (e.app === app && msg.test(e.msg ?? ''))
      return typeof e.time === 'string' ? Date.parse(e.time) : (e.time ?? Number.NaN);
  }
  return Number.NaN;
}

async function kubectlApply(
  kubectl: (a: readonly string[]) => Promise<string>,
  file: string,
  i: number,
): Promise<number> {
  const ns = `bench-kubectl-${i}`;
  await kubectl(['create', 'namespace', ns]);
  const { ms } = await timed(() =>
    kubectl(['apply', '--server-side', '--field-manager=bench', '-n', ns, '-f', file]),
  );
  return ms / 1000;
}

export async function withCluster<T>(
  cacheDir: string,
  fn: (s: ClusterState) => Promise<T>,
  name = 'bench-sync',
): Promise<T> {
  const cluster = await startLocalCluster({ name, cacheDir });
  try {
    return await fn(cluster.state);
  } finally {
    await cluster.stop();
  }
}

/** Runs `runs` controller syncs and `runs` kubectl applies, interleaved, on one control plane. */
export async function benchSyncThroughput(cacheDir: string, runs: number): Promise<SyncFigures> {
  return withCluster(cacheDir, async (state) => {
    const kube = createKubeClient(await loadKubeconfig(state.kubeconfig));
    const kubectl = (a: readonly string[]) =>
      run(join(state.binDir, 'kubectl'), [
        ...['--kubeconfig', state.kubeconfig, '--cache-dir', join(state.dir, 'kubectl-cache')],
        ...a,
      ]);
    const server = await createGitServer();
    const fixtures = await mkdtemp(join(tmpdir(), 'gitward-bench-sync-'));
    const file = join(fixtures, 'all.json');
    await writeThousandObjects(join(fixtures, 'repo', 'objects'));
    await writeFile(
      file,
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: thousandObjects() }),
    );
    const repo = await server.createRepo('sync', join(fixtures, 'repo'));
    const controller = await startController(cacheDir, state.kubeconfig);
    try {
      const ctl: ControllerRun[] = [];
      const base: number[] = [];
      for (let i = 0; i < runs; i++) {
        base.push(await kubectlApply(kubectl, file, i));
        ctl.push(await controllerSync(kube, kubectl, repo.url, i, controller.logFile));
      }
      return {
        objects: objectCount,
        controller: spread(ctl.map((r) => r.seconds)),
        kubectl: spread(base),
        applyPhase: spread(ctl.map((r) => r.applySeconds)),
        afterApply: spread(ctl.map((r) => r.afterApplySeconds)),
      };
    } finally {
      await controller.stop();
      await server.close();
      await rm(fixtures, { recursive: true, force: true });
    }
  });
}
