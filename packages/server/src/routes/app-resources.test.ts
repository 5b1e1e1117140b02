import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError, type Application, type RepoCredentials } from '@gitward/model';
import type { RevisionMetadata, ServerContext } from '../context.ts';
import { ApiError, notFound } from '../http/api-error.ts';
import { appResourceRoutes } from './app-resources.ts';
import type { RouteRequest } from './route.ts';

// The revision metadata route over a stub context: the git read is injected, so what is tested
// is which repository, commit and credentials it asks for, and what it refuses.

const sha = '0123456789abcdef0123456789abcdef01234567';
const repoURL = 'https://git.example/team/app.git';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const route = appResourceRoutes.find(
  (r) => r.path === '/api/v1/applications/:name/revisions/:revision/metadata',
);

const app = (source: Partial<Application['spec']>): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web' },
  spec: { project: 'team', destination: { namespace: 'web' }, ...source },
});

const repoSecret = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'repo-1', labels: { 'gitward.dev/secret-type': 'repository' } },
  data: { url: b64(repoURL), username: b64('alice'), password: b64('s3cret') },
};

type Call = { url: string; sha: string; creds: RepoCredentials | undefined };

function request(opts: {
  application?: Application;
  revision: string;
  read?: (url: string, sha: string) => Promise<RevisionMetadata>;
}) {
  const calls: Call[] = [];
  const read = opts.read ?? (() => Promise.resolve(meta));
  const ctx = {
    store: {
      group: 'gitward.dev',
      namespace: 'gitward',
      list: () => Promise.resolve([repoSecret]),
    },
    revisionMetadata: (url: string, s: string, creds?: RepoCredentials) => {
      calls.push({ url, sha: s, creds });
      return read(url, s);
    },
  } as unknown as ServerContext;
  const r = {
    params: { name: 'web', revision: opts.revision },
    ctx,
    app: () =>
      opts.application
        ? Promise.resolve(opts.application)
        : Promise.reject(notFound('application web not found')),
  } as unknown as RouteRequest;
  return { r, calls };
}

const meta: RevisionMetadata = {
  author: 'Ann <ann@example.com>',
  date: '2024-05-01T10:00:00+02:00',
  message: 'fix: the thing\n\nbody',
  tags: ['v1'],
};

async function failure(p: Promise<unknown>): Promise<{ status?: number; code: string }> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof ApiError) return { status: err.status, code: err.code };
  if (err instanceof GitwardError) return { code: err.code };
  throw new Error(`expected a typed error, got ${String(err)}`);
}

describe('GET /api/v1/applications/:name/revisions/:revision/metadata', () => {
  it('is in the route table, guarded as the other per-app reads', () => {
    expect(route?.method).toBe('GET');
    expect(route?.access).toMatchObject({ kind: 'rbac', resource: 'applications', action: 'get' });
  });

  it.each([
    ['a single source', { source: { repoURL, path: '.' } }],
    ['the first of several sources', { sources: [{ repoURL }, { repoURL: 'https://other/x' }] }],
  ])('reads the commit of %s with its repository credentials', async (_name, spec) => {
    const { r, calls } = request({ application: app(spec), revision: sha.toUpperCase() });
    expect(await route?.handle(r)).toEqual({
      author: meta.author,
      date: meta.date,
      tags: ['v1'],
      message: meta.message,
    });
    expect(calls).toEqual([
      { url: repoURL, sha, creds: { username: 'alice', password: 's3cret' } },
    ]);
  });

  it.each([
    ['an unknown app', undefined, sha, 404, 'NOT_FOUND'],
    ['a branch', app({ source: { repoURL } }), 'main', 400, 'INVALID_ARGUMENT'],
    ['a short SHA', app({ source: { repoURL } }), sha.slice(0, 7), 400, 'INVALID_ARGUMENT'],
    ['a chart source', app({ source: { repoURL, chart: 'c' } }), sha, 400, 'INVALID_ARGUMENT'],
    ['no source', app({}), sha, 400, 'INVALID_ARGUMENT'],
  ])('refuses %s', async (_name, application, revision, status, code) => {
    const { r, calls } = request({ ...(application ? { application } : {}), revision });
    expect(await failure(Promise.resolve().then(() => route?.handle(r)))).toEqual({
      status,
      code,
    });
    expect(calls).toEqual([]);
  });

  it('passes the git error on (a commit the repository does not have)', async () => {
    const { r } = request({
      application: app({ source: { repoURL } }),
      revision: sha,
      read: () => Promise.reject(new GitwardError(ErrorCode.RevisionNotFound, 'not found')),
    });
    expect(await failure(Promise.resolve().then(() => route?.handle(r)))).toEqual({
      code: ErrorCode.RevisionNotFound,
    });
  });
});
