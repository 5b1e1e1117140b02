/**
 * Peers side by side (issue 16 §4): gitward, Flux and Argo CD each run on a fresh local control
 * plane of their own, against the same git repository content (scenario 2's ten objects at `app/`,
 * ten ConfigMaps at `push/`) and the same N apps, behind one small interface (PeerRunner), so the
 * same driver times them all:
 * - first sync: from the first create request to every app settled (Synced+Healthy, or Flux's
 *   Ready with health checks), with the CPU seconds of the tool's processes;
 * - steady cycle: every app asked to reconcile at the unchanged commit (each tool's own refresh
 *   request), until each says it handled it, with CPU seconds; periodic work is off or an hour;
 * - RSS: the sum over the tool's processes, 5 s after the last cycle;
 * - push → live: a commit to `push/cm-0.json`, then the tool's refresh request for one app, until
 *   the ConfigMap is live and the app settled at that commit.
 * A peer that cannot be built or run gives a PeerFailure (command and error) instead.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import { createGitServer } from '@gitward/testkit';
import { configMap, liveIndex } from './drift.ts';
import { cpuSeconds, inBatches, objects, rssMiB } from './scale-out.ts';
import { percentile, spread, type Spread } from './stats.ts';
import { withCluster } from './sync-throughput.ts';
import { PeerStepError } from './peer-common.ts';
import { reuseOnly, savedSection, section } from './results.ts';
import type { Verdict } from './peer-status.ts';
import { startArgoCd } from './peer-argocd.ts';
import { startFlux } from './peer-flux.ts';
import { startGitward } from './peer-gitward.ts';

/** ConfigMaps of the push → live app (as scenario 1's). */
const pushObjects = 10;

export type PeerName = 'gitward' | 'Flux' | 'Argo CD';

/** What the driver needs of one tool, running against one control plane. */
export interface PeerRunner {
  readonly name: PeerName;
  /** The versions run, as the report prints them. */
  readonly version: string;
  /** The tool's processes, whose CPU and RSS are summed. */
  pids(): readonly number[];
  /** Creates app `name` deploying `path` of `repoURL` at main into namespace `name`. */
  createApp(name: string, repoURL: string, path: string): Promise<void>;
  /** Every app's verdict, by name. */
  verdicts(): Promise<Map<string, Verdict>>;
  /** Asks each app to reconcile now; the probe says when every one of them handled it. */
  requestReconcile(names: readonly string[]): Promise<() => Promise<boolean>>;
  /** Asks the tool to look for a new commit of app `name` now (what a webhook would do). */
  notify(name: string): Promise<void>;
  /** Log files, named in errors. */
  readonly logFiles: readonly string[];
  stop(): Promise<void>;
}

/** Starts a tool against a control plane (kubeconfig), with a scratch directory of its own. */
export type PeerStarter = (ctx: PeerContext) => Promise<PeerRunner>;

export interface PeerContext {
  readonly cacheDir: string;
  readonly kubeconfig: string;
  readonly kube: KubeClient;
  readonly dir: string;
}

export interface PeerFigures {
  readonly ok: true;
  readonly peer: PeerName;
  readonly version: string;
  readonly apps: number;
  /** Seconds from the first create request to every app settled, and the CPU seconds spent. */
  readonly firstSync: number;
  readonly firstSyncCpu: number;
  /** Seconds and CPU seconds of one steady cycle over every app. */
  readonly cycle: Spread;
  readonly cycleCpu: Spread;
  readonly rssMiB: number;
  /** Seconds from the push's refresh request to the change live and the app settled. */
  readonly pushP50: number;
  readonly pushP95: number;
  readonly pushes: number;
  /** Each app's verdict after the first sync (the second oracle compares these). */
  readonly verdicts: ReadonlyMap<string, Verdict>;
}

export interface PeerFailure {
  readonly ok: false;
  readonly peer: PeerName;
  /** What was run (a command line, or the step of the run). */
  readonly command: string;
  readonly error: string;
}

export type PeerResult = PeerFigures | PeerFailure;

