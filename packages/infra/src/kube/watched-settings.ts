/**
 * One settings object (the settings ConfigMap, argocd-cm / gitward-cm) kept in memory by a watch
 * and parsed only when it changes: the controller reads it on every reconcile, so a read is never
 * a request, and an edit takes effect without a restart. What the data means is the caller's
 * `parse` (the engine's pure parser); this adapter only watches and caches.
 */
import type { KubeObject } from '@gitward/model';
import type { KubeClient } from './types.ts';
import { watchCollection } from './watched-collection.ts';

export interface WatchedSettings<T> {
  /** Resolves after the first list is in (the object may be absent: `parse(undefined)`). */
  readonly ready: Promise<void>;
  /** The parse of the object as last seen; synchronous, never a request. */
  current(): T;
  /** Ends the watch and waits for its loop. */
  stop(): Promise<void>;
}

export interface WatchedSettingsOptions<T> {
  readonly namespace: string;
  /** The object's name, e.g. `argocd-cm`. */
  readonly name: string;
  /** Its `data` (absent object or data: undefined) to the value callers read. */
  readonly parse: (data: unknown) => T;
  /**
   * Each time the parsed value is replaced (the first list included), with the object it came
   * from (undefined when there is none); must not throw.
   */
  readonly onChange?: (value: T, object: KubeObject | undefined) => void;
  /** Each failure the watch recovers from (it retries with backoff). */
  readonly onError: (err: unknown) => void;
}

/**
 * Watches the namespace's ConfigMaps and keeps the named one parsed. (A watch of one name would
 * need a field selector per object; the control namespace holds few ConfigMaps.)
 */
export function watchSettingsConfigMap<T>(
  client: KubeClient,
  opts: WatchedSettingsOptions<T>,
): WatchedSettings<T> {
  let seen: { object: KubeObject | undefined } | undefined;
  let value = opts.parse(undefined);
  const onChange = (items: readonly KubeObject[]) => {
    const found = items.find((o) => o.metadata.name === opts.name);
    // The watch hands over a new object per change: same object (or still none), same parse.
    if (seen !== undefined && seen.object === found) return;
    seen = { object: found };
    value = opts.parse(found?.['data']);
    opts.onChange?.(value, found);
  };
  const path = `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/configmaps`;
  const watch = watchCollection(client, path, { onError: opts.onError, onChange });
  return {
    ready: watch.ready,
    current: () => value,
    stop: () => watch.stop(),
  };
}
