/**
 * Entry of the supervisor process (spawned by startLocalCluster, never imported). It leads a
 * process group holding every component, so one signal to the group stops them all.
 *
 * argv: <config JSON> <attached|detached>
 * Attached: stdin is a pipe from the parent; when it closes (the parent exited, even by SIGKILL)
 * the supervisor stops the cluster. Detached: it runs until SIGTERM (`gitward dev cluster down`).
 */
import { errorMessage } from '@gitward/model';
import { StartupError, Supervisor, type SupervisorConfig } from './supervisor.ts';
import type { SupervisorEvent } from './state.ts';

const [configJson, mode] = process.argv.slice(2);
const cfg = JSON.parse(configJson ?? '{}') as SupervisorConfig;
let parentListening = true;
process.stdout.on('error', () => (parentListening = false));
const emit = (e: SupervisorEvent) => {
  if (parentListening) process.stdout.write(`${JSON.stringify(e)}\n`);
};

const supervisor = new Supervisor(cfg, emit);
let stopping: Promise<never> | undefined;
/** Idempotent: every later trigger (a signal after stdin closed, say) waits for the first. */
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
  // A detached parent reads up to "ready" and then closes the pipe.
  if (mode !== 'attached') parentListening = false;
} catch (err) {
  const e =
    err instanceof StartupError ? err : new StartupError('supervisor', errorMessage(err), []);
  supervisor.log(`startup failed: ${e.component}: ${e.message}`);
  emit({ event: 'failed', component: e.component, message: e.message, logTail: e.logTail });
  await shutdown('startup failed', 1);
}
