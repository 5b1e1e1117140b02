/**
 * Entry of the supervisor process (spawned by startLocalCluster, never imported). It leads a
 * process group holding every component, so one signal to the group stops them all.
 *
 * argv: <config JSON> <attached|detached>
 * Attached: stdin is a pipe from the parent; when it closes (the parent exited, even by SIGKILL)
 * the supervisor stops the cluster. Detached: it runs until SIGTERM (`gitward dev cluster down`).
 */
import type { ComponentName } from './components.ts';
import type { ClusterState } from './state.ts';
import { Supervisor, type SupervisorConfig } from './supervisor.ts';
import { runSupervisorProcess } from './supervisor-process.ts';

const [configJson, mode] = process.argv.slice(2);
const cfg = JSON.parse(configJson ?? '{}') as SupervisorConfig;
await runSupervisorProcess<ClusterState, ComponentName | 'supervisor'>(
  (emit) => new Supervisor(cfg, emit),
  mode,
  'supervisor',
);
