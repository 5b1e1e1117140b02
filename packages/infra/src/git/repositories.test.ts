import { mkdtemp, readdir, readFile, readlink, rm, symlink } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { createGitServer, gitEnv, type GitServer, type TestRepo } from '@gitward/testkit';
import { createGitRepositories, type GitRepositories } from './repositories.ts';
import { freshnessClock } from './shared-reads.ts';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gitward-git-cache-'));
  tempDirs.push(dir);
  return dir;
}

async function newRepositories(): Promise<GitRepositories> {
  return createGitRepositories({ cacheDir: await tempDir(), env: gitEnv(), timeoutMs: 30_000 });
}

/** The GitwardError a promise rejects with (fails the test if it resolves or throws another). */
async function rejection(p: Promise<unknown>): Promise<GitwardError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitwardError);
  return err as GitwardError;
}

afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('GitRepositories over smart HTTP', { timeout: 30_000 }, () => {
  let server: GitServer;
  let repo: TestRepo;
  let repos: GitRepositories;
  const commits: Record<string, string> = {};

  beforeAll(async () => {
    server = await createGitServer();
    repo = await server.createRepo('app');
    commits['initial'] = await repo.head();
    commits['v1.0.0'] = await repo.commit({ 'app.yaml': 'version: 1.0.0\n' }, 'one');
    await repo.tag('v1.0.0');
    commits['v1.2.0'] = await repo.commit({ 'app.yaml': 'version: 1.2.0\n' }, 'two');
    await repo.tag('v1.2.0');
    commits['1.2.5'] = await repo.commit({ 'app.yaml': 'version: 1.2.5\n' }, 'three');
    await repo.tag('1.2.5');
    await symlink('app.yaml', join(repo.workdir, 'link.yaml'));
    commits['v1.9.0'] = await repo.commit({ 'dir/x.txt': 'x\n' }, 'four');
    await repo.tag('v1.9.0');
    commits['v2.0.0'] = await repo.commit({ 'app.yaml': 'version: 2.0.0\n' }, 'five');
    await repo.tag('v2.0.0');
    await repo.branch('release', commits['v1.2.0']);
    commits['release'] = await repo.commit({ 'release.txt': 'r\n' }, 'on release');
    await repo.checkout('main');
    await repo.push();
    repos = await newRepositories();
  });
  afterAll(() => server.close());

  it('resolves a branch to its tip and names the ref', async () => {
    expect(await repos.resolveRevision(repo.url, 'main')).toEqual({
      sha: commits['v2.0.0'],
      ref: 'refs/heads/main',
    });
    expect(await repos.resolveRevision(repo.url, 'release')).toEqual({
      sha: commits['release'],
      ref: 'refs/heads/release',
    });
  });

  it('resolves an annotated tag to its commit', async () => {
    expect(await repos.resolveRevision(repo.url, 'v1.2.0')).toEqual({
      sha: commits['v1.2.0'],
      ref: 'refs/tags/v1.2.0',
    });
  });

  it('resolves full and abbreviated SHAs', async () => {
    const sha = commits['v1.0.0'] ?? '';
    expect(await repos.resolveRevision(repo.url, sha)).toEqual({ sha });
    expect(await repos.resolveRevision(repo.url, sha.slice(0, 7))).toEqual({ sha });
  });

  it('resolves HEAD and the empty revision to the default branch', async () => {
    const expected = { sha: commits['v2.0.0'], ref: 'refs/heads/main' };
    expect(await repos.resolveRevision(repo.url, 'HEAD')).toEqual(expected);
    expect(await repos.resolveRevision(repo.url, '')).toEqual(expected);
  });

  it.each([
    ['1.2.*', '1.2.5'],
    ['>=1.0.0 <2.0.0', 'v1.9.0'],
    ['~1.2', '1.2.5'],
  ])('resolves the semver constraint %s to the highest tag (%s)', async (constraint, tag) => {
    expect(await repos.resolveRevision(repo.url, constraint)).toEqual({
      sha: commits[tag],
      ref: `refs/tags/${tag}`,
    });
  });

  it('sees a newly pushed commit on the next resolve', async () => {
    const before = await repos.resolveRevision(repo.url, 'main');
    const sha = await repo.commit({ 'later.txt': 'later\n' }, 'later');
    await repo.push();
    const after = await repos.resolveRevision(repo.url, 'main');
    expect(after.sha).toBe(sha);
    expect(after.sha).not.toBe(before.sha);
  });

  it('shares one fetch between concurrent resolves of one URL', async () => {
    const fresh = await newRepositories();
    const [a, b] = await Promise.all([
      fresh.resolveRevision(repo.url, 'main'),
      fresh.resolveRevision(repo.url, 'v1.0.0'),
    ]);
    expect(fresh.stats.fetches).toBe(1);
    expect(a.ref).toBe('refs/heads/main');
    expect(b.sha).toBe(commits['v1.0.0']);
  });

  it('answers an unchanged branch, tag or HEAD from the advertisement, and fetches a new commit', async () => {
    const adv = await server.createRepo('advertised');
    const first = await adv.commit({ 'a.txt': '1\n' }, 'one');
    await adv.tag('t1');
    await adv.push();
    const fresh = await newRepositories();
    expect(await fresh.resolveRevision(adv.url, 'main')).toEqual({
      sha: first,
      ref: 'refs/heads/main',
    });
    const fetches = fresh.stats.fetches;
    for (const [rev, ref] of [
      ['main', 'refs/heads/main'],
      ['t1', 'refs/tags/t1'],
      ['HEAD', 'refs/heads/main'],
    ] as const)
      expect(await fresh.resolveRevision(adv.url, rev)).toEqual({ sha: first, ref });
    expect(fresh.stats.fetches).toBe(fetches);
    expect(fresh.stats.advertised).toBe(3);

    // A pushed commit is not in the mirror: the git path fetches it.
    const second = await adv.commit({ 'a.txt': '2\n' }, 'two');
    await adv.push();
    expect((await fresh.resolveRevision(adv.url, 'main')).sha).toBe(second);
    expect(fresh.stats.fetches).toBe(fetches + 1);
  });

  it('lets concurrent lookups of one repository share an advertisement, and keeps none after', async () => {
    const shared = await server.createRepo('shared-advertisement');
    const first = await shared.commit({ 'a.txt': '1\n' }, 'one');
    await shared.push();
    const fresh = await newRepositories();
    await fresh.resolveRevision(shared.url, 'main');
    const before = fresh.stats.advertisementReads;
    const all = await Promise.all(
      Array.from({ length: 8 }, () => fresh.resolveRevision(shared.url, 'main')),
    );
    expect(all.map((r) => r.sha)).toEqual(Array.from({ length: 8 }, () => first));
    expect(fresh.stats.advertisementReads - before).toBe(1);
    // Settled answers are not reused: a push is seen by the next lookup.
    const second = await shared.commit({ 'a.txt': '2\n' }, 'two');
    await shared.push();
    expect((await fresh.resolveRevision(shared.url, 'main')).sha).toBe(second);
    expect(fresh.stats.advertisementReads - before).toBe(2);
  });

  it('shares a completed advertisement only with lookups asked for before it was read', async () => {
    const busy = await server.createRepo('fresh-after');
    const first = await busy.commit({ 'a.txt': '1\n' }, 'one');
    await busy.push();
    const fresh = await newRepositories();
    const askedAt = freshnessClock();
    const lookup = (freshAfter: number) =>
      fresh.resolveRevision(busy.url, 'main', undefined, { freshAfter });
    expect((await lookup(askedAt)).sha).toBe(first);
    const reads = fresh.stats.advertisementReads;
    const shared = fresh.stats.advertisementShared;
    // A burst asked for before that read started: answered from it, completed as it is.
    const burst = await Promise.all(Array.from({ length: 6 }, () => lookup(askedAt)));
    expect(burst.map((r) => r.sha)).toEqual(Array.from({ length: 6 }, () => first));
    expect(fresh.stats.advertisementReads).toBe(reads);
    expect(fresh.stats.advertisementShared - shared).toBe(6);
    // A push, then a lookup asked for after it: a read of its own, which sees the push.
    const second = await busy.commit({ 'a.txt': '2\n' }, 'two');
    await busy.push();
    expect((await lookup(freshnessClock())).sha).toBe(second);
    expect(fresh.stats.advertisementReads).toBe(reads + 1);
    // Without freshAfter a completed read is never reused (today's rule).
    await fresh.resolveRevision(busy.url, 'main');
    expect(fresh.stats.advertisementReads).toBe(reads + 2);
  });

  it('does not fetch for a full SHA already in the mirror', async () => {
    await repos.resolveRevision(repo.url, 'main');
    const fetches = repos.stats.fetches;
    const sha = commits['v1.2.0'] ?? '';
    expect(await repos.resolveRevision(repo.url, sha)).toEqual({ sha });
    expect(repos.stats.fetches).toBe(fetches);
  });

  it('fails with REVISION_NOT_FOUND naming the repository and the revision', async () => {
    for (const revision of ['no-such-branch', '9.9.*', 'deadbeef', 'f'.repeat(40)]) {
      const err = await rejection(repos.resolveRevision(repo.url, revision));
      expect(err.code).toBe(ErrorCode.RevisionNotFound);
      expect(err.message).toContain(revision);
      expect(err.message).toContain(repo.url);
    }
  });

  it('checks out the tree of a commit, once, with symlinks kept', async () => {
    const newer = await repos.checkout(repo.url, commits['v1.9.0'] ?? '');
    expect(await readFile(join(newer, 'app.yaml'), 'utf8')).toBe('version: 1.2.5\n');
    expect(await readFile(join(newer, 'dir/x.txt'), 'utf8')).toBe('x\n');
    expect(await readlink(join(newer, 'link.yaml'))).toBe('app.yaml');
    expect(await readdir(newer)).not.toContain('.git');

    const older = await repos.checkout(repo.url, commits['v1.0.0'] ?? '');
    expect(older).not.toBe(newer);
    expect(await readFile(join(older, 'app.yaml'), 'utf8')).toBe('version: 1.0.0\n');
    await expect(readFile(join(older, 'dir/x.txt'))).rejects.toThrow();

    const fetches = repos.stats.fetches;
    expect(await repos.checkout(repo.url, commits['v1.9.0'] ?? '')).toBe(newer);
    expect(repos.stats.fetches).toBe(fetches);
    // No temp dir is left beside the finished trees.
    expect((await readdir(join(newer, '..'))).filter((n) => n.startsWith('.tmp'))).toEqual([]);
  });

  it('garbage-collects released trees beyond maxCheckouts, never one in use', async () => {
    const bounded = createGitRepositories({
      cacheDir: await tempDir(),
      env: gitEnv(),
      timeoutMs: 30_000,
      maxCheckouts: 1,
    });
    const exists = (dir: string) =>
      readdir(dir).then(
        () => true,
        () => false,
      );
    const inUse = await bounded.checkout(repo.url, commits['v1.0.0'] ?? '');
    const released = await bounded.checkout(repo.url, commits['v1.2.0'] ?? '');
    bounded.release(released);
    const third = await bounded.checkout(repo.url, commits['v2.0.0'] ?? '');
    await expect.poll(() => exists(released)).toBe(false);
    expect([await exists(inUse), await exists(third)]).toEqual([true, true]);
    // Checked out again on demand once it was collected.
    const again = await bounded.checkout(repo.url, commits['v1.2.0'] ?? '');
    expect(await readFile(join(again, 'app.yaml'), 'utf8')).toBe('version: 1.2.0\n');
  });

  it('checks out a commit it has not fetched yet', async () => {
    const fresh = await newRepositories();
    const dir = await fresh.checkout(repo.url, commits['release'] ?? '');
    expect(await readFile(join(dir, 'release.txt'), 'utf8')).toBe('r\n');
    expect(fresh.stats.fetches).toBe(1);
  });

  it('refuses local repositories (file:// and paths), which would expose the operator disk', async () => {
    for (const url of ['file:///etc', server.root]) {
      const err = await rejection(repos.resolveRevision(url, 'main'));
      expect(err.code).toBe(ErrorCode.RepoFetchFailed);
      expect(err.message).toContain("transport 'file' not allowed");
    }
  });

  it('refuses a checkout of anything but a full SHA', async () => {
    const err = await rejection(repos.checkout(repo.url, '../../etc'));
    expect(err.code).toBe(ErrorCode.InvalidArgument);
  });

  it('reads the author, date, message and tags of a commit', async () => {
    const meta = await repos.commitMetadata(repo.url, commits['v1.2.0'] ?? '');
    expect(meta).toEqual({
      author: 'gitward-test <test@gitward.invalid>',
      date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:\d\d)$/) as string,
      message: 'two',
      tags: ['v1.2.0'],
    });
    expect((await repos.commitMetadata(repo.url, commits['release'] ?? '')).tags).toEqual([]);
  });

  it('fetches a commit it has not seen for its metadata, keeping a multi-line message whole', async () => {
    const meta = await server.createRepo('metadata');
    const sha = await meta.commit({ 'a.txt': '1\n' }, 'feat: subject | with %s\n\nbody line');
    await meta.tag('v9');
    await meta.tag('also');
    await meta.push();
    const fresh = await newRepositories();
    const got = await fresh.commitMetadata(meta.url, sha.toUpperCase());
    expect(got.message).toBe('feat: subject | with %s\n\nbody line');
    expect(got.tags).toEqual(['also', 'v9']);
    expect(fresh.stats.fetches).toBe(1);
  });

  it.each([
    ['an abbreviated SHA', 'abc1234', ErrorCode.InvalidArgument],
    ['a branch name', 'main', ErrorCode.InvalidArgument],
    ['an option', '--all', ErrorCode.InvalidArgument],
    ['an unknown commit', 'f'.repeat(40), ErrorCode.RevisionNotFound],
  ])('refuses metadata for %s', async (_name, sha, code) => {
    const err = await rejection(repos.commitMetadata(repo.url, sha));
    expect(err.code).toBe(code);
  });
});

