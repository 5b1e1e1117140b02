/**
 * One small collection kept in memory by list+watch (an informer without indexes), for objects
 * read on every reconcile that are too few to deserve the cluster cache and too often read to be
 * listed each time: the repository Secrets of the control namespace.
 */
import type { KubeObject } from '@gitward/model';
import { runReflector } from './reflector.ts';
import type { KubeClient } from './types.ts';

export interface WatchedCollection {
  /** Resolves after the first list is in (it may be empty). */
  readonly ready: Promise<void>;
  /** The objects as last seen; synchronous, never a request. */
  items(): readonly KubeObject[];
  /** Ends the watch and waits for its loop. */
  stop(): Promise<void>;
}

export interface WatchedCollectionOptions {
  readonly labelSelector?: string;
  /** Each failure the loop recovers from (it retries with backoff). */
  readonly onError: (err: unknown) => void;
  /** Called after each change of the collection (the first list included); must not throw. */
  readonly onChange?: (items: readonly KubeObject[]) => void;
}

/** Starts listing and watching `path` (a collection, e.g. `/api/v1/namespaces/x/secrets`). */
export function watchCollection(
  client: KubeClient,
  path: string,
  opts: WatchedCollectionOptions,
): WatchedCollection {
  const ctrl = new AbortController();
  const byName = new Map<string, KubeObject>();
  const first = Promise.withResolvers<void>();
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  let snapshot: readonly KubeObject[] = [];
  const changed = () => {
    snapshot = [...byName.values()];
    opts.onChange?.(snapshot);
  };
  const loop = runReflector(
    client,
    path,
    {
      replace(items) {
        byName.clear();
        for (const o of items) byName.set(keyOf(o), o);
        changed();
        first.resolve();
      },
      apply(type, obj) {
        if (type === 'DELETED') byName.delete(keyOf(obj));
        else byName.set(keyOf(obj), obj);
        changed();
      },
    },
    {
      signal: ctrl.signal,
      onError: opts.onError,
      ...(opts.labelSelector !== undefined && { labelSelector: opts.labelSelector }),
    },
  );
  return {
    ready: first.promise,
    items: () => snapshot,
    async stop() {
      ctrl.abort();
      // Nobody waits for a list that will never come.
      first.resolve();
      await loop;
    },
  };
}
