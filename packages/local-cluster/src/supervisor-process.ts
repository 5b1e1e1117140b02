import { errorMessage } from '@gitward/model';
import type { SupervisorEvent } from './state.ts';
import { StartupError } from './supervisor.ts';

/** What a supervisor process runs: the cluster's Supervisor or a real node's NodeSupervisor. */
export interface Supervised<S> {
  start(): Promise<S>;
  stop(): Promise<void>;
  log(message: string): void;
}

/**
 * The body of a supervisor process (supervisor-main.ts, real-node-main.ts): starts, reports
 * `ready` or `failed` to the parent on stdout, and stops on SIGTERM/SIGINT/SIGHUP or, when
 * `attached`, once stdin closes (the parent exited, even by SIGKILL).
 */
export async function runSupervisorProcess<S, C extends string>(
  make: (emit: (e: SupervisorEvent<S, C>) => void) => Supervised<S>,
  mode: string | undefined,
  fallbackComponent: C,
): Promise<void> {
  let parentListening = true;
  process.stdout.on('error', () => (parentListening = false));
  const emit = (e: SupervisorEvent<S, C>) => {
    if (parentListening) process.stdout.write(`${JSON.stringify(e)}\n`);
  };
  const supervisor = make(emit);
  let stopping: Promise<never> | undefined;
  /** Idempotent: every later trigger (a signal after stdin closed, say) waits for the first. */
  const shutdown = (reason: string, code: number): Promise<never> => {
    stopping ??= (async () => {
      supervisor.log(`stopping: ${reason}`);
      await supervisor
        .stop()
        .catch((err: unknown) => supervisor.log(`stop failed: ${errorMessage(err)}`));
      process.exit(code);
    })();
    return stopping;
  };
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
    const e: StartupError<C> =
      err instanceof StartupError
        ? (err as StartupError<C>)
        : new StartupError(fallbackComponent, errorMessage(err), []);
    supervisor.log(`startup failed: ${e.component}: ${e.message}`);
    emit({ event: 'failed', component: e.component, message: e.message, logTail: e.logTail });
    await shutdown('startup failed', 1);
  }
}
