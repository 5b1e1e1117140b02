import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppProject } from '@gitward/model';
import { loadConfig } from '../config.ts';
import { parseExpiresIn, projCommand, renderWindows } from './proj.ts';

interface Seen {
  method: string;
  url: string;
  body: unknown;
}

let project: AppProject;
let seen: Seen[] = [];
let token = 'jwt.for.role';

async function readBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  return text === '' ? undefined : JSON.parse(text);
}

// A stand-in for the API server's project routes: enough for read-modify-write.
async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  seen.push({ method: req.method ?? '', url: req.url ?? '', body });
  res.setHeader('content-type', 'application/json');
  if (req.method === 'PUT') project = (body as { project: AppProject }).project;
  if (req.url?.endsWith('/token')) return void res.end(JSON.stringify({ token }));
  res.end(req.method === 'DELETE' ? '{}' : JSON.stringify(project));
}

const server = createServer((req, res) => void handle(req, res));
let port = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = String((server.address() as AddressInfo).port);
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});
beforeEach(() => {
  seen = [];
  token = 'jwt.for.role';
  project = {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'AppProject',
    metadata: { name: 'team' },
    spec: { sourceRepos: ['https://a.example/x.git'], roles: [{ name: 'ci' }] },
  };
});

async function run(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const config = loadConfig({ HOME: tmpdir(), GITWARD_CONFIG: join(tmpdir(), 'gw-none.yaml') });
  const cmd = projCommand(
    { config, output: { out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`) } },
    () => new Date('2026-01-01T22:30:00Z'),
  );
  cmd.exitOverride();
  await cmd.parseAsync(
    [...args, '--server', `127.0.0.1:${port}`, '--plaintext', '--auth-token', 't'],
    { from: 'user' },
  );
  return lines;
}

describe('gitward proj (read-modify-write)', () => {
  it('add-source GETs the project and PUTs it back as {project}', async () => {
    expect(await run('add-source', 'team', 'https://b.example/y.git')).toEqual([
      "Source repository 'https://b.example/y.git' added",
    ]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/projects/team',
      'PUT /api/v1/projects/team',
    ]);
    expect(project.spec.sourceRepos).toEqual([
      'https://a.example/x.git',
      'https://b.example/y.git',
    ]);
  });

  it('writes nothing when nothing changes', async () => {
    expect(await run('add-source', 'team', 'https://A.example/x')).toEqual([
      "Source repository 'https://a.example/x.git' already allowed in project",
    ]);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  it.each([
    [['allow-cluster-resource', 'team', '', 'Namespace'], 'clusterResourceWhitelist'],
    [['deny-namespace-resource', 'team', '', 'ResourceQuota'], 'namespaceResourceBlacklist'],
    [['add-destination', 'team', 'https://k8s', 'shop'], 'destinations'],
    [['allow-namespace-resource', 'team', '', 'Pod', '-l', 'white'], 'namespaceResourceWhitelist'],
  ] as const)('%j edits %s', async (args, key) => {
    await run(...args);
    expect(project.spec[key]).toHaveLength(1);
  });

  it('adds a role policy in the casbin form and creates a token', async () => {
    await run('role', 'add-policy', 'team', 'ci', '-a', 'sync', '-o', '*');
    expect(project.spec.roles?.[0]?.policies).toEqual([
      'p, proj:team:ci, applications, sync, team/*, allow',
    ]);
    expect(await run('role', 'create-token', 'team', 'ci', '-e', '1h', '-t')).toEqual([
      'jwt.for.role',
    ]);
    expect(seen.at(-1)).toEqual({
      method: 'POST',
      url: '/api/v1/projects/team/roles/ci/token',
      body: { project: 'team', role: 'ci', expiresIn: 3600 },
    });
  });

  it('shows a project as argocd does, or as JSON', async () => {
    const text = (await run('get', 'team')).join('\n');
    expect(text).toMatch(/^Name:\s+team$/m);
    expect(text).toMatch(/^Repositories:\s+https:\/\/a\.example\/x\.git$/m);
    expect(text).toMatch(/^Destinations:\s+<none>$/m);
    expect(text).toMatch(/^Roles:\s+ci$/m);
    expect(JSON.parse((await run('get', 'team', '-o', 'json')).join(''))).toEqual(project);
  });

  it('prints a role token with its id and times, as argocd does', async () => {
    const claims = { jti: 'tok-1', iat: 1767225600, exp: 1767229200 };
    token = `h.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.s`;
    expect(await run('role', 'create-token', 'team', 'ci')).toEqual([
      'Create token succeeded for proj:team:ci.',
      '  ID: tok-1',
      '  Issued At: 2026-01-01T00:00:00Z',
      '  Expires At: 2026-01-01T01:00:00Z',
      `  Token: ${token}`,
    ]);
  });

  it('lists roles and shows one with its policies and token times', async () => {
    project.spec.roles = [
      {
        name: 'ci',
        description: 'deploys',
        policies: ['p, proj:team:ci, applications, sync, team/*, allow'],
        jwtTokens: [{ iat: 1767225600, id: 'tok-1' }],
      },
      { name: 'ro' },
    ];
    expect(await run('role', 'list', 'team')).toEqual([
      'ROLE-NAME  DESCRIPTION',
      'ci         deploys',
      'ro',
    ]);
    expect(await run('role', 'list', 'team', '-o', 'name')).toEqual(['ci', 'ro']);
    const got = await run('role', 'get', 'team', 'ci');
    expect(got).toContain('p, proj:team:ci, applications, sync, team/*, allow');
    expect(got.join('\n')).toMatch(/tok-1\s+2026-01-01T00:00:00Z\s+<none>/);
    expect(JSON.parse((await run('role', 'get', 'team', 'ci', '-o', 'json')).join(''))).toEqual(
      project.spec.roles[0],
    );
    await expect(run('role', 'get', 'team', 'nope')).rejects.toThrow(/has no role nope/);
  });

  it('adds, lists and deletes sync windows', async () => {
    await run(
      'windows',
      'add',
      'team',
      '--kind',
      'deny',
      '--schedule',
      '0 22 * * *',
      '--duration',
      '1h',
      '--applications',
      'web,api',
      '--manual-sync',
    );
    expect(project.spec.syncWindows).toEqual([
      {
        kind: 'deny',
        schedule: '0 22 * * *',
        duration: '1h',
        applications: ['web', 'api'],
        manualSync: true,
        timeZone: 'UTC',
      },
    ]);
    const table = await run('windows', 'list', 'team');
    expect(table[0]).toMatch(/^ID\s+STATUS\s+KIND\s+SCHEDULE/);
    expect(table[1]).toMatch(/^0\s+Active\s+deny\s+0 22 \* \* \*\s+1h\s+web,api/);
    await run('windows', 'delete', 'team', '0');
    expect(project.spec.syncWindows).toEqual([]);
  });

  it('refuses an invalid window without writing', async () => {
    await expect(
      run('windows', 'add', 'team', '--kind', 'deny', '--schedule', 'nightly', '--duration', '1h'),
    ).rejects.toThrow(/cannot create window/);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('deletes a project', async () => {
    expect(await run('delete', 'team')).toEqual(["project 'team' deleted"]);
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/projects/team' });
  });
});

describe('parseExpiresIn', () => {
  it.each([
    ['0', 0],
    ['3600', 3600],
    ['30m', 1800],
    ['12h', 43200],
    ['7d', 604800],
    ['1w', undefined],
    ['-5', undefined],
  ])('%s → %s', (s, want) => {
    expect(parseExpiresIn(s)).toBe(want);
  });
});

describe('renderWindows', () => {
  it('marks a window inactive outside its schedule', () => {
    const [, row] = renderWindows(
      [{ kind: 'allow', schedule: '0 1 * * *', duration: '1h' }],
      new Date('2026-01-01T12:00:00Z'),
    );
    expect(row).toMatch(/^0\s+Inactive\s+allow\s+0 1 \* \* \*\s+1h\s+-\s+-\s+-\s+Disabled\s+UTC$/);
  });
});
