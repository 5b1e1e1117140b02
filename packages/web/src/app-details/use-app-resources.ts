/**
 * The details page's reads besides the Application itself: the resource tree, the managed
 * resources (live, desired and diff per resource) and the events. The Application comes live from
 * the stream; these follow it, read again when it changes, at most once per `minGapMs`, so a
 * running sync (many status writes a second) does not turn into a request storm.
 */
import { useEffect, useRef, useState } from 'react';
import { api, type ApiError } from '../api/http.ts';
import type { ApplicationTree, ItemList, KubeEvent, ResourceDiff } from '@gitward/model';

export type Loaded<T> = {
  readonly value: T | undefined;
  readonly error: ApiError | undefined;
};

/**
 * GETs `path` now and again whenever `key` changes, throttled: a change within `minGapMs` of the
 * last read waits for the gap, and changes meanwhile coalesce into one read.
 */
export function useFollowedGet<T>(
  path: string,
  key: string,
  minGapMs: number,
  query?: Record<string, string>,
): Loaded<T> {
  const [state, setState] = useState<{ path: string; loaded: Loaded<T> }>({
    path,
    loaded: { value: undefined, error: undefined },
  });
  const last = useRef(0);
  const started = useRef(0);
  const abort = useRef<AbortController | undefined>(undefined);
  const queryKey = JSON.stringify(query ?? {});

  // Requests are aborted only when the page leaves this resource: a key change must not abort
  // a read in flight, or a sync writing status every 200 ms would starve a 1 s read forever.
  useEffect(() => {
    const ctl = new AbortController();
    abort.current = ctl;
    return () => ctl.abort();
  }, [path, queryKey]);

  useEffect(() => {
    const delay = Math.max(0, last.current + minGapMs - Date.now());
    const timer = setTimeout(() => {
      const ctl = abort.current;
      if (!ctl || ctl.signal.aborted) return;
      last.current = Date.now();
      const seq = ++started.current;
      void api<T>(path, {
        signal: ctl.signal,
        query: JSON.parse(queryKey) as Record<string, string>,
      }).then((res) => {
        // An older read answering after a newer one started is stale.
        if (ctl.signal.aborted || seq !== started.current) return;
        setState({
          path,
          loaded: res.ok
            ? { value: res.value, error: undefined }
            : { value: undefined, error: res },
        });
      });
    }, delay);
    return () => clearTimeout(timer);
  }, [path, key, minGapMs, queryKey]);

  // A previous app's answer must not show for this one while its first read is under way.
  return state.path === path ? state.loaded : { value: undefined, error: undefined };
}

const appPath = (name: string) => `/api/v1/applications/${encodeURIComponent(name)}`;

export function useResourceTree(name: string, key: string): Loaded<ApplicationTree> {
  return useFollowedGet(`${appPath(name)}/resource-tree`, key, 1000);
}

export function useManagedResources(name: string, key: string): Loaded<ItemList<ResourceDiff>> {
  return useFollowedGet(`${appPath(name)}/managed-resources`, key, 3000);
}

/** A Kubernetes Event as the events route answers it (the fields the events view shows). */
export function useAppEvents(name: string, key: string): Loaded<ItemList<KubeEvent>> {
  return useFollowedGet(`${appPath(name)}/events`, key, 2000);
}

export { appPath };
