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
