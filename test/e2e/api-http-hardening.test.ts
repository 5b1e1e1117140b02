import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installManifests } from '@gitward/model';
import { bootstrapSettings, hashPassword, type ServerContext } from '@gitward/server';
import { inProcessServer } from './support/in-process-server.ts';
import { kubectl } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';

// The API server's HTTP-level limits, against the real process (main.ts, TLS, Node's own request
// timeouts) on the local control plane: body size, slow bodies, CSRF on cookie sessions, JSON
// only as application/json, HSTS, malformed input, signing-key rotation without a restart, the
// revocation list under concurrent logouts, and the event-stream client cap.

const password = 'hardening-admin-1';
const maxBody = 64 * 1024;
let server: ServerProcess;
let ctx: ServerContext;
let origin = '';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTPS request to the server (its certificate is self-signed, made for this run). */
function call(
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; chunked?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      `${server.url}${path}`,
      { method, headers: opts.headers ?? {}, rejectUnauthorized: false, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.chunked && opts.body !== undefined) {
      // No Content-Length: the limit must hold while the body streams in.
      const bytes = Buffer.from(opts.body);
      for (let i = 0; i < bytes.length; i += 8192) req.write(bytes.subarray(i, i + 8192));
    } else if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const json = { 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function login(): Promise<{ token: string; cookie: string }> {
  const res = await call('POST', '/api/v1/session', {
    headers: json,
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(res.status, res.text).toBe(200);
  const setCookie = [res.headers['set-cookie'] ?? []].flat()[0] ?? '';
  return {
    token: (JSON.parse(res.text) as { token: string }).token,
    cookie: setCookie.split(';')[0] ?? '',
  };
}

/** Polls until `check` passes: the server reads settings through a one-second cache. */
async function eventually(check: () => Promise<void>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The CRDs, the control namespace and the default project, as `gitward install` makes them. */
async function install(): Promise<void> {
  const items = installManifests('gitward.dev');
  const crds = items.filter((o) => o['kind'] === 'CustomResourceDefinition');
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: crds }),
  );
  for (const crd of crds) {
    const name = (crd['metadata'] as { name: string }).name;
    // Retried: right after creation the CRD may have no conditions yet, which kubectl refuses.
    await eventually(async () => {
      await kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s']);
    }, 60_000);
  }
  const rest = items.filter((o) => o['kind'] !== 'CustomResourceDefinition');
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rest }),
  );
}

beforeAll(async () => {
  await install();
  ({ ctx } = await inProcessServer());
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, { 'admin.password': await hashPassword(password) });
  server = await startServer([
    ...['--request-timeout', '2s', '--max-request-bytes', String(maxBody)],
    ...['--stream-max-clients', '2'],
  ]);
  origin = new URL(server.url).origin;
});

afterAll(async () => {
  await server?.stop();
});

