import { describe, expect, it } from 'vitest';
import type { ServerContext } from '../context.ts';
import type { ApiError } from '../http/api-error.ts';
import { createRbac } from '../rbac/enforcer.ts';
import { credsSecretData, parseCredsBody, publicRepoCreds, repoCredsRoutes } from './repo-creds.ts';
import type { RouteRequest } from './route.ts';

// The credential-template routes over an in-memory Secret store and the real RBAC enforcer; the
// route table's own check (on the body's project) is assumed passed, as in repositories.test.ts.

const rbac = createRbac({
  policyCsv: {
    'policy.csv': [
      'p, role:team-a, repositories, *, team-a/*, allow',
      'g, alice, role:team-a',
      'p, role:reader, repositories, get, *, allow',
      'g, reader, role:reader',
    ].join('\n'),
  },
  projects: [],
});

type Stored = { name: string; data: Record<string, string> };

function request(opts: {
  user: string;
  stored: Stored[];
  body?: unknown;
  query?: Record<string, string>;
  params?: Record<string, string>;
}) {
  const writes: { name: string; data: Record<string, string | null>; labels: unknown }[] = [];
  const deleted: string[] = [];
  const ctx = {
    settings: { get: () => Promise.resolve({}) },
    rbac: () => Promise.resolve(rbac),
    store: {
      group: 'argoproj.io',
      secretsOfType: (t: string) => Promise.resolve(t === 'repo-creds' ? opts.stored : []),
      writeSecret: (name: string, data: Record<string, string | null>, labels: unknown) => {
        writes.push({ name, data, labels });
        return Promise.resolve();
      },
      deleteSecret: (name: string) => {
        deleted.push(name);
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
  return { r, writes, deleted };
}

const route = (method: string, path: string) => {
  const found = repoCredsRoutes.find((x) => x.method === method && x.path === path);
  if (!found) throw new Error(`no route ${method} ${path}`);
  return found;
};
const create = route('POST', '/api/v1/repocreds');
const list = route('GET', '/api/v1/repocreds');
const remove = route('DELETE', '/api/v1/repocreds/:url');

const teamB: Stored = {
  name: 'creds-b',
  data: { url: 'https://git.example/b', project: 'team-b', username: 'b', password: 'b-token' },
};
const global: Stored = {
  name: 'creds-g',
  data: { url: 'https://git.example', sshPrivateKey: 'KEY', insecure: 'true' },
};

describe('repo-creds bodies and answers', () => {
  it.each([
    ['a template with basic auth', { url: 'u', username: 'x', password: 'p' }, 'git'],
    ['a helm template', { url: 'u', type: 'helm', bearerToken: 't' }, 'helm'],
  ])('%s becomes Secret data without empty keys', (_, body, type) => {
    const data = credsSecretData({ ...parseCredsBody(body), url: 'u' });
    expect(data).toEqual({ ...body, type });
  });

  it("writes an OCI registry's settings as Argo CD does, and shows them", () => {
    const body = { url: 'r.example', type: 'helm', enableOCI: true, insecureOCIForceHttp: true };
    const data = credsSecretData(parseCredsBody(body));
    expect(data).toEqual({ ...body, enableOCI: 'true', insecureOCIForceHttp: 'true' });
    expect(publicRepoCreds(data)).toMatchObject({ enableOCI: true, insecureOCIForceHttp: true });
  });

  it.each([
    [{ url: 7 }, /url: Invalid input: expected string, received number/],
    [{ url: 'u', insecure: 'yes' }, /insecure: Invalid input: expected boolean/],
    [{ url: 'u', type: 'svn' }, /type: must be git, helm or oci/],
  ])('refuses %j', (body, why) => {
    expect(() => parseCredsBody(body)).toThrow(why);
  });

  it('never reads a body property from the prototype', () => {
    const body = JSON.parse('{"url":"u","__proto__":{"password":"planted"}}') as unknown;
    expect(credsSecretData({ ...parseCredsBody(body), url: 'u' })).toEqual({
      url: 'u',
      type: 'git',
    });
  });

  it('answers say whether a secret is stored, never the secret', () => {
    for (const s of [teamB, global]) {
      const view = publicRepoCreds(s.data);
      expect(view.hasCredentials).toBe(true);
      expect(JSON.stringify(view)).not.toMatch(/b-token|KEY/);
    }
    expect(publicRepoCreds({ url: 'https://u:pw@h/x' }).url).toBe('https://h/x');
  });
});

describe('/api/v1/repocreds', () => {
  it('lists the templates the caller may get, without credentials', async () => {
    const { r } = request({ user: 'alice', stored: [teamB, global] });
    expect(await list.handle(r)).toEqual({ items: [] });
    const reader = request({ user: 'reader', stored: [teamB, global] });
    const out = (await list.handle(reader.r)) as { items: { url: string }[] };
    expect(out.items.map((i) => i.url)).toEqual(['https://git.example/b', 'https://git.example']);
    expect(JSON.stringify(out)).not.toMatch(/b-token|KEY/);
  });

  it('creates a template under the repo-creds label of the API group', async () => {
    const { r, writes } = request({
      user: 'alice',
      stored: [],
      body: { url: 'https://git.example/a', project: 'team-a', password: 'p' },
    });
    expect(await create.handle(r)).toMatchObject({
      url: 'https://git.example/a',
      hasCredentials: true,
    });
    expect(writes).toEqual([
      {
        name: expect.stringMatching(/^creds-[0-9a-f]{10}$/) as unknown,
        data: { url: 'https://git.example/a', type: 'git', project: 'team-a', password: 'p' },
        labels: { 'argocd.argoproj.io/secret-type': 'repo-creds' },
      },
    ]);
  });

  it('refuses to replace one without upsert, and another project’s even with it', async () => {
    const again = request({ user: 'alice', stored: [teamB], body: { url: teamB.data['url'] } });
    await expect(create.handle(again.r)).rejects.toThrow(/already exist/);
    const takeover = request({
      user: 'alice',
      stored: [teamB],
      query: { upsert: 'true' },
      body: { url: teamB.data['url'], project: 'team-a', password: 'mine' },
    });
    const err: unknown = await create.handle(takeover.r).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(403);
    expect(takeover.writes).toEqual([]);
  });

  it('an upsert replaces the whole template: keys it drops are removed', async () => {
    const own = {
      name: 'creds-a',
      data: { url: 'https://git.example/a', project: 'team-a', password: 'old' },
    };
    const { r, writes } = request({
      user: 'alice',
      stored: [own],
      query: { upsert: 'true' },
      body: { url: own.data.url, project: 'team-a', username: 'u', sshPrivateKey: 'K' },
    });
    await create.handle(r);
    expect(writes[0]?.name).toBe('creds-a');
    expect(writes[0]?.data).toEqual({
      url: own.data.url,
      type: 'git',
      project: 'team-a',
      password: null,
      username: 'u',
      sshPrivateKey: 'K',
    });
  });

  it('removes a template by its URL, 404 for an unknown one', async () => {
    const { r, deleted } = request({
      user: 'alice',
      stored: [teamB],
      params: { url: teamB.data['url'] ?? '' },
    });
    await remove.handle(r);
    expect(deleted).toEqual(['creds-b']);
    const none = request({ user: 'alice', stored: [], params: { url: 'https://x' } });
    const err: unknown = await remove.handle(none.r).catch((e: unknown) => e);
    expect((err as ApiError).status).toBe(404);
  });

  it('checks RBAC on the stored project of the template it deletes', async () => {
    const { r } = request({
      user: 'alice',
      stored: [teamB],
      params: { url: teamB.data['url'] ?? '' },
    });
    const access = remove.access;
    if (access.kind !== 'rbac') throw new Error('not an RBAC route');
    expect(await access.object(r)).toBe('team-b/https://git.example/b');
  });
});
