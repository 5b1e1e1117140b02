import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalCluster, type ClusterState } from '@gitward/local-cluster';

export interface ClusterFigures {
  readonly buildSeconds: Readonly<Record<string, number>>;
  readonly starts: readonly ClusterState[];
  readonly rssMiB: Readonly<Record<string, number>>;
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

/** The cold build times recorded by build-binaries.sh when it built each tool on this machine. */
async function buildTimes(binDir: string): Promise<Record<string, number>> {
  try {
    const lines = (await readFile(join(binDir, '.build-times'), 'utf8')).trim().split('\n');
    return Object.fromEntries(lines.map((l) => l.split(' ')).map(([k, v]) => [k ?? '', Number(v)]));
  } catch {
    return {};
  }
}

/** Starts the control plane `runs` times (warm binaries) and measures it. */
export async function benchLocalCluster(cacheDir: string, runs: number): Promise<ClusterFigures> {
  const starts: ClusterState[] = [];
  let rss: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    const cluster = await startLocalCluster({ name: `bench-${i}`, cacheDir });
    starts.push(cluster.state);
    if (i === runs - 1) {
      // Let the controllers settle before reading resident memory.
      await sleep(10_000);
      const entries = await Promise.all(
        Object.entries(cluster.state.componentPids).map(
          async ([n, pid]) => [n, await rssMiB(pid)] as const,
        ),
      );
      rss = Object.fromEntries([
        ...entries,
        ['supervisor (node)', await rssMiB(cluster.state.pid)],
      ]);
    }
    await cluster.stop();
  }
  return { buildSeconds: await buildTimes(starts[0]?.binDir ?? ''), starts, rssMiB: rss };
}
