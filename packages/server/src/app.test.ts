import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApi } from './app.ts';
import { issueSession, parseAccounts, SERVER_SECRET_KEY } from './auth/index.ts';
import type { ServerContext } from './context.ts';
import type { RouteDef } from './routes/route.ts';
import type { Settings } from './settings.ts';

// The HTTP layer of createApi on its own: a handful of routes, settings held in memory. What is
// checked here is what every route gets before its handler runs.

const key = 'k'.repeat(32);
const now = new Date('2026-01-01T00:00:00Z');

function settingsWith(cm: Record<string, string> = {}): Settings {
  const secret = { [SERVER_SECRET_KEY]: key, 'admin.password': '$2b$10$x' };
  return {
    cm,
    rbacCm: {},
    secret,
    accounts: parseAccounts(cm, secret),
    projects: [],
    revoked: new Map(),
  };
}

function apiWith(opts: { cm?: Record<string, string>; maxBodyBytes?: number } = {}) {
  const settings = settingsWith(opts.cm);
  const ctx = {
    settings: { get: () => Promise.resolve(settings), invalidate: () => undefined },
    rbac: () => Promise.resolve({ enforce: () => true }),
    logger: { error: () => undefined, info: () => undefined, warn: () => undefined },
    now: () => now,
  } as unknown as ServerContext;
  const routes: RouteDef[] = [
    {
      method: 'POST',
      path: '/api/v1/things',
      summary: 'echo',
      access: { kind: 'authenticated' },
      handle: async (r) => ({ got: await r.json() }),
    },
    {
      method: 'GET',
      path: '/api/v1/things/:name',
      summary: 'param and query',
      access: { kind: 'public' },
      handle: (r) => Promise.resolve({ name: r.params['name'], q: r.query('q') ?? null }),
    },
  ];
  return createApi(
    ctx,
    routes,
    undefined,
    undefined,
    opts.maxBodyBytes ? { maxBodyBytes: opts.maxBodyBytes } : {},
  );
}

async function session(): Promise<string> {
  const admin = parseAccounts({}, settingsWith().secret).find((a) => a.name === 'admin');
  if (!admin) throw new Error('no admin account');
  const out = await issueSession(admin, { key, now, durationMs: 3_600_000 });
  if (!out.ok) throw new Error(out.message);
  return out.token;
}

const base = 'https://gitward.example:8080';
const json = { 'content-type': 'application/json' };

describe('createApi: request bodies', () => {
  it('refuses a body over the configured limit with 413', async () => {
    const api = apiWith({ maxBodyBytes: 1024 });
    const res = await api.request(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${await session()}` },
      body: JSON.stringify({ pad: 'x'.repeat(2048) }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it.each([
    ['text/plain', 415],
    ['application/x-www-form-urlencoded', 415],
    ['multipart/form-data; boundary=x', 415],
    ['application/json', 200],
    ['Application/JSON; charset=utf-8', 200],
  ])('a JSON body sent as %s answers %i', async (type, status) => {
    const res = await apiWith().request(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${await session()}` },
      body: '{"a":1}',
    });
    expect(res.status, await res.clone().text()).toBe(status);
    if (status === 415)
      expect(await res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('an empty body needs no content type', async () => {
    const res = await apiWith().request(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await session()}` },
    });
    expect(res.status).toBe(200);
  });
});

describe('createApi: CSRF on cookie sessions', () => {
  const post = async (headers: Record<string, string>, cm?: Record<string, string>) =>
    apiWith(cm ? { cm } : {}).request(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { ...json, ...headers },
      body: '{}',
    });
  const cookie = async () => `gitward.token=${await session()}`;

  it.each([
    ['no Origin nor Referer', {}, 403],
    ['a foreign Origin', { origin: 'https://evil.example' }, 403],
    ['the same host over another scheme', { origin: 'http://gitward.example:8080' }, 403],
    ['an opaque Origin', { origin: 'null' }, 403],
    ['our Origin', { origin: base }, 200],
    ['our Referer without Origin', { referer: `${base}/applications/x` }, 200],
    ['a foreign Referer', { referer: 'https://evil.example/gitward.example:8080' }, 403],
  ])('cookie with %s answers %i', async (_name, headers, status) => {
    const res = await post({ cookie: await cookie(), ...headers });
    expect(res.status, await res.clone().text()).toBe(status);
  });

  it('accepts the origin of the configured external url (a proxy in front)', async () => {
    const res = await post(
      { cookie: await cookie(), origin: 'https://cd.example.com' },
      { url: 'https://cd.example.com/' },
    );
    expect(res.status).toBe(200);
  });

  it('a bearer token needs no Origin: the CLI and scripts send none', async () => {
    const res = await post({ authorization: `Bearer ${await session()}`, cookie: 'x=1' });
    expect(res.status).toBe(200);
  });

  it('reads are not checked', async () => {
    const res = await apiWith().request(`${base}/api/v1/things/a`, {
      headers: { cookie: await cookie(), origin: 'https://evil.example' },
    });
    expect(res.status).toBe(200);
  });
});

describe('createApi: headers', () => {
  it('sends HSTS on every HTTPS answer, errors included, and never over plain HTTP', async () => {
    const api = apiWith();
    for (const path of ['/api/v1/things/a', '/no/such/route']) {
      const res = await api.request(`${base}${path}`);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const plain = await api.request('http://127.0.0.1/api/v1/things/a');
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('createApi: malformed input answers 4xx, never 500', () => {
  it('a session cookie with a broken percent-escape is a 401', async () => {
    const res = await apiWith().request(`${base}/api/v1/things`, {
      method: 'POST',
      headers: { ...json, cookie: 'gitward.token=%E0%A4%A', origin: base },
      body: '{}',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { message: /session cookie is malformed/ } });
  });

  it('broken escapes in the path and the query are passed on undecoded', async () => {
    const res = await apiWith().request(`${base}/api/v1/things/%E0%A4%A?q=%ZZ`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: '%E0%A4%A', q: '%ZZ' });
  });

  it('any cookie header, path and query: no 5xx', async () => {
    const api = apiWith();
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const pct = fc.stringMatching(/^(%[0-9A-Fa-fZz]{0,2}|[a-z.%/]){0,12}$/);
    await fc.assert(
      fc.asyncProperty(text, pct, pct, async (cookie, path, query) => {
        const headers = new Headers();
        try {
          headers.set('cookie', cookie);
        } catch {
          return; // not a header value any client could send
        }
        const res = await api.request(`${base}/api/v1/things/x${path}?q=${query}`, { headers });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300 },
    );
  });
});
