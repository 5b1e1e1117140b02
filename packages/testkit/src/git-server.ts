import { spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git, gitEnv } from './git.ts';

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

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
  /** Writes files (path → content; null deletes), commits them and returns the new SHA. */
  commit(files: Readonly<Record<string, string | null>>, message: string): Promise<string>;
  /** Creates or moves a branch to HEAD (or to `from`) and checks it out. */
  branch(name: string, from?: string): Promise<void>;
  /** Checks out an existing branch. */
  checkout(name: string): Promise<void>;
  /** Creates an annotated tag at HEAD. */
  tag(name: string): Promise<void>;
  /** Pushes every branch and tag over HTTP, exactly as a user would. */
  push(): Promise<void>;
  /** The SHA of HEAD in the working copy. */
  head(): Promise<string>;
}

/** Whether a request carries `auth` as HTTP basic credentials (always true without `auth`). */
export function authorized(req: IncomingMessage, auth: BasicAuth | undefined): boolean {
  if (!auth) return true;
  const header = req.headers.authorization ?? '';
  const expected = Buffer.from(
    `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
  );
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Runs `git http-backend` as a CGI program for one request. */
function serveCgi(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  user: string | undefined,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env = gitEnv({
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: user ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
  });
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  cgi.on('close', () => {
    if (!headersDone) res.writeHead(502);
    res.end();
  });
}

/** Starts a git smart-HTTP server on 127.0.0.1 with an ephemeral port. */
export async function createGitServer(opts: GitServerOptions = {}): Promise<GitServer> {
  const base = await mkdtemp(join(tmpdir(), 'gitward-git-'));
  const root = join(base, 'repos');
  await mkdir(root);
  const server: Server = createServer((req, res) => {
    if (!authorized(req, opts.auth)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="gitward-test"' });
      res.end();
      return;
    }
    serveCgi(root, req, res, opts.auth?.username);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
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
      async commit(files, message) {
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
        await git(workdir, ['commit', '--allow-empty', '-m', message]);
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    },
  };
}
