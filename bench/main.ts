/**
 * `npm run bench`: runs the benchmarks and rewrites BENCHMARKS.md with the figures, the machine
 * and the versions. Speed is measured here, never asserted in tests.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, homedir, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadVersions } from '@gitward/local-cluster';
import { benchLocalCluster, type ClusterFigures } from './local-cluster.ts';
import { benchRender } from './render.ts';
import { median } from './stats.ts';
import { benchDrift } from './drift.ts';
import { benchPushToLive } from './push-to-live.ts';
import {
  driftSection,
  gapSection,
  pushSection,
  renderSection,
  scaleSection,
  syncSection,
  uiSection,
} from './report.ts';
import { benchUi } from './ui.ts';
import { imageSection, readImageRecord } from './image.ts';
import { benchApiserverWrites, writesSection } from './apiserver-writes.ts';
import { benchScaleOut, type ScaleFigures } from './scale-out.ts';
import { benchSyncThroughput } from './sync-throughput.ts';
import { targetsSection } from './targets.ts';
import { benchPeers, peersWanted } from './peers.ts';
import { peerSection } from './peer-report.ts';
import { reusedSections, section } from './results.ts';
import { benchShards, shardSection } from './shards.ts';

const cacheDir = process.env['GITWARD_CACHE_DIR'] ?? join(homedir(), '.cache', 'gitward');
// --quick keeps every count at the minimum that still gives a median and a spread.
const quick = process.argv.includes('--quick');
const runs = Math.max(3, Number(process.env['GITWARD_BENCH_RUNS'] ?? (quick ? '3' : '5')));

function tool(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
  } catch {
    return 'not found';
  }
}

function machine(): string {
  const cpu = cpus();
  const v = loadVersions();
  return [
    `- date: ${new Date().toISOString()}`,
    `- CPU: ${cpu.length} × ${cpu[0]?.model ?? 'unknown'}; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- kernel: ${tool('uname', ['-sr'])}`,
    `- Node ${process.version}; ${tool('go', ['version'])}; ${tool('git', ['--version'])}`,
    `- Kubernetes v${v.kubernetes}, etcd v${v.etcd}, kwok v${v.kwok}, helm v${v.helm}, kustomize v${v.kustomize}, jsonnet v${v.jsonnet}`,
  ].join('\n');
}

function clusterSection(f: ClusterFigures): string {
  const ready = f.starts.map((s) => s.readyMs);
  const phases = Object.keys(f.starts[0]?.phases ?? {});
  const build = Object.entries(f.buildSeconds);
  const buildTotal = build.reduce((a, [, s]) => a + s, 0);
  return [
    '## Local control plane',
    '',
    'No baseline exists in-process for these (there is no other way to get a cluster here), so they',
    'are absolute figures.',
    '',
    '### Cold build of the binaries (first run on a machine with empty Go caches)',
    '',
    'Built one after another by build-binaries.sh; later tools reuse modules that earlier ones',
    'downloaded, so their figures are lower than a build of that tool alone would be.',
    '',
    build.length
      ? `| tool | seconds |\n| --- | ---: |\n${build.map(([k, s]) => `| ${k} | ${s} |`).join('\n')}\n| **total** | **${buildTotal}** |`
      : '_not recorded: the binaries were built before build times were kept_',
    '',
    `### Warm start to ready (${f.starts.length} starts, binaries cached)`,
    '',
    'Ready means: etcd and kube-apiserver ready, the fake node Ready, and the controller-manager',
    'serving (the default ServiceAccount exists), so pods can run.',
    '',
    `- median ${(median(ready) / 1000).toFixed(1)} s, min ${(Math.min(...ready) / 1000).toFixed(1)} s, max ${(Math.max(...ready) / 1000).toFixed(1)} s`,
    '',
    `| phase | median ms |\n| --- | ---: |\n${phases.map((p) => `| ${p} | ${median(f.starts.map((s) => s.phases[p] ?? 0))} |`).join('\n')}`,
    '',
    '### Memory (resident set, 10 s after ready, idle)',
    '',
    `| process | RSS MiB |\n| --- | ---: |\n${Object.entries(f.rssMiB)
      .map(([k, v]) => `| ${k} | ${v.toFixed(0)} |`)
      .join('\n')}\n| **total** | **${Object.values(f.rssMiB)
      .reduce((a, b) => a + b, 0)
      .toFixed(0)}** |`,
  ].join('\n');
}

/** Which sections came from an earlier run (GITWARD_BENCH_REUSE, bench/results.ts). */
function reusedNote(): string {
  const list = reusedSections();
  // Conditions a reader should know (another load on the machine, a section cut short).
  const note = process.env['GITWARD_BENCH_NOTE'];
  if (list.length === 0)
    return ['Every section below was measured in this run.', ...(note ? ['', note] : [])].join(
      '\n',
    );
  return [
    'Measured in earlier runs on this machine and reused here (GITWARD_BENCH_REUSE); the rest was',
    'measured in this run:',
    '',
    ...list.map((r) => `- ${r.name}: commit ${r.commit}, ${r.at}`),
    ...(note ? ['', note] : []),
  ].join('\n');
}