describe('GitRepositories with credentials', { timeout: 30_000 }, () => {
  const auth = { username: 'alice', password: 'pa55-w0rd-xyzzy' };
  const token = 'tok-3f9a7c-bearer';
  let server: GitServer;
  let repo: TestRepo;
  let proxy: Server;
  let proxyUrl: string;
  const seen: string[] = [];

  beforeAll(async () => {
    server = await createGitServer({ auth });
    repo = await server.createRepo('private');
    // The test server checks only Basic auth, so a proxy in front of it accepts the bearer token
    // and forwards with Basic: git's real request headers are what is checked.
    proxy = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== `Bearer ${token}`) {
        res.writeHead(401).end();
        return;
      }
      const target = new URL(req.url ?? '/', server.url);
      const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      const upstream = request(
        target,
        { method: req.method, headers: { ...req.headers, authorization: `Basic ${basic}` } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const addr = proxy.address();
    proxyUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await server.close();
  });

  it('authenticates with username and password', async () => {
    const repos = await newRepositories();
    expect(await repos.resolveRevision(repo.url, 'main', auth)).toEqual({
      sha: await repo.head(),
      ref: 'refs/heads/main',
    });
  });

  it('fails with REPO_AUTH_FAILED on a wrong password, without echoing it', async () => {
    const repos = await newRepositories();
    const wrong = { username: 'alice', password: 'wr0ng-s3cret-value' };
    const err = await rejection(repos.resolveRevision(repo.url, 'main', wrong));
    expect(err.code).toBe(ErrorCode.RepoAuthFailed);
    expect(err.message).not.toContain(wrong.password);
    expect(String(err.stack)).not.toContain(wrong.password);
    expect(err.message).toContain(repo.url);
  });

  it('serves a commit already in the mirror only to credentials that can fetch it', async () => {
    const repos = await newRepositories();
    const sha = await repo.head();
    await repos.resolveRevision(repo.url, 'main', auth);
    await repos.checkout(repo.url, sha, auth);
    for (const [what, creds] of [
      ['none', undefined],
      ['wrong', { username: 'alice', password: 'not-her-password' }],
    ] as const) {
      const byCommit = await rejection(repos.resolveRevision(repo.url, sha, creds));
      expect(byCommit.code, `${what}: resolve`).toBe(ErrorCode.RepoAuthFailed);
      const checkout = await rejection(repos.checkout(repo.url, sha, creds));
      expect(checkout.code, `${what}: checkout`).toBe(ErrorCode.RepoAuthFailed);
      const meta = await rejection(repos.commitMetadata(repo.url, sha, creds));
      expect(meta.code, `${what}: metadata`).toBe(ErrorCode.RepoAuthFailed);
    }
    // The rightful credentials still get it, from the mirror.
    expect(await repos.resolveRevision(repo.url, sha, auth)).toEqual({ sha });
  });

  it('fails with REPO_AUTH_FAILED without credentials', async () => {
    const repos = await newRepositories();
    const err = await rejection(repos.resolveRevision(repo.url, 'HEAD'));
    expect(err.code).toBe(ErrorCode.RepoAuthFailed);
  });

  it('redacts credentials given in the URL', async () => {
    const repos = await newRepositories();
    const url = repo.url.replace('http://', 'http://alice:url-s3cret@');
    const err = await rejection(repos.resolveRevision(url, 'no-such-branch'));
    expect(err.message).not.toContain('url-s3cret');
  });

  it('sends a bearer token as an Authorization header', async () => {
    const repos = await newRepositories();
    const url = `${proxyUrl}/private.git`;
    expect((await repos.resolveRevision(url, 'main', { bearerToken: token })).sha).toBe(
      await repo.head(),
    );
    expect(seen).toContain(`Bearer ${token}`);
    const err = await rejection(repos.resolveRevision(url, 'main', { bearerToken: 'nope-1234' }));
    expect(err.code).toBe(ErrorCode.RepoAuthFailed);
    expect(err.message).not.toContain('nope-1234');
  });
});
