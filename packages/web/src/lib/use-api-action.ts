/**
 * `useApiAction()`: the busy flag and the last failure of a user-started API call (sync, delete,
 * rollback …), so a dialog can disable its button while the call runs and show why it failed.
 */
import { useCallback, useState } from 'react';
import type { ApiError, ApiResult } from '../api/http.ts';

export type ApiAction = {
  busy: boolean;
  error: ApiError | undefined;
  /** Runs the call; resolves true when it succeeded (a new attempt clears the old failure). */
  run: (call: () => Promise<ApiResult<unknown>>) => Promise<boolean>;
};

export function useApiAction(): ApiAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const run = useCallback(async (call: () => Promise<ApiResult<unknown>>) => {
    setBusy(true);
    setError(undefined);
    const res = await call();
    setBusy(false);
    if (res.ok) return true;
    setError(res);
    return false;
  }, []);
  return { busy, error, run };
}
