/**
 * `useApi(path)`: GET a JSON resource when the component mounts or `path` changes, with the
 * answer, the failure and a `reload()`. A newer request makes an older answer irrelevant (the
 * older one is aborted), so quick navigation never shows stale data.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type ApiError } from '../api/http.ts';

export type ApiState<T> = {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  /** Replaces the data with an answer already in hand (e.g. the PUT's), without a request. */
  set: (value: T) => void;
};

export function useApi<T>(path: string): ApiState<T> {
  const [state, setState] = useState<{ path: string; data?: T; error?: ApiError }>({ path });
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((value: T) => setState({ path, data: value }), [path]);

  useEffect(() => {
    const abort = new AbortController();
    const load = async () => {
      setLoading(true);
      const res = await api<T>(path, { signal: abort.signal });
      if (abort.signal.aborted) return;
      setLoading(false);
      setState(res.ok ? { path, data: res.value } : { path, error: res });
    };
    void load();
    return () => abort.abort();
  }, [path, tick]);

  const mine = state.path === path;
  return {
    data: mine ? state.data : undefined,
    error: mine ? state.error : undefined,
    loading,
    reload,
    set,
  };
}