// --quick keeps the whole run under 5 minutes on 2 cores: 50 apps, and 500 in the UI list.
const scaleCounts = quick
  ? [50]
  : process.env['GITWARD_BENCH_5000'] === '1'
    ? [100, 1000, 5000]
    : [100, 1000];
// --only-scale=N runs scenario 2 alone for N apps and prints its section, writing nothing: for
// working on the slowest scenario without the rest.
const only = process.argv.find((a) => a.startsWith('--only-scale='));
if (only) {
  const n = Number(only.split('=')[1]);
  const figures = await section(cacheDir, `scale-${n}`, () => benchScaleOut(cacheDir, n, runs));
  process.stdout.write(`${scaleSection([figures])}\n`);
  const { steady, rawStatusPatch, kubectlFirstSync, firstSync, refresh } = figures;
  process.stdout.write(
    `${JSON.stringify({ firstSync, kubectlFirstSync, refresh, rawStatusPatch, steady }, null, 2)}\n`,
  );
  process.exit(0);
}
// --only-sync runs scenario 3 alone and prints its section, writing nothing.
if (process.argv.includes('--only-sync')) {
  const sync = await section(cacheDir, 'sync', () => benchSyncThroughput(cacheDir, runs));
  process.stdout.write(`${syncSection(sync)}\n`);
  process.exit(0);
}
// --only-push=N runs scenario 1 alone with N pushes per trigger and prints its section.
// The polling trigger's interval is the full run's, so the two save the same section.
const pollSeconds = quick ? 5 : 10;
const onlyPush = process.argv.find((a) => a.startsWith('--only-push='));
if (onlyPush) {
  const pushes = Math.max(3, Number(onlyPush.split('=')[1]));
  const push = await section(cacheDir, `push-${pushes}-${pollSeconds}`, () =>
    benchPushToLive(cacheDir, pushes, pollSeconds),
  );
  process.stdout.write(`${pushSection(push)}\n`);
  process.exit(0);
}
// --only-writes runs the apiserver write comparison alone and prints its section, writing nothing.
if (process.argv.includes('--only-writes')) {
  const writes = await section(cacheDir, 'writes', () => benchApiserverWrites(cacheDir, runs));
  process.stdout.write(`${writesSection(writes)}\n`);
  process.exit(0);
}
// Peers side by side (issue 16 §4): GITWARD_BENCH_PEER_APPS apps (1,000; 50 with --quick; a
// comma-separated list runs each count), the tools GITWARD_BENCH_PEERS names (gitward,flux,argocd:
// all by default), each first sync within GITWARD_BENCH_PEER_BUDGET_SECONDS when set.
const peerWanted = peersWanted(process.env['GITWARD_BENCH_PEERS']);
const peerCounts = (process.env['GITWARD_BENCH_PEER_APPS'] ?? (quick ? '50' : '1000'))
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const peerBudget = Number(process.env['GITWARD_BENCH_PEER_BUDGET_SECONDS'] ?? 0);
const peerOptions = (apps: number) => ({
  apps,
  cycles: runs,
  pushes: quick ? Math.max(5, runs) : Math.max(20, runs),
  ...(peerBudget > 0 ? { firstSyncBudgetMs: peerBudget * 1000 } : {}),
});
/** One section per count, each with the tools side by side. */
async function peersSections(): Promise<string> {
  const out: string[] = [];
  for (const n of peerCounts) {
    const results = await benchPeers(cacheDir, peerOptions(n), peerWanted);
    out.push(peerSection(results, peerWanted, peerCounts.length > 1 ? `${n} apps` : undefined));
  }
  return out.join('\n\n');
}
// --only-peers runs the peers side by side alone and prints their section, writing nothing.
if (process.argv.includes('--only-peers')) {
  process.stdout.write(`${await peersSections()}\n`);
  process.exit(0);
}
// Sharding, 3 replicas vs 1: GITWARD_BENCH_SHARD_APPS apps (1,000; 50 with --quick).
const shardApps = Number(process.env['GITWARD_BENCH_SHARD_APPS'] ?? (quick ? '50' : '1000'));
const measureShards = () =>
  section(cacheDir, `shards-${shardApps}`, () => benchShards(cacheDir, shardApps, runs));
