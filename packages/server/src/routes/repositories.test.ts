import { describe, expect, it } from 'vitest';
import type { ServerContext } from '../context.ts';
import { ApiError } from '../http/api-error.ts';
import { createRbac } from '../rbac/enforcer.ts';
import { repositoryRoutes } from './repositories.ts';
import type { RouteRequest } from './route.ts';

// The repository routes over an in-memory Secret store and the real RBAC enforcer. The route
// table's own check (on the body's project) is assumed passed: what is tested is what the
// handlers add on top of it.

const policy = {
  'policy.csv': [
    'p, role:team-a, repositories, *, team-a/*, allow',
    'g, alice, role:team-a',
    'p, role:reader, repositories, get, *, allow',
    'g, reader, role:reader',
  ].join('\n'),
};
const rbac = createRbac({ policyCsv: policy, projects: [] });

type Stored = { name: string; data: Record<string, string> };

function request(opts: {
  user: string;
  stored: Stored[];
  body?: unknown;
  query?: Record<string, string>;
  params?: Record<string, string>;
  checkRepo?: ServerContext['checkRepo'];
  repoTrust?: ServerContext['repoTrust'];
}) {
  const writes: Stored[] = [];
  const ctx = {
    ...(opts.checkRepo ? { checkRepo: opts.checkRepo } : {}),
    ...(opts.repoTrust ? { repoTrust: opts.repoTrust } : {}),
    settings: { get: () => Promise.resolve({}) },
    rbac: () => Promise.resolve(rbac),
    store: {
      group: 'gitward.dev',
      secretsOfType: () => Promise.resolve(opts.stored),
      writeSecret: (name: string, data: Record<string, string>) => {
        writes.push({ name, data });
        return Promise.resolve();
      },
    },
  } as unknown as ServerContext;
  const r = {
    params: opts.params ?? {},
    ctx,
    principal: { subject: { kind: 'user', name: opts.user, groups: [] }, name: opts.user },
    query: (n: string) => opts.query?.[n],
    json: () => Promise.resolve(opts.body ?? {}),
  } as unknown as RouteRequest;
  return { r, writes };
}

const route = (method: string, path: string) => {
  const found = repositoryRoutes.find((r) => r.method === method && r.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
};
const create = route('POST', '/api/v1/repositories');

const teamB: Stored = {
  name: 'repo-b',
  data: {
    url: 'https://git.example/b.git',
    project: 'team-b',
    username: 'b',
    password: 'b-token',
  },
};

describe('POST /api/v1/repositories?upsert=true', () => {
  it("refuses to take over another project's repository by naming one's own project", async () => {
    const { r, writes } = request({
      user: 'alice',
      stored: [teamB],
      query: { upsert: 'true' },
      body: { repo: teamB.data['url'], project: 'team-a', password: 'mine' },
    });
    const err: unknown = await create.handle(r).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
    expect(writes).toEqual([]);
  });

  it("replaces a repository of the caller's own project", async () => {
    const own = { name: 'repo-a', data: { url: 'https://git.example/a.git', project: 'team-a' } };
    const { r, writes } = request({
      user: 'alice',
      stored: [own],
      query: { upsert: 'true' },
      body: { repo: own.data.url, project: 'team-a', username: 'a', password: 'new' },
    });
    await create.handle(r);
    expect(writes.map((w) => w.name)).toEqual(['repo-a']);
  });

  it('creates a new repository on the route check alone', async () => {
    const { r, writes } = request({
      user: 'alice',
      stored: [teamB],
      query: { upsert: 'true' },
      body: { repo: 'https://git.example/new.git', project: 'team-a' },
    });
    await create.handle(r);
    expect(writes).toHaveLength(1);
  });

  it.each([
    ['an OCI Helm registry (enableOCI)', { type: 'helm', enableOCI: true }, true],
    ['an oci:// Helm registry', { type: 'helm', repo: 'oci://r.example/c' }, true],
    ['a classic Helm repository', { type: 'helm', repo: 'https://charts.example' }, false],
  ])('tests the login of %s before saving it: %s', async (_what, fields, tested) => {
    const seen: unknown[] = [];
    const { r, writes } = request({
      user: 'alice',
      stored: [],
      body: { repo: 'r.example/c', project: 'team-a', username: 'u', password: 'p', ...fields },
      checkRepo: (url, creds) => {
        seen.push({ url, creds });
        return Promise.resolve({ ok: false, message: 'authentication failed (HTTP 401)' });
      },
    });
    if (tested) {
      await expect(create.handle(r)).rejects.toThrow(/repository not accessible: authentication/);
      expect(writes).toEqual([]);
      expect(seen).toHaveLength(1);
    } else {
      await create.handle(r);
      expect(seen).toEqual([]);
    }
  });

  it("tests a git repository with the host's CAs from the TLS certs ConfigMap", async () => {
    const seen: unknown[] = [];
    const ca = '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n';
    const { r } = request({
      user: 'alice',
      stored: [],
      body: { repo: 'https://git.example.com:8443/r.git', project: 'team-a', username: 'u' },
      repoTrust: () => Promise.resolve({ tlsCerts: { 'git.example.com': ca } }),
      checkRepo: (url, creds) => {
        seen.push(creds);
        return Promise.resolve({ ok: true });
      },
    });
    await create.handle(r);
    expect(seen).toEqual([{ username: 'u', caCerts: ca }]);
  });

  it("writes an OCI Helm registry's settings as Argo CD does, and answers with them", async () => {
    const { r, writes } = request({
      user: 'alice',
      stored: [],
      body: {
        repo: 'r.example/charts',
        project: 'team-a',
        type: 'helm',
        enableOCI: true,
        insecureOCIForceHttp: true,
      },
    });
    expect(await create.handle(r)).toMatchObject({ enableOCI: true, insecureOCIForceHttp: true });
    expect(writes[0]?.data).toMatchObject({
      type: 'helm',
      enableOCI: 'true',
      insecureOCIForceHttp: 'true',
    });
  });
});

describe('repository answers never carry credentials embedded in URLs', () => {
  const inUrl: Stored = {
    name: 'repo-u',
    data: { url: 'https://bob:hunter2@git.example/u.git', project: 'team-a' },
  };

  it('GET /api/v1/repositories', async () => {
    const { r } = request({ user: 'reader', stored: [inUrl, teamB] });
    const out = (await route('GET', '/api/v1/repositories').handle(r)) as {
      items: { repo: string }[];
    };
    expect(out.items.map((i) => i.repo)).toEqual([
      'https://git.example/u.git',
      'https://git.example/b.git',
    ]);
    expect(JSON.stringify(out)).not.toMatch(/hunter2|b-token/);
  });

  it('GET /api/v1/repositories/:repo', async () => {
    const { r } = request({
      user: 'reader',
      stored: [inUrl],
      params: { repo: inUrl.data['url'] ?? '' },
    });
    const out = await route('GET', '/api/v1/repositories/:repo').handle(r);
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('POST /api/v1/repositories answers without them', async () => {
    const { r } = request({
      user: 'alice',
      stored: [],
      body: { repo: 'https://carol:s3cret@git.example/c.git', project: 'team-a' },
    });
    const out = await create.handle(r);
    expect(out).toMatchObject({ repo: 'https://git.example/c.git' });
    expect(JSON.stringify(out)).not.toContain('s3cret');
  });
});