export interface PeerBenchOptions {
  readonly apps: number;
  /** The first sync's time limit; a peer past it is reported with how many apps it settled. */
  readonly firstSyncBudgetMs?: number;
  readonly cycles: number;
  readonly pushes: number;
}

async function sumCpu(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const p of pids) total += await cpuSeconds(p);
  return total;
}

async function sumRss(pids: readonly number[]): Promise<number> {
  let total = 0;
  for (const p of pids) total += await rssMiB(p);
  return total;
}

async function until(
  probe: () => Promise<boolean>,
  what: string,
  logs: readonly string[],
  timeoutMs: number,
  everyMs = 200,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s; see ${logs.join(', ')}`);
}

/** The last lines of each log, for a failure's text (the logs go with the scratch directory). */
async function tails(files: readonly string[], lines = 8): Promise<string> {
  const out: string[] = [];
  for (const f of files) {
    const text = await readFile(f, 'utf8').catch(() => '');
    const last = text.trimEnd().split('\n').slice(-lines).join('\n');
    if (last) out.push(`${f}:\n${last}`);
  }
  return out.join('\n');
}

/** A tool's name in file and cluster names: `argocd`, `flux`, `gitward`. */
const peerSlug = (name: PeerName) => name.toLowerCase().replace(/\s+/g, '');

/** Runs one tool through the scenario on a fresh control plane; never throws. */
export async function benchPeer(
  cacheDir: string,
  name: PeerName,
  start: PeerStarter,
  opts: PeerBenchOptions,
): Promise<PeerResult> {
  const slug = peerSlug(name);
  try {
    return await withCluster(
      cacheDir,
      async (state) => {
        const kube = createKubeClient(await loadKubeconfig(state.kubeconfig));
        const server = await createGitServer();
        const dir = await mkdtemp(join(tmpdir(), `gitward-bench-peer-${slug}-`));
        // JSON content in .yaml files: Flux's generated kustomization takes only .yaml/.yml,
        // and JSON is YAML to gitward and Argo CD too, so every tool reads the same files.
        await mkdir(join(dir, 'repo', 'app'), { recursive: true });
        await mkdir(join(dir, 'repo', 'push'), { recursive: true });
        for (const o of objects())
          await writeFile(
            join(dir, 'repo', 'app', `${o.kind}-${o.metadata.name}.yaml`.toLowerCase()),
            JSON.stringify(o),
          );
        for (let i = 0; i < pushObjects; i++)
          await writeFile(join(dir, 'repo', 'push', `cm-${i}.yaml`), JSON.stringify(configMap(i)));
        const repo = await server.createRepo('peers', join(dir, 'repo'));
        let runner: PeerRunner | undefined;
        try {
          runner = await start({ cacheDir, kubeconfig: state.kubeconfig, kube, dir });
          return await measure(runner, kube, repo, opts);
        } catch (e) {
          const logs = runner ? await tails(runner.logFiles) : '';
          if (e instanceof PeerStepError)
            return failure(name, e.command, logs ? `${e.message}\n${logs}` : e.message);
          return failure(name, 'the bench run', logs ? `${String(e)}\n${logs}` : String(e));
        } finally {
          await runner?.stop();
          await server.close();
          await rm(dir, { recursive: true, force: true });
        }
      },
      `bench-peer-${slug}`,
    );
  } catch (e) {
    return failure(name, 'starting the local control plane', String(e));
  }
}

function failure(peer: PeerName, command: string, error: string): PeerFailure {
  return { ok: false, peer, command, error };
}

async function measure(
  r: PeerRunner,
  kube: KubeClient,
  repo: {
    url: string;
    commit(f: Record<string, string>, m: string): Promise<string>;
    push(): Promise<void>;
  },
  opts: PeerBenchOptions,
): Promise<PeerFigures> {
  const names = Array.from({ length: opts.apps }, (_, i) => `peer-${String(i).padStart(4, '0')}`);
  const settledAll = async (want: readonly string[]) => {
    const v = await r.verdicts();
    return want.every((n) => v.get(n)?.settled === true);
  };
  const cpu0 = await sumCpu(r.pids());
  const t0 = performance.now();
  await inBatches(names, 20, (n) => r.createApp(n, repo.url, 'app'));
  const budgetMs = opts.firstSyncBudgetMs ?? Math.max(900_000, opts.apps * 2000);
  await until(
    () => settledAll(names),
    `${opts.apps} ${r.name} apps settled`,
    r.logFiles,
    budgetMs,
  ).catch(async (e: unknown) => {
    // How far it got is the figure a budget-bound run can give.
    const v = await r.verdicts().catch(() => new Map<string, Verdict>());
    const done = names.filter((n) => v.get(n)?.settled === true).length;
    throw new PeerStepError(
      'the first sync',
      `${done} of ${opts.apps} apps settled after ${(budgetMs / 1000).toFixed(0)} s, the first sync's budget (GITWARD_BENCH_PEER_BUDGET_SECONDS): ${String(e)}`,
    );
  });
  const firstSync = (performance.now() - t0) / 1000;
  const firstSyncCpu = (await sumCpu(r.pids())) - cpu0;
  const verdicts = await r.verdicts();

  const wall: number[] = [];
  const cpu: number[] = [];
  for (let c = 0; c < opts.cycles; c++) {
    const c0 = await sumCpu(r.pids());
    const s0 = performance.now();
    const done = await r.requestReconcile(names);
    await until(done, `${r.name} steady cycle ${c}`, r.logFiles, 600_000);
    wall.push((performance.now() - s0) / 1000);
    cpu.push((await sumCpu(r.pids())) - c0);
  }
  await sleep(5000);
  const rss = await sumRss(r.pids());

  const push = 'peer-push';
  await r.createApp(push, repo.url, 'push');
  await until(() => settledAll([push]), `${r.name} ${push} settled`, r.logFiles, 300_000);
  const times: number[] = [];
  for (let i = 0; i < opts.pushes; i++) {
    const index = `push-${i}`;
    const sha = await repo.commit(
      { 'push/cm-0.yaml': JSON.stringify(configMap(0, index)) },
      `peer push ${i}`,
    );
    await repo.push();
    const p0 = performance.now();
    await r.notify(push);
    await until(
      async () => {
        if ((await liveIndex(kube, push)) !== index) return false;
        const v = (await r.verdicts()).get(push);
        return v?.settled === true && v.revision === sha;
      },
      `${r.name} ${push} live at ${sha}`,
      r.logFiles,
      120_000,
      20,
    );
    times.push((performance.now() - p0) / 1000);
  }
  return {
    ok: true,
    peer: r.name,
    version: r.version,
    apps: opts.apps,
    firstSync,
    firstSyncCpu,
    cycle: spread(wall),
    cycleCpu: spread(cpu),
    rssMiB: rss,
    pushP50: percentile(times, 50),
    pushP95: percentile(times, 95),
    pushes: opts.pushes,
    verdicts,
  };
}

