import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, type AppProject, type Application } from '@gitward/model';
import { createApiClient, type ApiClient } from './client.ts';
import { ApiError, notLoggedInMessage } from './errors.ts';
import { createNodeFetch, type FetchLike } from './node-fetch.ts';
import type { ApplicationWatchEvent } from './types.ts';

const token = 'sekret-token-0123456789';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  accept: string | undefined;
  body: unknown;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

let handler: Handler = (_req, res) => {
  res.end();
};
let seen: Seen[] = [];

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text === '' ? undefined : JSON.parse(text);
}

function listener(req: IncomingMessage, res: ServerResponse): void {
  void (async () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      accept: req.headers.accept,
      body: await readBody(req),
    });
    await handler(req, res);
  })();
}

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return String((s.address() as AddressInfo).port);
}

function close(s: Server): Promise<void> {
  s.closeAllConnections();
  return new Promise((resolve) => s.close(() => resolve()));
}

const server = createServer(listener);
let base = '';
beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server)}`;
});
afterAll(() => close(server));
beforeEach(() => {
  seen = [];
  handler = (_req, res) => {
    res.end();
  };
});

function reply(status: number, body: unknown, type = 'application/json'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': type });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

const app: Application = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web', namespace: 'gitward' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    source: { repoURL: 'https://git.example.com/web.git', path: 'deploy', targetRevision: 'main' },
  },
};
const project: AppProject = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'team' },
  spec: { sourceRepos: ['*'] },
};

const transports: [string, FetchLike | undefined][] = [
  ['global fetch', undefined],
  ['node:http', createNodeFetch({ rejectUnauthorized: true })],
];

describe.each(transports)('over %s', (_name, fetchImpl) => {
  const client = (): ApiClient =>
    createApiClient({ server: base, token, ...(fetchImpl ? { fetch: fetchImpl } : {}) });

  describe('routes', () => {
    // One answer fits every helper: lists read `items`, can-i `value`, create-token `token`.
    beforeEach(() => {
      handler = reply(200, { items: null, value: 'yes', token: 't' });
    });

    it.each<[string, (c: ApiClient) => Promise<unknown>, string, string, unknown]>([
      [
        'login',
        (c) => c.session.create({ username: 'admin', password: 'pw' }),
        'POST',
        '/api/v1/session',
        { username: 'admin', password: 'pw' },
      ],
      ['logout', (c) => c.session.delete(), 'DELETE', '/api/v1/session', undefined],
      ['userinfo', (c) => c.session.userInfo(), 'GET', '/api/v1/session/userinfo', undefined],
      [
        'app list',
        (c) => c.applications.list({ projects: ['a', 'b'], selector: 'team=web' }),
        'GET',
        '/api/v1/applications?projects=a&projects=b&selector=team%3Dweb',
        undefined,
      ],
      [
        'app get',
        (c) => c.applications.get('web', { refresh: 'hard' }),
        'GET',
        '/api/v1/applications/web?refresh=hard',
        undefined,
      ],
      [
        'app create',
        (c) => c.applications.create(app, { upsert: true }),
        'POST',
        '/api/v1/applications?upsert=true',
        app,
      ],
      ['app update', (c) => c.applications.update(app), 'PUT', '/api/v1/applications/web', app],
      [
        'app set',
        (c) => c.applications.updateSpec('web', app.spec),
        'PUT',
        '/api/v1/applications/web/spec',
        app.spec,
      ],
      [
        'app delete',
        (c) => c.applications.delete('web', { cascade: false, propagationPolicy: 'background' }),
        'DELETE',
        '/api/v1/applications/web?cascade=false&propagationPolicy=background',
        undefined,
      ],
      [
        'app sync',
        (c) =>
          c.applications.sync('web', {
            prune: true,
            revision: 'main',
            syncOptions: { items: ['Replace=true'] },
          }),
        'POST',
        '/api/v1/applications/web/sync',
        { name: 'web', prune: true, revision: 'main', syncOptions: { items: ['Replace=true'] } },
      ],
      [
        'app rollback',
        (c) => c.applications.rollback('web', { id: 3, prune: true }),
        'POST',
        '/api/v1/applications/web/rollback',
        { name: 'web', id: 3, prune: true },
      ],
      [
        'app terminate-op',
        (c) => c.applications.terminateOperation('web'),
        'DELETE',
        '/api/v1/applications/web/operation',
        undefined,
      ],
      [
        'resource tree',
        (c) => c.applications.resourceTree('web'),
        'GET',
        '/api/v1/applications/web/resource-tree',
        undefined,
      ],
      [
        'managed resources',
        (c) => c.applications.managedResources('web', { kind: 'Deployment' }),
        'GET',
        '/api/v1/applications/web/managed-resources?kind=Deployment',
        undefined,
      ],
      [
        'manifests',
        (c) => c.applications.manifests('web', { revision: 'abc' }),
        'GET',
        '/api/v1/applications/web/manifests?revision=abc',
        undefined,
      ],
      [
        'events',
        (c) => c.applications.events('web', { resourceName: 'pod-1' }),
        'GET',
        '/api/v1/applications/web/events?resourceName=pod-1',
        undefined,
      ],
      ['proj list', (c) => c.projects.list(), 'GET', '/api/v1/projects', undefined],
      ['proj get', (c) => c.projects.get('team'), 'GET', '/api/v1/projects/team', undefined],
      [
        'proj create',
        (c) => c.projects.create(project, { upsert: true }),
        'POST',
        '/api/v1/projects',
        { project, upsert: true },
      ],
      [
        'proj update',
        (c) => c.projects.update(project),
        'PUT',
        '/api/v1/projects/team',
        { project },
      ],
      [
        'proj delete',
        (c) => c.projects.delete('team'),
        'DELETE',
        '/api/v1/projects/team',
        undefined,
      ],
      ['repo list', (c) => c.repositories.list(), 'GET', '/api/v1/repositories', undefined],
      [
        'repo get',
        (c) => c.repositories.get('https://git.example.com/a b.git'),
        'GET',
        '/api/v1/repositories/https%3A%2F%2Fgit.example.com%2Fa%20b.git',
        undefined,
      ],
      [
        'repo add',
        (c) => c.repositories.create({ repo: 'https://g/x.git', type: 'git' }, { upsert: true }),
        'POST',
        '/api/v1/repositories?upsert=true',
        { repo: 'https://g/x.git', type: 'git' },
      ],
      [
        'repo rm',
        (c) => c.repositories.delete('https://g/x.git'),
        'DELETE',
        '/api/v1/repositories/https%3A%2F%2Fg%2Fx.git',
        undefined,
      ],
      ['cluster list', (c) => c.clusters.list(), 'GET', '/api/v1/clusters', undefined],
      [
        'cluster get',
        (c) => c.clusters.get('https://prod.example:6443'),
        'GET',
        '/api/v1/clusters/https%3A%2F%2Fprod.example%3A6443',
        undefined,
      ],
      [
        'cluster get by name',
        (c) => c.clusters.get('prod'),
        'GET',
        '/api/v1/clusters/prod',
        undefined,
      ],
      [
        'cluster add',
        (c) =>
          c.clusters.create(
            { server: 'https://p', name: 'p', config: { bearerToken: 't' }, namespaces: ['a'] },
            { upsert: true },
          ),
        'POST',
        '/api/v1/clusters?upsert=true',
        { server: 'https://p', name: 'p', config: { bearerToken: 't' }, namespaces: ['a'] },
      ],
      [
        'cluster rm',
        (c) => c.clusters.delete('https://p/k8s/c-1'),
        'DELETE',
        '/api/v1/clusters/https%3A%2F%2Fp%2Fk8s%2Fc-1',
        undefined,
      ],
      ['account list', (c) => c.account.list(), 'GET', '/api/v1/account', undefined],
      [
        'can-i',
        (c) => c.account.canI('sync', 'applications', 'default/web'),
        'GET',
        '/api/v1/account/can-i/applications/sync/default%2Fweb',
        undefined,
      ],
      [
        'update-password',
        (c) => c.account.updatePassword({ currentPassword: 'a', newPassword: 'b' }),
        'PUT',
        '/api/v1/account/password',
        { currentPassword: 'a', newPassword: 'b' },
      ],
      [
        'generate-token',
        (c) => c.account.createToken('ci', { expiresIn: 3600 }),
        'POST',
        '/api/v1/account/ci/token',
        { name: 'ci', expiresIn: 3600 },
      ],
      [
        'delete-token',
        (c) => c.account.deleteToken('ci', 'build/1'),
        'DELETE',
        '/api/v1/account/ci/token/build%2F1',
        undefined,
      ],
      ['version', (c) => c.version(), 'GET', '/api/version', undefined],
    ])('%s', async (_name, call, method, url, body) => {
      await call(client());
      expect(seen).toEqual([
        { method, url, authorization: `Bearer ${token}`, accept: 'application/json', body },
      ]);
    });

    it.each<[string, (c: ApiClient) => Promise<unknown>, unknown]>([
      ['lists without items are empty', (c) => c.applications.list(), []],
      ['can-i yes is true', (c) => c.account.canI('get', 'projects', '*'), true],
      ['the new token is returned', (c) => c.account.createToken('ci'), 't'],
    ])('%s', async (_name, call, want) => {
      expect(await call(client())).toEqual(want);
    });

    it('sends no Authorization header without a token', async () => {
      await createApiClient({ server: base, ...(fetchImpl ? { fetch: fetchImpl } : {}) }).version();
      expect(seen[0]?.authorization).toBeUndefined();
    });
  });

  describe('errors', () => {
    it.each<[string, Handler, Partial<ApiError>]>([
      [
        'gitward error body',
        reply(404, { error: { code: 'NOT_FOUND', message: 'application "web" not found' } }),
        {
          status: 404,
          code: ErrorCode.NotFound,
          serverCode: 'NOT_FOUND',
          message: 'application "web" not found',
        },
      ],
      [
        'multi-line message on one line, token redacted',
        reply(400, {
          error: { code: 'INVALID_SPEC', message: `bad spec:\n  token ${token}\n\tis wrong` },
        }),
        { status: 400, code: ErrorCode.InvalidSpec, message: 'bad spec: token *** is wrong' },
      ],
      [
        'unknown server code keeps it, picks the code by status',
        reply(403, {
          error: {
            code: 'PERMISSION_DENIED',
            message: 'permission denied: applications, sync, default/web',
          },
        }),
        {
          status: 403,
          code: ErrorCode.Internal,
          serverCode: 'PERMISSION_DENIED',
          message: 'permission denied: applications, sync, default/web',
        },
      ],
      [
        'grpc-gateway body (Argo CD)',
        reply(409, {
          code: 6,
          message: 'existing application spec is different, use upsert flag to force update',
          error: 'x',
        }),
        {
          status: 409,
          code: ErrorCode.InvalidArgument,
          message: 'existing application spec is different, use upsert flag to force update',
        },
      ],
      [
        '401 means log in again',
        reply(401, { error: { code: 'UNAUTHENTICATED', message: 'token is expired' } }),
        { status: 401, message: notLoggedInMessage },
      ],
      [
        'a proxy error page',
        reply(502, '<html><body>Bad Gateway</body></html>', 'text/html'),
        {
          status: 502,
          code: ErrorCode.Internal,
          message: 'GET /api/version: HTTP 502 Bad Gateway',
        },
      ],
    ])('%s', async (_name, h, want) => {
      handler = h;
      const err = await failure(client().version());
      expect(err).toMatchObject(want);
      expect(err.message).not.toContain(token);
      expect(err.message).not.toContain('\n');
    });

    it('a 401 on login is the server word on the credentials', async () => {
      handler = reply(401, {
        error: { code: 'UNAUTHENTICATED', message: 'invalid username or password' },
      });
      const err = await failure(client().session.create({ username: 'a', password: 'b' }));
      expect(err.message).toBe('invalid username or password');
    });

    it('an answer that is not JSON asks whether this is a gitward server', async () => {
      handler = reply(200, '<html>hello</html>', 'text/html; charset=utf-8');
      const err = await failure(client().version());
      expect(err.message).toBe(
        `${base} sent a text/html; charset=utf-8 answer to GET /api/version where JSON was expected: is it a gitward server?`,
      );
    });

    it('connection refused', async () => {
      const gone = createServer();
      const port = await listen(gone);
      await close(gone);
      const c = createApiClient({
        server: `http://127.0.0.1:${port}`,
        token,
        ...(fetchImpl ? { fetch: fetchImpl } : {}),
      });
      const err = await failure(c.version());
      expect(err).toMatchObject({
        status: 0,
        message: `cannot reach gitward server at http://127.0.0.1:${port}: connection refused`,
      });
    });
  });

  describe('streamApplications', () => {
    const event = (type: string, name: string, note = ''): string =>
      `data: ${JSON.stringify({ result: { type, application: { ...app, metadata: { name, annotations: { note } } } } })}\n\n`;

    async function collect(
      h: Handler,
      opts: { abortAfter?: number; query?: { name?: string } } = {},
    ): Promise<{ end: string; events: string[] }> {
      handler = h;
      const events: string[] = [];
      const ctl = new AbortController();
      const onEvent = (e: ApplicationWatchEvent): void => {
        const note = e.application.metadata.annotations?.['note'] ?? '';
        events.push(`${e.type} ${e.application.metadata.name}${note ? ` ${note}` : ''}`);
        if (events.length === opts.abortAfter) ctl.abort();
      };
      const end = await client().streamApplications(opts.query ?? {}, onEvent, ctl.signal);
      return { end, events };
    }

    function sse(res: ServerResponse): void {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    }

    it('reads events split anywhere, mid-line and mid-character', async () => {
      const text = [
        ': hello\n\n',
        event('ADDED', 'web', 'café'),
        event('MODIFIED', 'web').replaceAll('\n', '\r\n'),
        event('DELETED', 'web'),
      ].join('');
      const bytes = Buffer.from(text);
      const cafe = bytes.indexOf(Buffer.from('é')) + 1; // between the two bytes of é
      const cuts = [3, 40, cafe, cafe + 30, bytes.length - 1];
      const { end, events } = await collect(
        async (_req, res) => {
          sse(res);
          let from = 0;
          for (const cut of cuts) {
            res.write(bytes.subarray(from, cut));
            from = cut;
            await sleep(5);
          }
          res.end(bytes.subarray(from));
        },
        { query: { name: 'web' } },
      );
      expect({ end, events }).toEqual({
        end: 'closed',
        events: ['ADDED web café', 'MODIFIED web', 'DELETED web'],
      });
      expect(seen[0]).toMatchObject({
        url: '/api/v1/stream/applications?name=web',
        accept: 'text/event-stream',
        authorization: `Bearer ${token}`,
      });
    });

    it('stops when the caller aborts', async () => {
      const { end, events } = await collect(
        (_req, res) => {
          sse(res);
          res.write(event('ADDED', 'a'));
          res.write(event('ADDED', 'b'));
        },
        { abortAfter: 1 },
      );
      expect({ end, events }).toEqual({ end: 'aborted', events: ['ADDED a'] });
    });

    it('turns an error event into an ApiError', async () => {
      const body = JSON.stringify({
        error: { code: 'NOT_FOUND', message: 'application "x" not found' },
      });
      const err = await failure(
        collect((_req, res) => {
          sse(res);
          res.end(`data: ${body}\n\n`);
        }),
      );
      expect(err).toMatchObject({ code: ErrorCode.NotFound, message: 'application "x" not found' });
    });

    it.each([
      ['not JSON', 'data: {nope\n\n', 'a stream event that is not JSON'],
      [
        'no result',
        'data: {"result":{"type":"ADDED"}}\n\n',
        'a stream event without result.type and result.application',
      ],
    ])('rejects an event that is %s', async (_name, text, what) => {
      const err = await failure(
        collect((_req, res) => {
          sse(res);
          res.end(text);
        }),
      );
      expect(err.message).toBe(`${base} sent ${what}: is it a gitward server?`);
    });

    it('maps a 401 before the stream starts', async () => {
      const err = await failure(collect(reply(401, {})));
      expect(err.message).toBe(notLoggedInMessage);
    });

    it('passes on what onEvent throws', async () => {
      handler = (_req, res) => {
        sse(res);
        res.write(event('ADDED', 'a'));
      };
      const boom = new TypeError('boom');
      const err = await client()
        .streamApplications({}, () => {
          throw boom;
        })
        .catch((e: unknown) => e);
      expect(err).toBe(boom);
    });
  });
});

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gitward-tls-'));
  let tls = '';
  const tlsServer = createTlsServer(listener);

  beforeAll(async () => {
    // A fresh self-signed certificate: what a lab install of gitward serves before a real one.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'tls.key'),
        '-out',
        join(dir, 'tls.crt'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    tlsServer.setSecureContext({
      key: readFileSync(join(dir, 'tls.key')),
      cert: readFileSync(join(dir, 'tls.crt')),
    });
    tls = `https://127.0.0.1:${await listen(tlsServer)}`;
  });
  afterAll(async () => {
    await close(tlsServer);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a self-signed certificate and says how to accept it', async () => {
    const err = await failure(createApiClient({ server: tls, token }).version());
    expect(err.message).toBe(
      `cannot reach gitward server at ${tls}: TLS certificate not trusted (self-signed certificate); pass --insecure to accept a self-signed certificate`,
    );
  });

  it('accepts it with insecure, for requests and streams', async () => {
    const c = createApiClient({ server: tls, token, insecure: true });
    handler = reply(200, { Version: 'v0.1.0' });
    expect(await c.version()).toEqual({ Version: 'v0.1.0' });
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify({ result: { type: 'ADDED', application: app } })}\n\n`);
    };
    const names: string[] = [];
    expect(await c.streamApplications({}, (e) => names.push(e.application.metadata.name))).toBe(
      'closed',
    );
    expect(names).toEqual(['web']);
    expect(seen.map((s) => s.authorization)).toEqual([`Bearer ${token}`, `Bearer ${token}`]);
  });

  it('says when TLS meets a plaintext server', async () => {
    const c = createApiClient({ server: base.replace('http:', 'https:'), token });
    const err = await failure(c.version());
    expect(err.message).toMatch(
      /: TLS handshake failed: the server may not speak TLS \(try --plaintext\)$/,
    );
  });
});
