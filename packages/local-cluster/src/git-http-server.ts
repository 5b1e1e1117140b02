import { execFile, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { access, mkdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';

export interface BasicAuth {
  readonly username: string;
  readonly password: string;
}

export interface GitHttpServerOptions {
  /** Directory holding the bare repositories; `<root>/<name>.git` is served as `/<name>.git`. */
  readonly root: string;
  /** Environment of each `git http-backend` (PATH, HOME; the caller decides what git config applies). */
  readonly env: NodeJS.ProcessEnv;
  /** Require HTTP basic auth for every request (clone and push). */
  readonly auth?: BasicAuth;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Realm named in the 401 challenge. */
  readonly realm?: string;
  /** Called once per answered request, e.g. to write an access log. */
  readonly onRequest?: (method: string, path: string, status: number) => void;
}

/** A git smart-HTTP server on loopback. */
export interface GitHttpServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  /** Stops serving (open connections are cut). */
  close(): Promise<void>;
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

/** Copies the CGI response headers (and `Status:`) onto `res`; returns the HTTP status. */
function writeCgiHead(res: ServerResponse, head: Buffer): number {
  let status = 200;
  for (const line of head.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
    else res.setHeader(name, value);
  }
  res.writeHead(status);
  return status;
}

/** Runs `git http-backend` as a CGI program for one request; resolves to the HTTP status sent. */
function serveCgi(
  opts: GitHttpServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<number> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    ...opts.env,
    GIT_PROJECT_ROOT: opts.root,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: opts.auth?.username ?? '',
    HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
    GIT_PROTOCOL: (req.headers['git-protocol'] as string | undefined) ?? '',
  };
  const cgi = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  // git may exit before reading the whole request body (a refused push); a long-running dev
  // server must not crash on the resulting EPIPE.
  cgi.stdin.on('error', () => undefined);
  req.pipe(cgi.stdin);
  let head = Buffer.alloc(0);
  let status = 0;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (status !== 0) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) return;
    status = writeCgiHead(res, head.subarray(0, end));
    res.write(head.subarray(end + 4));
  });
  return new Promise((resolve) => {
    const finish = () => {
      if (status === 0) {
        status = 502;
        res.writeHead(502);
      }
      res.end();
      resolve(status);
    };
    cgi.once('error', () => cgi.exitCode === null && finish());
    cgi.once('close', finish);
  });
}

/**
 * Serves the bare repositories under `opts.root` over git's smart-HTTP protocol (the real
 * `git http-backend` as a CGI program) on 127.0.0.1, with optional basic auth. Pushing works
 * for repositories whose config has `http.receivepack=true`.
 */
export async function startGitHttpServer(opts: GitHttpServerOptions): Promise<GitHttpServer> {
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!authorized(req, opts.auth)) {
      res.writeHead(401, { 'www-authenticate': `Basic realm="${opts.realm ?? 'gitward'}"` });
      res.end();
      opts.onRequest?.(method, path, 401);
      return;
    }
    void serveCgi(opts, req, res).then((status) => opts.onRequest?.(method, path, status));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** git without the user's or the system's config (a signing or hook setting must not interfere). */
function runGit(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const isolated = { ...env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  return new Promise((resolve, reject) => {
    execFile('git', args, { env: isolated }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout.trim());
    });
  });
}

export interface CommitDirectoryOptions {
  /** Path of the bare repository; created (branch `main`) when missing. */
  readonly repo: string;
  /** Directory whose files become the branch's whole tree. */
  readonly dir: string;
  readonly message: string;
  readonly env: NodeJS.ProcessEnv;
  readonly branch?: string;
  readonly author?: { readonly name: string; readonly email: string };
}

/**
 * Makes `dir`'s content the tip of a branch of a bare repository, keeping history: a new commit
 * on top of the branch only when the content differs from it. No working copy is involved (a
 * temporary index reads `dir` directly).
 */
export async function commitDirectory(
  opts: CommitDirectoryOptions,
): Promise<{ readonly commit: string; readonly changed: boolean }> {
  const branch = `refs/heads/${opts.branch ?? 'main'}`;
  const author = opts.author ?? { name: 'gitward dev', email: 'dev@gitward.invalid' };
  const exists = await access(join(opts.repo, 'HEAD')).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await mkdir(dirname(opts.repo), { recursive: true });
    await runGit(
      ['init', '--quiet', '--bare', `--initial-branch=${opts.branch ?? 'main'}`, opts.repo],
      opts.env,
    );
  }
  const index = join(opts.repo, 'gitward-commit-directory.index');
  const withIndex = { ...opts.env, GIT_INDEX_FILE: index };
  const tree = ['--git-dir', opts.repo, '--work-tree', opts.dir];
  await rm(index, { force: true });
  try {
    await runGit([...tree, 'add', '--all', '.'], withIndex);
    const treeId = await runGit([...tree, 'write-tree'], withIndex);
    const head = await runGit(
      ['--git-dir', opts.repo, 'rev-parse', '--verify', '--quiet', branch],
      opts.env,
    ).catch(() => '');
    if (
      head &&
      (await runGit(['--git-dir', opts.repo, 'rev-parse', `${head}^{tree}`], opts.env)) === treeId
    ) {
      return { commit: head, changed: false };
    }
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    const parent = head ? ['-p', head] : [];
    const commit = await runGit(
      ['--git-dir', opts.repo, 'commit-tree', treeId, ...parent, '-m', opts.message],
      { ...opts.env, ...identity },
    );
    // The old value guards against a concurrent update of the branch.
    await runGit(['--git-dir', opts.repo, 'update-ref', branch, commit, head], opts.env);
    return { commit, changed: true };
  } finally {
    await rm(index, { force: true });
  }
}