const starters: Readonly<Record<PeerName, PeerStarter>> = {
  gitward: startGitward,
  Flux: startFlux,
  'Argo CD': startArgoCd,
};

/** The tools to run: all three, or those `GITWARD_BENCH_PEERS` names (gitward,flux,argocd). */
export function peersWanted(env: string | undefined): PeerName[] {
  const all: PeerName[] = ['gitward', 'Flux', 'Argo CD'];
  if (!env) return all;
  const keys = new Set(env.split(',').map((s) => s.trim().toLowerCase().replace(/\s+/g, '')));
  return all.filter((p) => keys.has(p.toLowerCase().replace(/\s+/g, '')));
}

/** Runs each wanted tool through the scenario, one after another (each on its own cluster). */
export async function benchPeers(
  cacheDir: string,
  opts: PeerBenchOptions,
  wanted: readonly PeerName[],
): Promise<PeerResult[]> {
  const out: PeerResult[] = [];
  for (const p of wanted) {
    const slug = `peer-${peerSlug(p)}-${opts.apps}`;
    if (reuseOnly()) {
      const saved = await savedSection<PeerResult>(cacheDir, slug);
      if (saved) out.push(saved);
    } else out.push(await section(cacheDir, slug, () => benchPeer(cacheDir, p, starters[p], opts)));
  }
  return out;
}
