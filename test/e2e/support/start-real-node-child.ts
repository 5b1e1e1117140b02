/**
 * Helper process for the real node's "killed parent" test: starts an attached real node joining
 * the cluster given as JSON, prints the node's state as one JSON line, then waits to be killed.
 */
import { startRealNode, type ClusterState } from '@gitward/local-cluster';

const cluster = JSON.parse(process.argv[2] ?? '{}') as ClusterState;
const node = await startRealNode({
  cluster,
  cacheDir: process.argv[3] ?? '',
  name: process.argv[4] ?? 'orphan',
});
process.stdout.write(`${JSON.stringify(node.state)}\n`);
setInterval(() => undefined, 60_000);
