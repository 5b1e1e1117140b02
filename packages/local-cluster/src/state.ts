import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ComponentName, Ports } from './components.ts';

/** What a running local cluster looks like from outside; written to <dir>/state.json. */
export interface ClusterState {
  readonly name: string;
  readonly dir: string;
  /** The supervisor's pid; it leads the process group of every component. */
  readonly pid: number;
  readonly server: string;
  readonly kubeconfig: string;
  readonly ports: Ports;
  readonly startedAt: string;
  /** Milliseconds from the supervisor's start to a Ready node and a working controller-manager. */
  readonly readyMs: number;
  /** Milliseconds each startup phase took, in order. */
  readonly phases: Readonly<Record<string, number>>;
  readonly kubernetesVersion: string;
  readonly logsDir: string;
  /** Directory of the pinned binaries, including a kubectl matching the server. */
  readonly binDir: string;
  /** Pid of each component, so callers can verify that stopping left nothing behind. */
  readonly componentPids: Readonly<Partial<Record<ComponentName, number>>>;
}

/**
 * Messages a supervisor process writes to its parent, one JSON object per line: the cluster's
 * (S = ClusterState) and a real node's (real-node-supervisor.ts) alike.
 */
export type SupervisorEvent<S = ClusterState, C extends string = ComponentName | 'supervisor'> =
  | { readonly event: 'phase'; readonly phase: string; readonly ms: number }
  | { readonly event: 'ready'; readonly state: S }
  | {
      readonly event: 'failed';
      readonly component: C;
      readonly message: string;
      readonly logTail: readonly string[];
    };

export const stateFileName = 'state.json';

export async function readClusterState(dir: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, stateFileName), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

/** True while a process with that pid exists (signal 0 only checks). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
