import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, mountsUnder, shimPids } from '@gitward/local-cluster';
import { devCli } from './support/dev-cli.ts';
import { kubectl } from './support/kubectl.ts';

const root = process.getuid?.() === 0;

// A real node needs root (containerd, a bridge, mounts); on any other machine this says why.
describe.skipIf(!root)('gitward dev cluster up --node real (skipped when not root)', () => {
  const { gitward, stateDir, cleanup } = devCli(300_000);

  afterAll(cleanup);

  it('starts the control plane with a real node beside the kwok node, and stops both', async () => {
    const up = await gitward('dev', 'cluster', 'up', '--node', 'real');
    expect(up.stderr).not.toMatch(/error/i);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/real node "gitward-real-node": running/);

    const status = (await gitward('dev', 'cluster', 'status')).stdout;
    const nodePid = Number(/pid:\s+(\d+) \(process group of containerd/.exec(status)?.[1]);
    const socket = /ctr --address (\S+) -n k8s\.io/.exec(status)?.[1] ?? '';
    expect(isAlive(nodePid)).toBe(true);
    const kubeconfig = join(stateDir(), 'clusters', 'dev', 'kubeconfig');
    const nodes = await kubectl([
      '--kubeconfig',
      kubeconfig,
      'get',
      'nodes',
      '-L',
      'gitward.dev/node',
    ]);
    expect(nodes).toMatch(/kwok-node-0\s+Ready/);
    expect(nodes).toMatch(/gitward-real-node\s+Ready\s.*\sreal/);

    // Up again: both already run, nothing new is started.
    const again = await gitward('dev', 'cluster', 'up', '--node', 'real');
    expect(again.stdout).toMatch(/already running/);
    expect((await gitward('dev', 'cluster', 'status')).stdout).toContain(`pid:        ${nodePid} `);

    const down = await gitward('dev', 'cluster', 'down');
    expect(down.stdout).toMatch(/Stopped the real node gitward-real-node/);
    expect(down.stdout).toMatch(/Stopped the local cluster/);
    expect(isAlive(nodePid)).toBe(false);
    expect(await shimPids(socket)).toEqual([]);
    const nodeDir = join(stateDir(), 'clusters', 'dev', 'real-node');
    expect(await mountsUnder(nodeDir)).toEqual([]);
    // A dev node keeps its directory (logs, imported images) for the next start.
    expect(existsSync(join(nodeDir, 'logs', 'kubelet.log'))).toBe(true);
    expect((await gitward('dev', 'cluster', 'status')).stdout).not.toMatch(/real node/);
  });

  it('refuses an unknown node kind', async () => {
    const res = await gitward('dev', 'cluster', 'up', '--node', 'fake');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/kwok, real/);
  });
});
