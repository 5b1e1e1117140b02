import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { createGitServer, git, gitEnv, type GitServer } from '@gitward/testkit';
import { createGitRepositories, type GitRepositoriesOptions } from './repositories.ts';

const temps: string[] = [];
async function repositories(o: Partial<GitRepositoriesOptions> = {}) {
  const cacheDir = await mkdtemp(join(tmpdir(), 'gitward-git-submodules-'));
  temps.push(cacheDir);
  return {
    cacheDir,
    repos: createGitRepositories({ cacheDir, env: gitEnv(), timeoutMs: 30_000, ...o }),
  };
}

async function rejection(p: Promise<unknown>): Promise<GitwardError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(GitwardError);
  return err as GitwardError;
}

describe('checkouts with submodules (real git over HTTP)', { timeout: 180_000 }, () => {
  const auth = { username: 'sub', password: 'submodule-secret-pw' };
  let server: GitServer;
  let privateServer: GitServer;
  beforeAll(async () => {
    server = await createGitServer();
    privateServer = await createGitServer({ auth });
  });
  afterAll(async () => {
    await server.close();
    await privateServer.close();
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('checks out submodules recursively: relative URLs, a commit on no branch, private ones with their Secret', async () => {
    const inner = await server.createRepo('inner');
    const innerSha = await inner.commit({ 'inner.yaml': 'inner: true\n' }, 'inner');
    await inner.push();
    const lib = await server.createRepo('lib');
    await lib.submodule('deep', '../inner.git', innerSha);
    const libSha = await lib.commit({ 'lib.yaml': 'lib: 1\n' }, 'lib');
    // A later commit on main: the pinned one stays reachable, the superproject pins the older.
    await lib.commit({ 'lib.yaml': 'lib: 2\n' }, 'lib two');
    await lib.push();
    // A commit no branch or tag holds: fetched by its SHA.
    await lib.branch('scratch');
    const orphanSha = await lib.commit({ 'orphan.yaml': 'o\n' }, 'orphan');
    await lib.push();
    await lib.checkout('main');
    await git(lib.workdir, ['push', '--quiet', 'origin', '--delete', 'scratch']);
    const priv = await privateServer.createRepo('priv');
    const privSha = await priv.commit({ 'secret.yaml': 'private: yes\n' }, 'private');
    await priv.push();

    const app = await server.createRepo('app');
    await app.submodule('vendor/lib', '../lib.git', libSha);
    await app.submodule('orphan', './../lib.git', orphanSha);
    await app.submodule('priv', priv.url, privSha);
    const sha = await app.commit({ 'app.yaml': 'app: 1\n' }, 'with submodules');
    await app.push();

    const { repos } = await repositories();
    const asked: string[] = [];
    const tree = await repos.checkout(app.url, sha, undefined, {
      credentialsFor: (url) => {
        asked.push(url);
        return url === priv.url ? auth : undefined;
      },
    });
    expect(await readFile(join(tree, 'vendor/lib/lib.yaml'), 'utf8')).toBe('lib: 1\n');
    expect(await readFile(join(tree, 'vendor/lib/deep/inner.yaml'), 'utf8')).toBe('inner: true\n');
    expect(await readFile(join(tree, 'orphan/orphan.yaml'), 'utf8')).toBe('o\n');
    expect(await readFile(join(tree, 'priv/secret.yaml'), 'utf8')).toBe('private: yes\n');
    expect(asked).toContain(`${server.url}/lib.git`);
    expect(asked).toContain(`${server.url}/inner.git`);
    repos.release(tree);

    // Without the Secret the private submodule fails the checkout, saying which one.
    const { repos: other } = await repositories();
    const err = await rejection(other.checkout(app.url, sha));
    expect(err.code).toBe(ErrorCode.RepoAuthFailed);
    expect(err.message).toMatch(/submodule priv of/);
    expect(err.message).not.toContain(auth.password);

    // Switched off (ARGOCD_GIT_MODULES_ENABLED=false): empty directories, as git leaves them.
    const { repos: off } = await repositories({ submodules: false });
    const bare = await off.checkout(app.url, sha);
    expect(await readdir(join(bare, 'vendor/lib'))).toEqual([]);
  });

  it.each([
    ['file:// outside the cache', (root: string) => `file://${root}/secret.git`],
    ['a local path', (root: string) => `${root}/secret.git`],
    ['ext::', () => 'ext::sh -c touch% /tmp/gitward-pwned'],
  ])('refuses a submodule URL that is %s, naming the submodule', async (_, urlOf) => {
    const secret = await server.createRepo(`secret-${Math.random().toString(36).slice(2)}`);
    const secretSha = await secret.head();
    const app = await server.createRepo(`hostile-${Math.random().toString(36).slice(2)}`);
    await app.submodule('steal', urlOf(server.root), secretSha);
    const sha = await app.commit({}, 'hostile submodule');
    await app.push();
    const { repos, cacheDir } = await repositories();
    const err = await rejection(repos.checkout(app.url, sha));
    expect(err.code).toBe(ErrorCode.UnsafeSubmodule);
    expect(err.message).toMatch(/submodule steal of .* is refused/);
    // Nothing was mirrored for it, and no checkout was left behind.
    expect(await readdir(join(cacheDir, 'repos'))).toHaveLength(1);
  });
});
