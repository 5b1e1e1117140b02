import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '@gitward/local-cluster';
import { devCli } from './support/dev-cli.ts';
import { kubectl } from './support/kubectl.ts';

describe('gitward dev cluster', () => {
  const { gitward, stateDir, cleanup } = devCli();

  afterAll(cleanup);

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
    expect(kubeconfig).toBe(join(stateDir(), 'clusters', 'dev', 'kubeconfig'));
    expect(await kubectl(['--kubeconfig', kubeconfig, 'get', 'nodes'])).toMatch(
      /kwok-node-0\s+Ready/,
    );

    expect((await gitward('dev', 'down')).stdout).toMatch(/Stopped the local cluster/);
    expect(isAlive(pid)).toBe(false);
    expect((await gitward('dev', 'cluster', 'status')).stdout).toMatch(/not running/);
  });
});
