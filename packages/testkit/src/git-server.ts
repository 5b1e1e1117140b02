import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startGitHttpServer, type BasicAuth } from '@gitward/local-cluster';
import { git, gitEnv } from './git.ts';
import type { GpgKey } from './gpg.ts';

// The server core lives in local-cluster (`gitward dev up` serves its demo repository with it);
// these re-exports keep testkit's API as it was.
export { authorized, type BasicAuth } from '@gitward/local-cluster';

export interface GitServerOptions {
  /** Require HTTP basic auth for every request (clone and push). */
  readonly auth?: BasicAuth;
}

/** A git smart-HTTP server on loopback, serving bare repositories from a temporary root. */
export interface GitServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /**
   * Absolute path of the directory holding the bare repositories (`<name>.git`); pass it to
   * createSshGitServer to serve the same repositories over SSH.
   */
  readonly root: string;
  /** Turns a fixture directory into a repository with one commit on `main`; see TestRepo. */
  createRepo(name: string, fixtureDir?: string): Promise<TestRepo>;
  /** Stops serving and deletes every repository. */
  close(): Promise<void>;
}

/** A served repository plus a working copy from which a test commits and pushes. */
export interface TestRepo {
  /** Clone URL over HTTP (without credentials). */
  readonly url: string;
  /** Path of the working copy. */
  readonly workdir: string;
  /**
   * Writes files (path → content; null deletes), commits them and returns the new SHA; signed
   * with `opts.signWith` (a createGpgKey key) when given.
   */
  commit(
    files: Readonly<Record<string, string | null>>,
    message: string,
    opts?: { signWith?: GpgKey },
  ): Promise<string>;
  /** Creates or moves a branch to HEAD (or to `from`) and checks it out. */
  branch(name: string, from?: string): Promise<void>;
  /** Checks out an existing branch. */
  checkout(name: string): Promise<void>;
  /** Creates an annotated tag at HEAD. */
  tag(name: string): Promise<void>;
  /**
   * Stages a submodule at `path` pinned to commit `sha` of `url` (written to .gitmodules as is,
   * so it may be relative or hostile); the next `commit` records it. Nothing is fetched.
   */
  submodule(path: string, url: string, sha: string): Promise<void>;
  /** Pushes every branch and tag over HTTP, exactly as a user would. */
  push(): Promise<void>;
  /** The SHA of HEAD in the working copy. */
  head(): Promise<string>;
}

/** Starts a git smart-HTTP server on 127.0.0.1 with an ephemeral port. */
export async function createGitServer(opts: GitServerOptions = {}): Promise<GitServer> {
  const base = await mkdtemp(join(tmpdir(), 'gitward-git-'));
  const root = join(base, 'repos');
  await mkdir(root);
  const server = await startGitHttpServer({
    root,
    env: gitEnv(),
    realm: 'gitward-test',
    ...(opts.auth ? { auth: opts.auth } : {}),
  });
  const url = server.url;
  // Credentials travel as a header given on the command line of our own test git, never in URLs.
  const authArgs = opts.auth
    ? [
        '-c',
        `http.extraHeader=Authorization: Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}`,
      ]
    : [];

  async function createRepo(name: string, fixtureDir?: string): Promise<TestRepo> {
    const bare = join(root, `${name}.git`);
    const workdir = join(base, 'work', name);
    await mkdir(dirname(bare), { recursive: true });
    await git(base, ['init', '--bare', '--initial-branch=main', bare]);
    await git(bare, ['config', 'http.receivepack', 'true']);
    await mkdir(workdir, { recursive: true });
    await git(workdir, ['init', '--initial-branch=main']);
    const repoUrl = `${url}/${name}.git`;
    await git(workdir, ['remote', 'add', 'origin', repoUrl]);
    if (fixtureDir) await cp(fixtureDir, workdir, { recursive: true });
    else await writeFile(join(workdir, 'README.md'), `# ${name}\n`);
    await git(workdir, ['add', '-A']);
    await git(workdir, ['commit', '-m', 'initial commit']);
    const repo: TestRepo = {
      url: repoUrl,
      workdir,
      async commit(files, message, opts) {
        for (const [path, content] of Object.entries(files)) {
          const file = join(workdir, path);
          if (content === null) {
            await rm(file, { force: true });
          } else {
            await mkdir(dirname(file), { recursive: true });
            await writeFile(file, content);
          }
        }
        await git(workdir, ['add', '-A']);
        const key = opts?.signWith;
        const sign = key
          ? ['-c', `user.signingkey=${key.fingerprint}`, '-c', 'gpg.program=gpg']
          : [];
        await git(
          workdir,
          [...sign, 'commit', '--allow-empty', ...(key ? ['-S'] : []), '-m', message],
          key ? { GNUPGHOME: key.home } : {},
        );
        return git(workdir, ['rev-parse', 'HEAD']);
      },
      async branch(branchName, from) {
        await git(workdir, ['checkout', '-B', branchName, ...(from ? [from] : [])]);
      },
      async checkout(branchName) {
        await git(workdir, ['checkout', branchName]);
      },
      async tag(tagName) {
        await git(workdir, ['tag', '-a', tagName, '-m', tagName]);
      },
      async submodule(path, url, sha) {
        // An empty directory is how git leaves an uninitialized submodule: `add -A` keeps it.
        await mkdir(join(workdir, path), { recursive: true });
        await git(workdir, ['config', '-f', '.gitmodules', `submodule.${path}.path`, path]);
        await git(workdir, ['config', '-f', '.gitmodules', `submodule.${path}.url`, url]);
        await git(workdir, ['update-index', '--add', '--cacheinfo', `160000,${sha},${path}`]);
      },
      async push() {
        await git(workdir, [...authArgs, 'push', '--quiet', 'origin', '--all']);
        await git(workdir, [...authArgs, 'push', '--quiet', 'origin', '--tags']);
      },
      head: () => git(workdir, ['rev-parse', 'HEAD']),
    };
    await repo.push();
    return repo;
  }

  return {
    url,
    root,
    createRepo,
    async close() {
      await server.close();
      await rm(base, { recursive: true, force: true });
    },
  };
}