// --only-shards runs the sharding comparison alone and prints its section.
if (process.argv.includes('--only-shards')) {
  process.stdout.write(`${shardSection(await measureShards())}\n`);
  process.exit(0);
}
// --only-image prints the image's size section (from the last `npm run image`), writing nothing.
if (process.argv.includes('--only-image')) {
  process.stdout.write(`${imageSection(readImageRecord(cacheDir))}\n`);
  process.exit(0);
}
// --only-ui runs the web UI benchmark alone and prints its section, writing nothing.
if (process.argv.includes('--only-ui')) {
  const apps = quick ? 1000 : 5000;
  const ui = await section(cacheDir, `ui-${apps}`, () => benchUi(cacheDir, runs, apps));
  process.stdout.write(`${uiSection(ui)}\n`);
  process.exit(0);
}

const figures = await section(cacheDir, 'cluster', () => benchLocalCluster(cacheDir, runs));
const sync = await section(cacheDir, 'sync', () => benchSyncThroughput(cacheDir, runs));
const render = await section(cacheDir, 'render', () => benchRender(cacheDir, runs, process.env));
// Latency scenarios are cheap per run, so they take more runs than the throughput ones.
const drift = await section(cacheDir, 'drift', () =>
  benchDrift(cacheDir, quick ? runs : Math.max(10, runs)),
);
const pushes = quick ? Math.max(5, runs) : Math.max(20, runs);
const push = await section(cacheDir, `push-${pushes}-${pollSeconds}`, () =>
  benchPushToLive(cacheDir, pushes, pollSeconds),
);
const uiApps = quick ? 500 : 5000;
const ui = await section(cacheDir, `ui-${uiApps}`, () => benchUi(cacheDir, runs, uiApps));
const scale: ScaleFigures[] = [];
for (const n of scaleCounts)
  scale.push(await section(cacheDir, `scale-${n}`, () => benchScaleOut(cacheDir, n, runs)));
const writes = await section(cacheDir, 'writes', () => benchApiserverWrites(cacheDir, runs));
const shards = await measureShards();
const peers = await peersSections();
const doc = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` (bench/main.ts); do not edit by hand.',
  '',
  '## Machine',
  '',
  machine(),
  '',
  reusedNote(),
  '',
  clusterSection(figures),
  '',
  syncSection(sync),
  '',
  renderSection(render),
  '',
  driftSection(drift),
  '',
  pushSection(push),
  '',
  scaleSection(scale),
  '',
  targetsSection(sync, push, scale),
  '',
  writesSection(writes),
  '',
  shardSection(shards),
  '',
  peers,
  '',
  uiSection(ui),
  '',
  imageSection(readImageRecord(cacheDir)),
  '',
  gapSection(sync, render, push, scale),
  '',
].join('\n');
await writeFile(new URL('../BENCHMARKS.md', import.meta.url), doc);
process.stdout.write(doc);
