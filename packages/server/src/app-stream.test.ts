import { describe, expect, it } from 'vitest';
import type { ReflectorHandlers } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import { createAppStreamHub, type AppEvent } from './app-stream.ts';

const app = (name: string, rv: string, project = 'default'): KubeObject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: 'gitward', resourceVersion: rv },
  spec: {
    project,
    source: { repoURL: 'https://example.com/r.git', path: '.' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
  },
});

/** A source that records each run and lets the test play the apiserver. */
function fakeSource() {
  const runs: { handlers: ReflectorHandlers; signal: AbortSignal }[] = [];
  return {
    runs,
    source: (handlers: ReflectorHandlers, signal: AbortSignal) => {
      runs.push({ handlers, signal });
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
  };
}

const seen = (log: AppEvent[]) => log.map((e) => `${e.type} ${e.app.metadata.name}`);

describe('createAppStreamHub', () => {
  it('one watch for every client: started by the first, stopped with the last', () => {
    const f = fakeSource();
    const hub = createAppStreamHub({ source: f.source });
    const a = hub.join(() => undefined);
    const b = hub.join(() => undefined);
    expect(f.runs).toHaveLength(1);
    expect(hub.watching()).toBe(true);
    a?.leave();
    a?.leave();
    expect(f.runs[0]?.signal.aborted).toBe(false);
    b?.leave();
    expect(f.runs[0]?.signal.aborted).toBe(true);
    expect(hub.watching()).toBe(false);
    hub.join(() => undefined);
    expect(f.runs).toHaveLength(2);
  });

  it('a late client first gets the current applications as ADDED', () => {
    const f = fakeSource();
    const hub = createAppStreamHub({ source: f.source });
    const first: AppEvent[] = [];
    hub.join((e) => first.push(e));
    const h = f.runs[0]?.handlers;
    h?.replace([app('a', '1'), app('b', '1')]);
    h?.apply('MODIFIED', app('a', '2'));
    h?.apply('DELETED', app('b', '1'));
    const late: AppEvent[] = [];
    hub.join((e) => late.push(e));
    h?.apply('ADDED', app('c', '3'));
    expect(seen(first)).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b', 'ADDED c']);
    expect(seen(late)).toEqual(['ADDED a', 'ADDED c']);
    expect(late[0]?.app.metadata.resourceVersion).toBe('2');
  });

  it('a re-list reports what changed meanwhile, and nothing for what did not', () => {
    const f = fakeSource();
    const hub = createAppStreamHub({ source: f.source });
    const log: AppEvent[] = [];
    hub.join((e) => log.push(e));
    const h = f.runs[0]?.handlers;
    h?.replace([app('a', '1'), app('b', '1'), app('c', '1')]);
    log.length = 0;
    h?.replace([app('a', '1'), app('b', '5'), app('d', '1')]);
    expect(seen(log)).toEqual(['MODIFIED b', 'ADDED d', 'DELETED c']);
  });

  it('refuses clients past the cap, and takes them again once one leaves', () => {
    const hub = createAppStreamHub({ source: fakeSource().source, maxClients: 2 });
    const a = hub.join(() => undefined);
    expect(hub.join(() => undefined)).toBeDefined();
    expect(hub.join(() => undefined)).toBeUndefined();
    a?.leave();
    expect(hub.join(() => undefined)).toBeDefined();
    expect(hub.clients()).toBe(2);
  });

  it('ignores objects that are not Applications and events of a stopped run', () => {
    const f = fakeSource();
    const hub = createAppStreamHub({ source: f.source });
    const log: AppEvent[] = [];
    const sub = hub.join((e) => log.push(e));
    const h = f.runs[0]?.handlers;
    h?.apply('ADDED', { metadata: { name: 'junk' } } as unknown as KubeObject);
    sub?.leave();
    h?.apply('ADDED', app('late', '1'));
    expect(log).toEqual([]);
  });
});
