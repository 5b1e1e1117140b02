import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import type { ApiClient, ApplicationWatchEvent } from '../api/index.ts';
import { loadConfig } from '../config.ts';
import { follow, operationDone } from './app-follow.ts';

const ESC = String.fromCodePoint(27);

const app = (phase: string, operation: boolean): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'prod' },
    source: { repoURL: 'https://git.example/web.git' },
  },
  ...(operation ? { operation: { sync: {} } } : {}),
  status: {
    sync: { status: 'Synced' },
    health: { status: 'Healthy' },
    resources: [{ kind: 'ConfigMap', namespace: 'prod', name: 'settings', status: 'Synced' }],
    operationState: { phase, message: phase === 'Running' ? 'applying' : 'done' },
  },
});

/** A server whose app is running, then (one stream event later) finished. */
const client = {
  applications: {
    get: () => Promise.resolve(app('Running', true)),
    resourceTree: () => Promise.resolve({ nodes: [] }),
  },
  streamApplications: (
    _q: unknown,
    onEvent: (e: ApplicationWatchEvent) => void,
  ): Promise<'closed'> => {
    onEvent({ type: 'MODIFIED', application: app('Succeeded', false) });
    return Promise.resolve('closed');
  },
} as unknown as ApiClient;

function outputs(terminal: boolean) {
  const lines: string[] = [];
  const writes: string[] = [];
  const output = {
    out: (l: string) => lines.push(l),
    err: () => undefined,
    ...(terminal
      ? { terminal: { columns: 120, rows: 40, write: (t: string) => writes.push(t) } }
      : {}),
  };
  return { lines, writes, deps: { config: loadConfig({ HOME: '/nowhere' }), output } };
}

describe('following an operation', () => {
  it('redraws one live table in place on a terminal', async () => {
    const o = outputs(true);
    const done = await follow(o.deps, client, 'web', operationDone, { timeoutSec: 0 });
    expect(done.status?.operationState?.phase).toBe('Succeeded');
    expect(o.lines).toEqual([]);
    // The first frame is drawn where the cursor is; each later one moves up over the last.
    expect(o.writes[0]?.startsWith(`${ESC}[J`)).toBe(true);
    expect(o.writes.slice(1).every((w) => w.startsWith(`${ESC}[5F${ESC}[J`))).toBe(true);
    expect(o.writes.at(-1)).toContain('Operation Succeeded: done');
    expect(o.writes.at(-1)).toMatch(/ConfigMap\s+prod\s+settings\s+Synced/);
    // A tree fetch still in flight must not draw over what the command prints next.
    const drawn = o.writes.length;
    await new Promise((resolve) => setImmediate(resolve));
    expect(o.writes).toHaveLength(drawn);
  });

  it('prints plain progress lines when stdout is no terminal', async () => {
    const o = outputs(false);
    await follow(o.deps, client, 'web', operationDone, 0);
    expect(o.writes).toEqual([]);
    expect(o.lines.some((l) => l.includes('Operation Running: applying'))).toBe(true);
    expect(o.lines.some((l) => l.includes('Operation Succeeded: done'))).toBe(true);
  });
});