describe('request size and time', () => {
  it('refuses a body over --max-request-bytes with 413, declared or streamed', async () => {
    const big = Buffer.from(JSON.stringify({ username: 'admin', password: 'x'.repeat(maxBody) }));
    const declared = await call('POST', '/api/v1/session', { headers: json, body: big });
    expect(declared.status, declared.text).toBe(413);
    expect(JSON.parse(declared.text)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const streamed = await call('POST', '/api/v1/session', {
      headers: { ...json, 'transfer-encoding': 'chunked' },
      body: big,
      chunked: true,
    });
    expect(streamed.status).toBe(413);
  });

  it('cuts a request whose body trickles in slower than --request-timeout (slowloris)', async () => {
    const { hostname, port } = new URL(server.url);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tlsConnect({ host: hostname, port: Number(port), rejectUnauthorized: false });
      let got = '';
      let drip: NodeJS.Timeout | undefined;
      socket.on('secureConnect', () => {
        socket.write(
          `POST /api/v1/session HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
        );
        drip = setInterval(() => socket.write(' '), 250);
      });
      socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(got);
      });
      socket.on('error', (err: Error) => {
        clearInterval(drip);
        if (got) resolve(got);
        else reject(err);
      });
      setTimeout(() => socket.destroy(), 15_000);
    });
    const elapsed = Date.now() - started;
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // 2 s of timeout plus at most one 0.5 s check of Node's, with room for a loaded machine.
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(8000);
  });
});

describe('browser sessions and content types', () => {
  it('a cookie-authenticated change needs our Origin (or Referer); a bearer call does not', async () => {
    const { cookie } = await login();
    const del = (headers: Record<string, string>) =>
      call('DELETE', '/api/v1/session', { headers: { cookie, ...headers } });
    const none = await del({});
    expect(none.status, none.text).toBe(403);
    expect(none.text).toMatch(/Origin/);
    expect((await del({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await del({ referer: 'https://evil.example/x' })).status).toBe(403);
    // Reads are not checked, and the cookie still works for them.
    expect((await call('GET', '/api/v1/account', { headers: { cookie } })).status).toBe(200);
    expect((await del({ origin })).status).toBe(200);
    // The logout took: the cookie's session is revoked.
    await eventually(async () => {
      expect((await call('GET', '/api/v1/account', { headers: { cookie } })).status).toBe(401);
    });
    const { token } = await login();
    expect((await call('DELETE', '/api/v1/session', { headers: bearer(token) })).status).toBe(200);
  });

  it('reads a JSON body only when it is sent as application/json (415 otherwise)', async () => {
    const body = JSON.stringify({ username: 'admin', password });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await call('POST', '/api/v1/session', {
        headers: { 'content-type': type },
        body,
      });
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    }
  });

  it('sends HSTS over HTTPS and tells only its own version', async () => {
    const res = await call('GET', '/api/version');
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(JSON.parse(res.text)).toEqual({ Version: '0.1.0' });
    expect(res.text).not.toContain(process.version);
    const missing = await call('GET', '/api/v1/nothing-here');
    expect(missing.headers['strict-transport-security']).toBe('max-age=31536000');
  });

  it('answers malformed cookies and percent-escapes with 4xx, never 500', async () => {
    const { token } = await login();
    const badCookie = await call('GET', '/api/v1/account', {
      headers: { cookie: 'gitward.token=%E0%A4%A' },
    });
    expect(badCookie.status).toBe(401);
    expect(badCookie.text).toMatch(/session cookie is malformed/);
    const canI = await call('GET', '/api/v1/account/can-i/get/applications/%E0%A4%A', {
      headers: bearer(token),
    });
    expect(canI.status, canI.text).toBe(400);
    // Elsewhere a broken escape is passed on undecoded: a name that matches nothing, not a crash.
    for (const path of [
      '/api/v1/applications/%E0%A4%A',
      '/api/v1/applications?project=%ZZ',
      '/api/v1/account/%',
      '/api/v1/applications/%/manifests?revision=%C0',
    ]) {
      const res = await call('GET', path, { headers: bearer(token) });
      expect(res.status, `${path}: ${res.text}`).toBeLessThan(500);
    }
  });
});

describe('signing key rotation', () => {
  it('a rotated key retires old tokens with a clear 401, without a restart', async () => {
    const before = await login();
    expect((await call('GET', '/api/v1/account', { headers: bearer(before.token) })).status).toBe(
      200,
    );
    await ctx.store.writeSecret(ctx.names.secret, {
      'server.secretkey': `rotated-${Date.now()}-${'r'.repeat(32)}`,
    });
    await eventually(async () => {
      const old = await call('GET', '/api/v1/account', { headers: bearer(before.token) });
      expect(old.status).toBe(401);
      expect(old.text).toMatch(/retired signing key/);
    });
    const after = await login();
    expect((await call('GET', '/api/v1/account', { headers: bearer(after.token) })).status).toBe(
      200,
    );
  });

  it('a deleted key is made anew by a login, once the settings cache has seen it gone', async () => {
    await ctx.store.writeSecret(ctx.names.secret, { 'server.secretkey': null });
    await eventually(async () => {
      const { token } = await login();
      const key = (await ctx.store.secret(ctx.names.secret))?.['server.secretkey'] ?? '';
      expect(key.length).toBeGreaterThanOrEqual(32);
      expect((await call('GET', '/api/v1/account', { headers: bearer(token) })).status).toBe(200);
    });
  });
});

describe('logout', () => {
  it('concurrent logouts are all kept in the revocation list', async () => {
    const sessions: string[] = [];
    for (let i = 0; i < 5; i++) sessions.push((await login()).token);
    const outs = await Promise.all(
      sessions.map((t) => call('DELETE', '/api/v1/session', { headers: bearer(t) })),
    );
    expect(outs.map((o) => o.status)).toEqual([200, 200, 200, 200, 200]);
    const stored = JSON.parse(
      (await ctx.store.secret(ctx.names.secret))?.['server.revokedTokens'] ?? '{}',
    ) as Record<string, number>;
    for (const t of sessions) expect(stored).toHaveProperty([decodeJwt(t).jti ?? '']);
    await eventually(async () => {
      for (const t of sessions) {
        const res = await call('GET', '/api/v1/account', { headers: bearer(t) });
        expect(res.status).toBe(401);
        expect(res.text).toMatch(/revoked/);
      }
    });
  });
});

describe('event stream', () => {
  it('caps clients per replica (503 beyond --stream-max-clients) and frees a slot on leave', async () => {
    const { token } = await login();
    const open = () =>
      new Promise<{ status: number; close: () => void }>((resolve, reject) => {
        const req = httpsRequest(
          `${server.url}/api/v1/stream/applications`,
          { headers: bearer(token), rejectUnauthorized: false, agent: false },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, close: () => req.destroy() });
          },
        );
        req.on('error', reject);
        req.end();
      });
    const a = await open();
    const b = await open();
    expect([a.status, b.status]).toEqual([200, 200]);
    const c = await open();
    expect(c.status).toBe(503);
    c.close();
    a.close();
    await eventually(async () => {
      const d = await open();
      d.close();
      expect(d.status).toBe(200);
    });
    b.close();
  });
});
