import { setTimeout as sleep } from 'node:timers/promises';
import type { Application } from '@gitward/model';
import { getJson } from './kubectl.ts';

export interface AppRef {
  readonly group: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Polls an Application until `ok` holds and returns it: tests wait on the status the controller
 * writes, never on a fixed sleep. The error shows the last status and the controller's log path.
 */
export async function waitApplication(
  ref: AppRef,
  ok: (app: Application) => boolean,
  opts: { timeoutMs?: number; logFile?: string } = {},
): Promise<Application> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = performance.now() + timeoutMs;
  let last: Application | undefined;
  while (performance.now() < deadline) {
    last = await getJson<Application>([
      `applications.${ref.group}`,
      ref.name,
      '-n',
      ref.namespace,
    ]).catch(() => undefined);
    if (last && ok(last)) return last;
    await sleep(100);
  }
  // No status yet stringifies to undefined, which would hide the timeout behind a TypeError.
  const status = (JSON.stringify(last?.status, null, 1) ?? 'no status').slice(0, 4000);
  throw new Error(
    `application ${ref.name} did not reach the state within ${timeoutMs}ms: ${status}\nlog: ${opts.logFile ?? '-'}`,
  );
}

/**
 * An Application of `project` whose repository nothing serves (a loopback port no one listens
 * on): for API tests that need an app object, not a render, and make no DNS query.
 */
export const unservedApp = (name: string, project: string, destNamespace: string) => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'gitward' },
  spec: {
    project,
    destination: { server: 'https://kubernetes.default.svc', namespace: destNamespace },
    source: { repoURL: `http://127.0.0.1:9/${project}.git`, path: '.', targetRevision: 'main' },
  },
});
