/**
 * Sharding (issue 16 §3, "3 shards vs 1"): scenario 2's N apps synced and then cycled by one
 * controller, and on a fresh control plane by three replicas with `--replicas 3` (consistent
 * hashing with bounded loads, each replica's membership a Lease). Same repository, same apps, same
 * machine: the figures say whether splitting the apps costs anything, and how evenly they split.
 * On 2 cores three replicas cannot be faster in wall time than one (they share the same CPUs and
 * the same apiserver); the point is that sharding is correct and not slower.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { withHarness } from './drift.ts';
import { firstSyncOf, rssMiB, steadyCycle } from './scale-out.ts';
import { spread, type Spread } from './stats.ts';

export interface ShardRun {
  readonly replicas: number;
  /** Seconds from the first create request to every app Synced/Healthy. */
  readonly firstSync: number;
  /** CPU seconds of every replica over the first sync, summed. */
  readonly firstSyncCpu: number;
  /** A steady cycle (every app reconciled once at the unchanged commit): seconds, CPU seconds. */
  readonly steady: Spread;
  readonly steadyCpu: Spread;
  /** Applications the apiserver stored a new version of over a steady cycle (most of any cycle). */
  readonly steadyWrites: number;
  /** Apps each replica owns, from its gitward_controller_shard_apps gauge. */
  readonly owned: readonly number[];
  /** RSS of every replica, summed (MiB). */
  readonly rssMiB: number;
}

export interface ShardFigures {
  readonly apps: number;
  readonly runs: readonly ShardRun[];
}

async function gauge(metricsUrl: string, name: string): Promise<number> {
  const text = await fetch(metricsUrl).then((r) => r.text());
  return Number(new RegExp(`^${name} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text)?.[1] ?? NaN);
}

async function shardRun(cacheDir: string, apps: number, cycles: number, replicas: number) {
  return withHarness(
    cacheDir,
    `bench-shards-${replicas}`,
    async (h): Promise<ShardRun> => {
      const { firstSync, firstSyncCpu } = await firstSyncOf(h, apps);
      const steady = [];
      for (let c = 0; c < cycles; c++) steady.push(await steadyCycle(h, apps, c));
      await sleep(5000);
      let rss = 0;
      for (const c of h.controllers) rss += await rssMiB(c.pid);
      const owned =
        replicas > 1
          ? await Promise.all(
              h.controllers.map((c) => gauge(c.metricsUrl, 'gitward_controller_shard_apps')),
            )
          : [apps];
      return {
        replicas,
        firstSync,
        firstSyncCpu,
        steady: spread(steady.map((s) => s.wall)),
        steadyCpu: spread(steady.map((s) => s.cpu)),
        steadyWrites: Math.max(...steady.map((s) => s.writes)),
        owned,
        rssMiB: rss,
      };
    },
    ['--resync-seconds', '0'],
    replicas,
  );
}

export async function benchShards(
  cacheDir: string,
  apps: number,
  cycles: number,
): Promise<ShardFigures> {
  const runs: ShardRun[] = [];
  for (const replicas of [1, 3]) runs.push(await shardRun(cacheDir, apps, cycles, replicas));
  return { apps, runs };
}

const s1 = (n: number) => n.toFixed(1);
const s2 = (n: number) => n.toFixed(2);

/** BENCHMARKS.md's section: one row per replica count, and the 3-over-1 ratios. */
export function shardSection(f: ShardFigures): string {
  const one = f.runs.find((r) => r.replicas === 1);
  const three = f.runs.find((r) => r.replicas === 3);
  const row = (r: ShardRun) =>
    `| ${r.replicas} | ${s1(r.firstSync)} s | ${s1(r.firstSyncCpu)} CPU s | ${s2(r.steady.median)} s (${s2(r.steady.min)}–${s2(r.steady.max)}) | ${s2(r.steadyCpu.median)} CPU s | ${r.steadyWrites} | ${r.owned.join(' / ')} | ${r.rssMiB.toFixed(0)} MiB |`;
  const ratios =
    one && three
      ? [
          '',
          `3 replicas over 1: first sync ${s2(three.firstSync / one.firstSync)}× the wall time and ${s2(three.firstSyncCpu / one.firstSyncCpu)}× the CPU; steady cycle ${s2(three.steady.median / one.steady.median)}× the wall time and ${s2(three.steadyCpu.median / one.steadyCpu.median)}× the CPU.`,
        ]
      : [];
  return [
    '## Sharding: 3 replicas vs 1 (issue 16 §3)',
    '',
    `Scenario 2's ${f.apps.toLocaleString('en')} apps × 10 resources, first synced and then cycled`,
    '(an AppProject edit queues every app, as a periodic resync does) by one controller, and on a',
    'fresh control plane by three replicas with `--replicas 3` (consistent hashing with bounded',
    "loads, each replica's membership a Lease). CPU and RSS are summed over the replicas. On 2",
    'cores three replicas share the same CPUs and the same apiserver, so they cannot be faster; the',
    'point is that the split is correct and even and costs little.',
    '',
    '| replicas | first sync | first sync CPU | steady cycle | steady CPU | Application writes per cycle | apps per replica | RSS |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...f.runs.map(row),
    ...ratios,
  ].join('\n');
}
