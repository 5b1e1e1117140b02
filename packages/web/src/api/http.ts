/**
 * The one way the UI calls the API server: same origin, the session cookie the server sets at
 * login, and the server's single error shape turned into a value. Callers never see a thrown
 * HTTP error; a 401 is reported to the shell (which shows the login page) through `onUnauthenticated`.
 */

export type ApiError = { readonly status: number; readonly code: string; readonly message: string };
export type ApiResult<T> = { ok: true; value: T } | ({ ok: false } & ApiError);

let unauthenticated: (() => void) | undefined;

/** The shell registers what a 401 does (show the login page); only one listener is kept. */
export function onUnauthenticated(fn: () => void): void {
  unauthenticated = fn;
}

export type RequestOptions = {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly body?: unknown;
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly signal?: AbortSignal;
};

/** Builds `/api/v1/...?a=b` with every value encoded; undefined values are left out. */
export function apiUrl(path: string, query: RequestOptions['query'] = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function errorOf(status: number, body: unknown): ApiError {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return {
    status,
    code: typeof err?.code === 'string' ? err.code : 'HTTP_' + String(status),
    message: typeof err?.message === 'string' ? err.message : `request failed (HTTP ${status})`,
  };
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method: opts.method ?? 'GET',
      credentials: 'same-origin',
      headers: opts.body === undefined ? {} : { 'content-type': 'application/json' },
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      status: 0,
      code: 'NETWORK',
      message: `cannot reach the server: ${message}`,
    };
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (res.ok) return { ok: true, value: body as T };
  if (res.status === 401) unauthenticated?.();
  return { ok: false, ...errorOf(res.status, body) };
}
