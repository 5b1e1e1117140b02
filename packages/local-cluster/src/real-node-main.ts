/**
 * Entry of a real node's supervisor process (spawned by startRealNode, never imported). It leads a
 * process group holding containerd and kubelet, so one signal to the group stops them all.
 *
 * argv: <config JSON> <attached|detached>, as supervisor-main.ts: attached, the node is taken
 * down when the parent goes away; detached, it runs until SIGTERM (`gitward dev cluster down`).
 */
import {
  NodeSupervisor,
  type NodeComponent,
  type RealNodeConfig,
  type RealNodeState,
} from './real-node-supervisor.ts';
import { runSupervisorProcess } from './supervisor-process.ts';

const [configJson, mode] = process.argv.slice(2);
const cfg = JSON.parse(configJson ?? '{}') as RealNodeConfig;
await runSupervisorProcess<RealNodeState, NodeComponent | 'node'>(
  (emit) => new NodeSupervisor(cfg, emit),
  mode,
  'node',
);
