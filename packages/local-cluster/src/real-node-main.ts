/**
 * Entry of a real node's supervisor process (spawned by startRealNode, never imported). It leads a
 * process group holding containerd and kubelet, so one signal to the group stops them all.
 *
 * argv: <config JSON> <attached|detached>
 * Attached: stdin is a pipe from the parent; when it closes (the parent exited, even by SIGKILL)
 * the node is taken down. Detached: it runs until SIGTERM (`gitward dev cluster down`).
 */
import { errorMessage } from '@gitward/model';
import {
  NodeStartupError,
  NodeSupervisor,
  type NodeEvent,
  type RealNodeConfig,
} from './real-node-supervisor.ts';

const [configJson, mode] = process.argv.slice(2);
const cfg = JSON.parse(configJson ?? '{}') as RealNodeConfig;
let parentListening = true;
process.stdout.on('error', () => (parentListening = false));
const emit = (e: NodeEvent) => {
  if (parentListening) process.stdout.write(`${JSON.stringify(e)}\n`);
};

const supervisor = new NodeSupervisor(cfg, emit);
let stopping: Promise<never> | undefined;
function shutdown(reason: string, code: number): Promise<never> {
  stopping ??= (async () => {
    supervisor.log(`stopping: ${reason}`);
    await supervisor
      .stop()
      .catch((err: unknown) => supervisor.log(`stop failed: ${errorMessage(err)}`));
    process.exit(code);
  })();
  return stopping;
}

for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  process.on(sig, () => void shutdown(sig, 0));
}
if (mode === 'attached') {
  process.stdin.on('close', () => void shutdown('parent went away', 0));
  process.stdin.on('end', () => void shutdown('parent went away', 0));
  process.stdin.resume();
}

try {
  const state = await supervisor.start();
  emit({ event: 'ready', state });
  if (mode !== 'attached') parentListening = false;
} catch (err) {
  const e =
    err instanceof NodeStartupError ? err : new NodeStartupError('node', errorMessage(err), []);
  supervisor.log(`startup failed: ${e.component}: ${e.message}`);
  emit({ event: 'failed', component: e.component, message: e.message, logTail: e.logTail });
  await shutdown('startup failed', 1);
}
