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
import type { KubeClient } from '@gitward/infra';
import type { Application, KubeObject } from '@gitward/model';
import { applicationBody, appsPath, postApp, settled, withHarness } from './drift.ts';
import { spread, type Spread } from './stats.ts';

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

async function waitAll(
  kube: KubeClient,
  ok: (apps: Application[]) => boolean,
  what: string,
  logFile: string,
  timeoutMs = 600_000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (ok(await listApps(kube))) return;
    // One list per 200 ms: cheap next to what is measured, and the same in every cycle.
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s; see ${logFile}`);
}

const refreshKey = 'gitward.dev/refresh';

export async function benchScaleOut(
  cacheDir: string,
  apps: number,
  cycles: number,
): Promise<ScaleFigures> {
  return withHarness(cacheDir, `bench-scale-${apps}`, async (h) => {
    const dir = join(h.dir, 'repo', 'app');
    await mkdir(dir, { recursive: true });
    for (const o of objects())
      await writeFile(
        join(dir, `${o.kind}-${o.metadata.name}.json`.toLowerCase()),
        JSON.stringify(o),
      );
    const repo = await h.server.createRepo('scale', join(h.dir, 'repo'));
    const names = Array.from({ length: apps }, (_, i) => `scale-${String(i).padStart(4, '0')}`);
    const cpu0 = await cpuSeconds(h.controller.pid);
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
    );
    const firstSync = (performance.now() - t0) / 1000;
    const firstSyncCpu = (await cpuSeconds(h.controller.pid)) - cpu0;
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
    await sleep(5000);
    return {
      profile,
      apps,
      resources: apps * resourcesPerApp,
      firstSync,
      firstSyncCpu,
      refresh: spread(wall),
      refreshCpu: spread(cpu),
      rssMiB: await rssMiB(h.controller.pid),
    };
  });
}
