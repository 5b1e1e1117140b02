/**
 * Starts one local control plane for the whole e2e run and hands its kubeconfig to the tests.
 * The cluster is attached to this process: if the test run is killed, it stops too.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalCluster, type ClusterState } from '@gitward/local-cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterState;
    cacheDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cacheDir = process.env['GITWARD_CACHE_DIR'] ?? join(homedir(), '.cache', 'gitward');
  const cluster = await startLocalCluster({
    name: 'e2e',
    cacheDir,
    onLog: (line) => process.stderr.write(`${line}\n`),
  });
  process.stderr.write(
    `local cluster ready in ${(cluster.state.readyMs / 1000).toFixed(1)}s at ${cluster.state.server}\n`,
  );
  project.provide('cluster', cluster.state);
  project.provide('cacheDir', cacheDir);
  return () => cluster.stop();
}
