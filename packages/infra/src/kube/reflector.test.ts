import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError, type KubeObject } from '@gitward/model';
import { KubeStatusError } from './kube-errors.ts';
import { runReflector } from './reflector.ts';
import type { KubeClient, KubeList, KubeWatchOptions, WatchEvent } from './types.ts';

const cm = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});

type Script = (opts: KubeWatchOptions, emit: (e: WatchEvent) => void) => Promise<void>;

/** A client whose lists and watches play back scripted answers, in order. */
function scripted(lists: KubeList<KubeObject>[], watches: Script[]) {
  const seen = { lists: 0, watchVersions: [] as (string | undefined)[] };
  const client = {
    list: () => {
      const next = lists[seen.lists++];
      return next ? Promise.resolve(next) : Promise.reject(new Error('no more lists'));
    },
    watch: (_path: string, opts: KubeWatchOptions, onEvent: (e: WatchEvent) => void) => {
      seen.watchVersions.push(opts.resourceVersion);
      const script = watches.shift();
      if (script === undefined) {
        return new Promise<void>((resolve) =>
          opts.signal.addEventListener('abort', () => resolve()),
        );
      }
      return script(opts, onEvent);
    },
  } as unknown as KubeClient;
  return { client, seen };
}

describe('runReflector', () => {
  it('lists, watches, re-watches from bookmarks, re-lists on 410 and retries network errors', async () => {
    const ctrl = new AbortController();
    const errors: unknown[] = [];
    const log: string[] = [];
    const { client, seen } = scripted(
      [
        { items: [cm('a', '1')], resourceVersion: '10' },
        { items: [cm('b', '11')], resourceVersion: '20' },
      ],
      [
        (_o, emit) => {
          emit({ type: 'ADDED', object: cm('b', '11') });
          emit({ type: 'BOOKMARK', object: cm('', '15') });
          return Promise.resolve();
        },
        (_o, emit) => {
          // The reflector throws from inside the callback; a real watch rejects with that.
          try {
            emit({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
          } catch (err) {
            return Promise.reject(err instanceof Error ? err : new Error(String(err)));
          }
          return Promise.resolve();
        },
        () => Promise.reject(new GitwardError(ErrorCode.KubeRequestFailed, 'socket hang up')),
        (_o, emit) => {
          emit({ type: 'DELETED', object: cm('b', '21') });
          ctrl.abort();
          return Promise.resolve();
        },
      ],
    );
    const end = await runReflector(
      client,
      '/api/v1/configmaps',
      {
        replace: (items) => log.push(`replace ${items.map((o) => o.metadata.name).join(',')}`),
        apply: (type, obj) => log.push(`${type} ${obj.metadata.name}`),
      },
      { signal: ctrl.signal, onError: (err) => errors.push(err), minBackoffMs: 1 },
    );
    expect(end).toBe('stopped');
    expect(log).toEqual(['replace a', 'ADDED b', 'replace b', 'DELETED b']);
    expect(seen.lists).toBe(2);
    expect(seen.watchVersions).toEqual(['10', '15', '20', '20']);
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toMatch(/socket hang up/);
  });

  it('ends with not-found when the resource type is gone, and retries other failures', async () => {
    const { client } = scripted([], []);
    const run = (err: Error, signal: AbortSignal, errors: unknown[] = []) =>
      runReflector(
        { ...client, list: () => Promise.reject(err) },
        '/apis/x.test/v1/ys',
        { replace: () => undefined, apply: () => undefined },
        { signal, onError: (e) => errors.push(e), minBackoffMs: 1, maxBackoffMs: 5 },
      );
    const signal = new AbortController().signal;
    expect(await run(new KubeStatusError('GET /apis/x.test/v1/ys: HTTP 404', 404), signal)).toBe(
      'not-found',
    );
    const errors: unknown[] = [];
    const forbidden = new KubeStatusError('GET /apis/x.test/v1/ys: HTTP 403', 403);
    expect(await run(forbidden, AbortSignal.timeout(50), errors)).toBe('stopped');
    expect(errors.length).toBeGreaterThan(2);
    expect(errors.every((e) => e === forbidden)).toBe(true);
  });
});
