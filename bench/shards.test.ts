import { describe, expect, it } from 'vitest';
import { shardSection, type ShardRun } from './shards.ts';

const spreadOf = (median: number) => ({ median, min: median, max: median, runs: 3 });
const run = (replicas: number, firstSync: number, owned: number[]): ShardRun => ({
  replicas,
  firstSync,
  firstSyncCpu: firstSync / 2,
  steady: spreadOf(2),
  steadyCpu: spreadOf(0.5),
  steadyWrites: 0,
  owned,
  rssMiB: 100 * replicas,
});

describe('the sharding section', () => {
  it('gives a row per replica count and the 3-over-1 ratios', () => {
    const text = shardSection({
      apps: 1000,
      runs: [run(1, 100, [1000]), run(3, 110, [340, 330, 330])],
    });
    expect(text).toContain(
      '| 3 | 110.0 s | 55.0 CPU s | 2.00 s (2.00–2.00) | 0.50 CPU s | 0 | 340 / 330 / 330 | 300 MiB |',
    );
    expect(text).toContain('3 replicas over 1: first sync 1.10× the wall time and 1.10× the CPU');
  });

  it('leaves the ratios out when a run is missing', () => {
    expect(shardSection({ apps: 50, runs: [run(1, 10, [50])] })).not.toContain('over 1');
  });
});
