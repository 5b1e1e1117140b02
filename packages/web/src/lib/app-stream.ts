/**
 * Live Applications: a first GET, then the server's Server-Sent Events stream for every change.
 * `useApplications()` is the list page's single stream; `useApplication(name)` follows one app for
 * the details page. Events are applied in batches (the first connect replays one ADDED per app,
 * thousands at once) and reconciled with the GET answer by resourceVersion (see app-events.ts).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Application, ItemList } from '@gitward/model';
import { api, type ApiError } from '../api/http.ts';
import {
  applyAppEvents,
  emptyAppState,
  mergeAppList,
  parseAppEvent,
  type AppEvent,
  type AppState,
} from './app-events.ts';

const streamPath = '/api/v1/stream/applications';
const flushMs = 100;
const retryMs = 5000;

export type StreamHandlers = {
  onEvents(events: AppEvent[]): void;
  /** The stream came back after a break: events may have been missed, read the state again. */
  onReopen(): void;
};

/**
 * Follows the stream until the returned function is called. EventSource retries a dropped
 * connection by itself; a refused one (e.g. 401) closes it, so that is retried here, slowly.
 */
export function followAppStream(name: string | undefined, h: StreamHandlers): () => void {
  const url = name ? `${streamPath}?name=${encodeURIComponent(name)}` : streamPath;
  let source: EventSource | undefined;
  let buffer: AppEvent[] = [];
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let opened = false;
  let stopped = false;

  const flush = () => {
    flushTimer = undefined;
    const events = buffer;
    buffer = [];
    if (events.length) h.onEvents(events);
  };
  const open = () => {
    retryTimer = undefined;
    const es = new EventSource(url, { withCredentials: true });
    source = es;
    es.onmessage = (m: MessageEvent<string>) => {
      const e = parseAppEvent(m.data);
      if (!e) return;
      buffer.push(e);
      flushTimer ??= setTimeout(flush, flushMs);
    };
    es.onopen = () => {
      if (opened) h.onReopen();
      opened = true;
    };
    es.onerror = () => {
      if (es.readyState !== EventSource.CLOSED || stopped) return;
      es.close();
      opened = true;
      retryTimer = setTimeout(open, retryMs);
    };
  };
  open();
  return () => {
    stopped = true;
    source?.close();
    if (flushTimer) clearTimeout(flushTimer);
    if (retryTimer) clearTimeout(retryTimer);
  };
}

const byName = (a: Application, b: Application) => a.metadata.name.localeCompare(b.metadata.name);

export type ApplicationsState = {
  /** Sorted by name. */
  apps: Application[];
  /** The first GET has answered (successfully or not). */
  loaded: boolean;
  error: ApiError | undefined;
};

/** Every Application the user may see, kept live: the list page's one stream. */
export function useApplications(): ApplicationsState {
  const [state, setState] = useState<AppState>(emptyAppState);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();

  useEffect(() => {
    const abort = new AbortController();
    const load = async () => {
      const res = await api<ItemList<Application>>('/api/v1/applications', {
        signal: abort.signal,
      });
      if (abort.signal.aborted) return;
      setLoaded(true);
      if (!res.ok) return setError(res);
      setError(undefined);
      setState((s) => mergeAppList(s, res.value.items ?? []));
    };
    const stop = followAppStream(undefined, {
      onEvents: (events) => setState((s) => applyAppEvents(s, events)),
      onReopen: () => void load(),
    });
    void load();
    return () => {
      abort.abort();
      stop();
    };
  }, []);

  const apps = useMemo(() => [...state.apps.values()].sort(byName), [state]);
  return { apps, loaded, error };
}

export type ApplicationState = {
  app: Application | undefined;
  error: ApiError | undefined;
  /** Reads the application again now (e.g. after an action), besides the live stream. */
  reload: () => void;
};

/** The state when it belongs to `name` (the hook may be reused for another app). */
const own = (s: { name: string; apps: AppState }, name: string) =>
  s.name === name ? s.apps : emptyAppState;

/** One Application by name: GET, then its stream events (a deletion turns into a 404 error). */
export function useApplication(name: string): ApplicationState {
  const [state, setState] = useState<{ name: string; apps: AppState }>({
    name,
    apps: emptyAppState,
  });
  const [error, setError] = useState<ApiError | undefined>();
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    const abort = new AbortController();
    const load = async () => {
      const res = await api<Application>(`/api/v1/applications/${encodeURIComponent(name)}`, {
        signal: abort.signal,
      });
      if (abort.signal.aborted) return;
      if (!res.ok) return setError(res);
      setError(undefined);
      setState((s) => ({ name, apps: mergeAppList(own(s, name), [res.value]) }));
    };
    void load();
    return () => abort.abort();
  }, [name, tick]);

  useEffect(
    () =>
      followAppStream(name, {
        onEvents: (events) => {
          // A live copy arrived: an earlier failed read no longer describes the page.
          setError(undefined);
          setState((s) => ({ name, apps: applyAppEvents(own(s, name), events) }));
        },
        onReopen: reload,
      }),
    [name, reload],
  );

  const current = state.name === name ? state.apps : emptyAppState;
  const app = current.apps.get(name);
  const deleted = !app && current.tombstones.has(name);
  return {
    app,
    error: deleted
      ? { status: 404, code: 'NOT_FOUND', message: `application ${name} was deleted` }
      : error,
    reload,
  };
}
