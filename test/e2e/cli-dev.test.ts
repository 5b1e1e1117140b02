import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { isAlive } from '@gitward/local-cluster';
import { kubectl } from './support/kubectl.ts';

const main = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');

describe('gitward dev cluster', () => {
  let stateDir = '';
  const gitward = async (...args: string[]) => {
    stateDir ||= await mkdtemp(join(tmpdir(), 'gitward-state-'));
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [main, ...args],
        {
          env: {
            ...process.env,
            GITWARD_STATE_DIR: stateDir,
            GITWARD_CACHE_DIR: inject('cacheDir'),
          },
          timeout: 150_000,
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };

  afterAll(async () => {
    await gitward('dev', 'cluster', 'down');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('starts in the background, reports, hands out a kubeconfig and stops', async () => {
    expect((await gitward('dev', 'cluster', 'status')).stdout).toMatch(/not running/);
    const kubeconfigBefore = await gitward('dev', 'cluster', 'kubeconfig');
    expect(kubeconfigBefore.code).toBe(7);
    expect(kubeconfigBefore.stderr).toMatch(/not running/);

    const up = await gitward('dev', 'cluster', 'up');
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/get nodes/);

    const status = await gitward('dev', 'status');
    expect(status.stdout).toMatch(/running \(Kubernetes v1\.\d+\.\d+\)/);
    const pid = Number(/pid:\s+(\d+)/.exec(status.stdout)?.[1]);
    expect(isAlive(pid)).toBe(true);

    const kubeconfig = (await gitward('dev', 'cluster', 'kubeconfig')).stdout.trim();
    expect(kubeconfig).toBe(join(stateDir, 'clusters', 'dev', 'kubeconfig'));
    expect(await kubectl(['--kubeconfig', kubeconfig, 'get', 'nodes'])).toMatch(
      /kwok-node-0\s+Ready/,
    );

    expect((await gitward('dev', 'down')).stdout).toMatch(/Stopped the local cluster/);
    expect(isAlive(pid)).toBe(false);
    expect((await gitward('dev', 'cluster', 'status')).stdout).toMatch(/not running/);
  });
});
