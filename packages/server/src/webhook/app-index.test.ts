import { describe, expect, it, vi } from 'vitest';
import type { WatchEvent } from '@gitward/infra';
import type { Application } from '@gitward/model';
import { createAppIndex } from './app-index.ts';

const app = (name: string, repoURL: string): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name },
  spec: { project: 'default', source: { repoURL }, destination: { namespace: 'x' } },
});

/** A store whose watch the test drives: `emit` sends an event, `end` ends the stream. */
function fakeStore(initial: Application[]) {
  let emit: (e: WatchEvent) => void = () => undefined;
  let end: (err?: Error) => void = () => undefined;
  const store = {
    listApps: vi.fn(() => Promise.resolve([...initial])),
    watchApps: vi.fn(
      (onEvent: (e: WatchEvent) => void) =>
        new Promise<void>((resolve, reject) => {
          emit = onEvent;
          end = (err) => (err ? reject(err) : resolve());
        }),
    ),
  };
  return { store, emit: (e: WatchEvent) => emit(e), end: (err?: Error) => end(err) };
}

const ev = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: Application) =>
  ({ type, object }) as unknown as WatchEvent;
const settle = () => new Promise((r) => setTimeout(r, 0));
const names = (apps: Application[]) => apps.map((a) => a.metadata.name).sort();
const logger = { warn: () => undefined };

describe('createAppIndex', () => {
  it('answers from one list and a watch, matching any URL form of the repository', async () => {
    const { store, emit } = fakeStore([
      app('a', 'https://github.com/org/repo.git'),
      app('b', 'https://github.com/org/other'),
    ]);
    const index = createAppIndex(store, logger);
    expect(names(await index.appsFor(['git@github.com:org/repo.git']))).toEqual(['a']);
    await settle();
    expect(index.ready()).toBe(true);
    emit(ev('ADDED', app('c', 'ssh://git@github.com/Org/Repo')));
    emit(ev('MODIFIED', app('b', 'https://github.com/org/repo')));
    for (let i = 0; i < 5; i++) await index.appsFor(['https://github.com/org/repo']);
    expect(names(await index.appsFor(['https://github.com/org/repo']))).toEqual(['a', 'b', 'c']);
    emit(ev('DELETED', app('a', 'https://github.com/org/repo.git')));
    expect(names(await index.appsFor(['https://github.com/org/repo']))).toEqual(['b', 'c']);
    // The first call's own list and the index's; none per call while the watch serves.
    expect(store.listApps).toHaveBeenCalledTimes(2);
    index.close();
  });

  it('falls back to listing while the watch is down', async () => {
    const { store, end } = fakeStore([app('a', 'https://h/x')]);
    const index = createAppIndex(store, logger);
    await index.appsFor(['https://h/x']);
    await settle();
    end(new Error('connection reset'));
    await settle();
    expect(index.ready()).toBe(false);
    expect(names(await index.appsFor(['https://h/x']))).toEqual(['a']);
    expect(store.listApps.mock.calls.length).toBeGreaterThanOrEqual(2);
    index.close();
  });

  it('forgets an app found gone', async () => {
    const { store } = fakeStore([app('a', 'https://h/x')]);
    const index = createAppIndex(store, logger);
    await index.appsFor([]);
    await settle();
    index.forget('a');
    expect(await index.appsFor(['https://h/x'])).toEqual([]);
    index.close();
  });
});
