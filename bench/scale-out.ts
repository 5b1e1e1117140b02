/**
 * Scenario 2, scale-out: N automated Applications of 10 resources each (Deployment, Service,
 * ServiceAccount, Role, RoleBinding, Secret, NetworkPolicy, three ConfigMaps), each in its own
 * namespace (CreateNamespace=true), all from one git repository. Timed: from creating them all to
 * every app Synced/Healthy; then full no-change refresh cycles (every app annotated
 * `gitward.dev/refresh=normal`, until every annotation is gone) with the controller's CPU seconds
 * over the cycle; and the controller's resident memory at rest afterwards. The controller runs
 * with its defaults (parallelism 10) and periodic refresh off, so only the measured work runs.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runReflector, type KubeClient } from '@gitward/infra';
import type { Application, KubeObject } from '@gitward/model';
import {
  applicationBody,
  appsPath,
  pollMs,
  postApp,
  settled,
  withHarness,
  type Harness,
} from './drift.ts';
import { spread, type Spread } from './stats.ts';
import type { Controller } from './sync-throughput.ts';

export interface ScaleFigures {
  readonly apps: number;
  readonly resources: number;
  /** Seconds from the first create request to every app Synced/Healthy. */
  readonly firstSync: number;
  /** Controller CPU seconds (user + system) over the first sync. */
  readonly firstSyncCpu: number;
  /** Seconds of one full no-change refresh cycle over every app. */
  readonly refresh: Spread;
  /** Controller CPU seconds per refresh cycle. */
  readonly refreshCpu: Spread;
  /** Controller RSS in MiB, 5 s after the last cycle. */
  readonly rssMiB: number;
  readonly profile: CycleProfile;
  /**
   * A steady periodic cycle at an unchanged commit: every app reconciled once without a refresh
   * request (an AppProject edit queues them all, as the periodic resync does): seconds, controller
   * CPU seconds, and how many Applications the apiserver stored a new version of (the target: 0).
   */
  readonly steady: { readonly wall: Spread; readonly cpu: Spread; readonly appWrites: number };
  /** Seconds the bench's own merge patches of every app's status take (the refresh baseline). */
  readonly rawStatusPatch: Spread;
  /**
   * The first-sync baseline: `kubectl apply --server-side` of the same objects into N namespaces
   * in one call, plus `kubectl wait` for every Deployment to be Available (seconds). Made up to
   * 1,000 apps only: the targets compare with it there, and a larger run is only set against the
   * 1,000-app run's per-app costs (it would add half an hour at 5,000).
   */
  readonly kubectlFirstSync?: number;
}

export const resourcesPerApp = 10;

/** Sums and counts of the controller's histograms over the refresh cycles (after − before). */
export interface CycleProfile {
  /** Reconciles per app per cycle (a refresh is one, plus the one its annotation removal causes). */
  readonly reconcilesPerApp: number;
  /** Mean seconds of one reconcile, of the revision resolution in git, and of a render call. */
  readonly reconcileMean: number;
  readonly resolveMean: number;
  readonly renderMean: number;
}

