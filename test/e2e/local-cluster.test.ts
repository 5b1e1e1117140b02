import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, inject, it } from 'vitest';
import {
  isAlive,
  readClusterState,
  startLocalCluster,
  type ClusterState,
} from '@gitward/local-cluster';
import { ErrorCode, GitwardError } from '@gitward/model';
import { kubectl } from './support/kubectl.ts';

async function allGone(state: ClusterState, timeoutMs = 30_000): Promise<number[]> {
  const pids = [state.pid, ...Object.values(state.componentPids)];
  const deadline = performance.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && performance.now() < deadline) {
    await sleep(200);
    alive = pids.filter(isAlive);
  }
  return alive;
}

describe('local clusters', () => {
  it('runs a second cluster beside the first and stops it without leaving a process', async () => {
    let second = await startLocalCluster({ name: 'second', cacheDir: inject('cacheDir') });
    try {
      expect(second.state.server).not.toBe(inject('cluster').server);
      expect(Object.keys(second.state.componentPids).sort()).toEqual(
        ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'].sort(),
      );
      // Each cluster has its own etcd: a namespace made in one does not appear in the other.
      await kubectl([
        '--kubeconfig',
        second.state.kubeconfig,
        'create',
        'namespace',
        'only-in-second',
      ]);
      expect(await kubectl(['get', 'namespace', 'only-in-second', '--ignore-not-found'])).toBe('');

      // A component that dies is restarted with the same flags, and keeps its data.
      const oldPid = second.state.componentPids['kube-apiserver'] ?? 0;
      process.kill(oldPid, 'SIGKILL');
      const deadline = performance.now() + 60_000;
      let out = '';
      while (performance.now() < deadline && !out.includes('only-in-second')) {
        await sleep(500);
        out = await kubectl([
          '--kubeconfig',
          second.state.kubeconfig,
          'get',
          'namespace',
          'only-in-second',
        ]).catch(() => '');
      }
      expect(out).toContain('only-in-second');
      const restarted = await readClusterState(second.state.dir);
      expect(restarted?.componentPids['kube-apiserver']).not.toBe(oldPid);
      second = { ...second, state: restarted ?? second.state };
    } finally {
      await second.stop();
    }
    expect(await allGone(second.state)).toEqual([]);
    expect(existsSync(second.state.dir)).toBe(false);
  });

  it('stops every component when the process that started it is killed', async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, 'support', 'start-cluster-child.ts'), inject('cacheDir')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
    });
    const state = JSON.parse(line) as ClusterState;
    expect(isAlive(state.pid)).toBe(true);
    child.kill('SIGKILL');
    expect(await allGone(state)).toEqual([]);
    expect(existsSync(state.dir)).toBe(false);
  });

  it('names the component that failed to start and shows its log', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-broken-'));
    // A file where etcd wants its data directory makes etcd exit at once.
    await writeFile(join(dir, 'etcd'), 'not a directory');
    const err = await startLocalCluster({
      name: 'broken',
      cacheDir: inject('cacheDir'),
      dir,
    })
      .catch((e: unknown) => e)
      .finally(() => rm(dir, { recursive: true, force: true }));
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.ClusterStartFailed);
    expect((err as GitwardError).message).toMatch(/etcd exited with code \d+ during startup/);
    expect((err as GitwardError).message).toMatch(/last lines of the etcd log/);
  });
});
