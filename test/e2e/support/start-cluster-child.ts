/**
 * Helper process for the "killed parent" test: starts an attached cluster, prints its state as
 * one JSON line, then waits to be killed.
 */
import { startLocalCluster } from '@gitward/local-cluster';

const cacheDir = process.argv[2] ?? '';
const cluster = await startLocalCluster({ name: 'orphan', cacheDir });
process.stdout.write(`${JSON.stringify(cluster.state)}\n`);
setInterval(() => undefined, 60_000);