/** Sum and count of every series of histogram `name` whose labels contain `match`. */
function histogram(text: string, name: string, match = ''): { sum: number; count: number } {
  let sum = 0;
  let count = 0;
  for (const line of text.split('\n')) {
    if (!line.includes(match)) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${name}_sum`)) sum += value;
    else if (line.startsWith(`${name}_count`)) count += value;
  }
  return { sum, count };
}

function profileOf(before: string, after: string, apps: number, cycles: number): CycleProfile {
  const delta = (name: string, match?: string) => {
    const a = histogram(after, name, match);
    const b = histogram(before, name, match);
    return { sum: a.sum - b.sum, count: a.count - b.count };
  };
  const mean = (d: { sum: number; count: number }) => (d.count ? d.sum / d.count : Number.NaN);
  const reconcile = delta('gitward_app_reconcile_seconds');
  return {
    reconcilesPerApp: reconcile.count / apps / cycles,
    reconcileMean: mean(reconcile),
    resolveMean: mean(delta('gitward_git_request_duration_seconds', 'resolve-revision')),
    renderMean: mean(delta('gitward_render_duration_seconds')),
  };
}

/** The ten objects of every scale-out app (the peers deploy the same ones). */
export function objects(): KubeObject[] {
  const labels = { app: 'web' };
  const cm = (n: number): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `config-${n}` },
    data: { setting: `value-${n}`, payload: 'x'.repeat(256) },
  });
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'web',
            containers: [{ name: 'web', image: 'registry.invalid/web:1' }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: labels, ports: [{ port: 80 }] },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'web' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'web' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'web' },
      subjects: [{ kind: 'ServiceAccount', name: 'web' }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'web' },
      stringData: { password: 'bench-not-a-secret' },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web' },
      spec: { podSelector: { matchLabels: labels }, policyTypes: ['Ingress'] },
    },
    cm(1),
    cm(2),
    cm(3),
  ];
}

/** user + system CPU seconds of a process, from /proc (clock ticks are 100 Hz on Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

export async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

async function listApps(kube: KubeClient): Promise<Application[]> {
  return (await kube.list(appsPath)).items as unknown as Application[];
}

/** Runs `fn` over items with at most `limit` in flight (requests, not the controller's work). */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<void>,
) {
  for (let i = 0; i < items.length; i += limit)
    await Promise.all(items.slice(i, i + limit).map(fn));
}

/**
 * Waits until `ok` holds for the whole set of Applications, as a watch shows it (a list, then
 * its events): the apiserver sends each change once, where polling a list of thousands of apps
 * would load it with the very work the figures time.
 */
export async function waitAll(
  kube: KubeClient,
  ok: (apps: Application[]) => boolean,
  what: string,
  logFile: string,
  timeoutMs = 600_000,
): Promise<void> {
  const apps = new Map<string, Application>();
  // Checked only once listed: an empty set satisfies "every app ...".
  let listed = false;
  let changed = false;
  const stop = new AbortController();
  const reflector = runReflector(
    kube,
    appsPath,
    {
      replace(items) {
        apps.clear();
        for (const o of items) apps.set(o.metadata.name ?? '', o as unknown as Application);
        listed = changed = true;
      },
      apply(type, o) {
        if (type === 'DELETED') apps.delete(o.metadata.name ?? '');
        else apps.set(o.metadata.name ?? '', o as unknown as Application);
        changed = true;
      },
    },
    { signal: stop.signal, onError: () => undefined },
  );
  try {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (listed && changed) {
        changed = false;
        if (ok([...apps.values()])) return;
      }
      await sleep(pollMs);
    }
    throw new Error(`${what}: not within ${timeoutMs / 1000} s; see ${logFile}`);
  } finally {
    stop.abort();
    await reflector;
  }
}

const refreshKey = 'gitward.dev/refresh';

/** How long N apps may take to settle: 10 minutes, or 0.6 s per app when that is longer. */
const settleTimeoutMs = (apps: number) => Math.max(600_000, apps * 600);

/** The reconciles the controllers have counted so far (their histograms' counts, summed). */
async function reconcileCount(controllers: readonly Controller[]): Promise<number> {
  let n = 0;
  for (const c of controllers) {
    const text = await fetch(c.metricsUrl).then((r) => r.text());
    n += histogram(text, 'gitward_app_reconcile_seconds').count;
  }
  return n;
}

/** CPU seconds of every controller replica, summed. */
export async function controllersCpu(controllers: readonly Controller[]): Promise<number> {
  let total = 0;
  for (const c of controllers) total += await cpuSeconds(c.pid);
  return total;
}

const versions = async (kube: KubeClient) =>
  new Map((await listApps(kube)).map((a) => [a.metadata.name, a.metadata.resourceVersion ?? '']));

/**
 * One steady cycle: the default AppProject is annotated, which queues every app (as a periodic
 * resync does, with no refresh annotation to remove), and the cycle ends when the controllers
 * have counted a reconcile per app. Apps whose stored version changed were written.
 */
export async function steadyCycle(h: Harness, apps: number, c: number) {
  const before = await versions(h.kube);
  const n0 = await reconcileCount(h.controllers);
  const c0 = await controllersCpu(h.controllers);
  const t0 = performance.now();
  const project = '/apis/gitward.dev/v1alpha1/namespaces/gitward/appprojects/default';
  const body = { metadata: { annotations: { 'bench.gitward.dev/cycle': String(c) } } };
  const r = await h.kube.request('PATCH', project, { body });
  if (r.status >= 300) throw new Error(`annotating the default project: HTTP ${r.status}`);
  const deadline = performance.now() + 600_000;
  while ((await reconcileCount(h.controllers)) < n0 + apps) {
    if (performance.now() > deadline) throw new Error(`steady cycle ${c}: not within 600 s`);
    await sleep(200);
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = (await controllersCpu(h.controllers)) - c0;
  const after = await versions(h.kube);
  const writes = [...after].filter(([name, v]) => before.get(name) !== v).length;
  return { wall, cpu, writes };
}

/**
 * The scenario's repository and the first sync: N automated apps created 20 at a time, timed
 * until every one is Synced/Healthy, with the controllers' CPU seconds over it.
 */
export async function firstSyncOf(h: Harness, apps: number) {
  const dir = join(h.dir, 'repo', 'app');
  await mkdir(dir, { recursive: true });
  for (const o of objects())
    await writeFile(
      join(dir, `${o.kind}-${o.metadata.name}.json`.toLowerCase()),
      JSON.stringify(o),
    );
  const repo = await h.server.createRepo('scale', join(h.dir, 'repo'));
  const names = Array.from({ length: apps }, (_, i) => `scale-${String(i).padStart(4, '0')}`);
  const cpu0 = await controllersCpu(h.controllers);
  const t0 = performance.now();
  await inBatches(names, 20, async (name) => {
    const source = { repoURL: repo.url, path: 'app' };
    const policy = { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] };
    await postApp(h.kube, applicationBody(name, source, policy));
  });
  await waitAll(
    h.kube,
    (all) => all.length === apps && all.every(settled),
    `${apps} apps Synced/Healthy`,
    h.controller.logFile,
    settleTimeoutMs(apps),
  );
  const firstSync = (performance.now() - t0) / 1000;
  const firstSyncCpu = (await controllersCpu(h.controllers)) - cpu0;
  return { names, firstSync, firstSyncCpu };
}

/** The refresh baseline: the bench itself merge-patches every app's status, 20 in flight. */
async function rawStatusPatches(h: Harness, names: readonly string[]): Promise<number> {
  const t0 = performance.now();
  await inBatches(names, 20, async (name) => {
    const body = { status: { reconciledAt: new Date().toISOString() } };
    const r = await h.kube.request('PATCH', `${appsPath}/${name}`, { body });
    if (r.status >= 300) throw new Error(`patching ${name}: HTTP ${r.status}`);
  });
  return (performance.now() - t0) / 1000;
}

/**
 * The first-sync baseline: the same objects, each app's in its own namespace, applied by one
 * `kubectl apply --server-side`, then `kubectl wait` until every Deployment is Available.
 */
async function kubectlFirstSync(h: Harness, apps: number): Promise<number> {
  const items: KubeObject[] = [];
  for (let i = 0; i < apps; i++) {
    const ns = `bench-kubectl-${String(i).padStart(4, '0')}`;
    items.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    for (const o of objects()) {
      const labels = o.kind === 'Deployment' ? { 'bench.gitward.dev/baseline': 'yes' } : {};
      items.push({ ...o, metadata: { ...o.metadata, namespace: ns, labels } });
    }
  }
  const file = join(h.dir, 'kubectl-first-sync.json');
  await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const t0 = performance.now();
  // kubectl took twice as long as gitward at 1,000 apps: give it three times the settle time.
  const timeoutMs = 3 * settleTimeoutMs(apps);
  await h.kubectl(['apply', '--server-side', '--field-manager=bench', '-f', file], timeoutMs);
  await h.kubectl(
    [
      'wait',
      '--for=condition=Available',
      'deployments',
      '-A',
      '-l',
      'bench.gitward.dev/baseline=yes',
      `--timeout=${settleTimeoutMs(apps) / 1000}s`,
    ],
    timeoutMs,
  );
  return (performance.now() - t0) / 1000;
}

export async function benchScaleOut(
  cacheDir: string,
  apps: number,
  cycles: number,
): Promise<ScaleFigures> {
  return withHarness(cacheDir, `bench-scale-${apps}`, async (h) => {
    const { names, firstSync, firstSyncCpu } = await firstSyncOf(h, apps);
    const wall: number[] = [];
    const cpu: number[] = [];
    const metrics = () => fetch(h.controller.metricsUrl).then((r) => r.text());
    const before = await metrics();
    for (let c = 0; c < cycles; c++) {
      const c0 = await cpuSeconds(h.controller.pid);
      const s0 = performance.now();
      await inBatches(names, 20, async (name) => {
        const body = { metadata: { annotations: { [refreshKey]: 'normal' } } };
        const r = await h.kube.request('PATCH', `${appsPath}/${name}`, { body });
        if (r.status >= 300) throw new Error(`annotating ${name}: HTTP ${r.status}`);
      });
      await waitAll(
        h.kube,
        (all) => all.every((a) => a.metadata.annotations?.[refreshKey] === undefined),
        `refresh cycle ${c}`,
        h.controller.logFile,
      );
      wall.push((performance.now() - s0) / 1000);
      cpu.push((await cpuSeconds(h.controller.pid)) - c0);
    }
    const profile = profileOf(before, await metrics(), apps, cycles);
    const steady = [];
    for (let c = 0; c < cycles; c++) steady.push(await steadyCycle(h, apps, c));
    const raw: number[] = [];
    for (let c = 0; c < cycles; c++) raw.push(await rawStatusPatches(h, names));
    await sleep(5000);
    const rss = await rssMiB(h.controller.pid);
    // Last: its thousands of objects in new namespaces would weigh on everything measured after.
    const kubectlFirst = apps <= 1000 ? await kubectlFirstSync(h, apps) : undefined;
    return {
      steady: {
        wall: spread(steady.map((x) => x.wall)),
        cpu: spread(steady.map((x) => x.cpu)),
        appWrites: Math.max(...steady.map((x) => x.writes)),
      },
      rawStatusPatch: spread(raw),
      ...(kubectlFirst !== undefined ? { kubectlFirstSync: kubectlFirst } : {}),
      profile,
      apps,
      resources: apps * resourcesPerApp,
      firstSync,
      firstSyncCpu,
      refresh: spread(wall),
      refreshCpu: spread(cpu),
      rssMiB: rss,
    };
  });
}
