import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ClusterState } from '@gitward/local-cluster';

/** Runs the kubectl built with the cluster (same version) against the e2e cluster. */
export function kubectl(args: readonly string[], input?: string): Promise<string> {
  return kubectlAt(inject('cluster'), args, input);
}

/** kubectl against another local cluster (a second destination in the multi-cluster tests). */
export function kubectlAt(
  cluster: Pick<ClusterState, 'binDir' | 'kubeconfig' | 'dir'>,
  args: readonly string[],
  input?: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      join(cluster.binDir, 'kubectl'),
      // A cache per cluster: ports are reused across runs, and a stale discovery cache from an
      // earlier cluster on the same port would make kubectl misread this one.
      [
        '--kubeconfig',
        cluster.kubeconfig,
        '--cache-dir',
        join(cluster.dir, 'kubectl-cache'),
        ...args,
      ],
      { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl get -o json, parsed. */
export async function getJson<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
}

/** A namespace name unique to one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
