import { mkdir, mkdtemp, realpath, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ErrorCode, GitwardError, errorMessage, type CommitSignature } from '@gitward/model';
import {
  credentialsKey,
  hash,
  prepareAuth,
  writeHelperScripts,
  type HelperScripts,
  type RepoCredentials,
} from './credentials.ts';
import {
  commitLogFormat,
  parseCommitLog,
  parseTagList,
  type CommitMetadata,
} from './commit-metadata.ts';
import { createCheckoutCollector } from './checkout-gc.ts';
import { isAuthFailure, redact, tailLines } from './git-errors.ts';
import { GitFailure, gitChildEnv, runGit } from './git-exec.ts';
import { createKeyrings, parseVerifyRaw } from './gpg.ts';
import { runProcess } from '../process/run-process.ts';
import { canReadInProcess, readRemoteRefs, type RemoteRefs } from './remote-refs.ts';
import { classifyRevision, isShortSha, parseRemoteHead, refForName } from './revision.ts';
import { createSharedReads, freshnessClock } from './shared-reads.ts';
import { parseGitlinks, parseGitmodules, resolveSubmoduleUrl, serverOf } from './submodules.ts';

/**
 * The git adapter: one bare mirror per repository URL, fetched incrementally, from which
 * revisions are resolved and commit trees materialized.
 *
 * The mirrors and checkouts are a cache shared by URL, as in Argo CD's repo-server: credentials
 * authenticate gitward to the remote, they do not authorize a caller to read the cache. Deciding
 * who may use which repoURL is the caller's job (AppProject source repos).
 *
 * Layout under cacheDir: `repos/<url hash>.git` (mirrors), `checkouts/<url hash>/<sha>` (trees,
 * garbage-collected by count and idle time, see checkout-gc.ts),
 * `bin/` (askpass and ssh wrapper scripts), `tmp/` (per-run SSH key files, deleted after use).
 * Concurrency is handled within one process; two processes sharing a cacheDir are not supported.
 */

/** A commit that a targetRevision resolved to, and the ref it came from (if any). */
export interface ResolvedRevision {
  readonly sha: string;
  /** e.g. refs/heads/main or refs/tags/v1.2.3; absent when the revision was a SHA. */
  readonly ref?: string;
}

/** How fresh the server's answer must be for one lookup. */
export interface ResolveOptions {
  /**
   * On the freshnessClock: answer from a read of the server's refs started at or after this
   * moment, shared with other lookups when one did (see shared-reads.ts). The caller passes the
   * moment its work was asked for, so no push made before then is missed. Absent: only a read
   * in flight is shared, never a completed one.
   */
  readonly freshAfter?: number;
}

/** What a checkout needs beyond the repository's own credentials. */
export interface CheckoutOptions {
  /**
   * The credentials for a submodule's URL (a repository Secret matching it), asked once per
   * submodule. Without a match, a submodule on the superproject's own server gets the
   * superproject's credentials, one elsewhere none: a repository author picks submodule URLs and
   * must not be able to send credentials to a host of their choosing.
   */
  readonly credentialsFor?: (url: string) => RepoCredentials | undefined;
}

/** Git repositories as gitward reads them: resolve a revision, then check out its tree. */
export interface GitRepositories {
  /**
   * Resolves a branch, tag, full or abbreviated SHA, `HEAD`/empty (the remote's default branch)
   * or a semver constraint over tags. Everything but a full SHA already fetched refreshes the
   * mirror first, so new commits are seen.
   */
  resolveRevision(
    repoURL: string,
    targetRevision: string,
    creds?: RepoCredentials,
    opts?: ResolveOptions,
  ): Promise<ResolvedRevision>;
  /**
   * Path of the tree of commit `sha` (full SHA), materialized once; callers must not modify it.
   * The tree is kept while in use: call `release` with the path when done reading it. Submodules
   * are checked out in it, recursively (unless the adapter was made with `submodules: false`).
   */
  checkout(
    repoURL: string,
    sha: string,
    creds?: RepoCredentials,
    opts?: CheckoutOptions,
  ): Promise<string>;
  /** Ends one use of a tree `checkout` returned; unused trees are garbage-collected. */
  release(dir: string): void;
  /**
   * Author, date, message and tags of commit `sha` (full SHA), fetching only when the mirror does
   * not have it yet: what the UI shows beside an app's synced revision.
   */
  commitMetadata(repoURL: string, sha: string, creds?: RepoCredentials): Promise<CommitMetadata>;
  /**
   * The signature of commit `sha` (full SHA) as GnuPG judges it with a keyring of exactly `keys`
   * (ASCII-armored public keys; the GPG keys ConfigMap). Answers are remembered per commit and
   * key set. Whether the key is allowed is the caller's decision (engine, signatureProblem).
   */
  verifyCommit(
    repoURL: string,
    sha: string,
    keys: readonly string[],
    creds?: RepoCredentials,
  ): Promise<CommitSignature>;
  /**
   * For tests and benchmarks: network fetches run, revisions answered from the server's ref
   * advertisement alone (no git process: the commit was already in the mirror), and the
   * advertisement requests actually sent (concurrent lookups of one repository share one), and
   * the lookups that used a read another lookup started (in flight, or completed and fresh enough).
   */
  readonly stats: {
    fetches: number;
    advertised: number;
    advertisementReads: number;
    advertisementShared: number;
  };
}

export interface GitRepositoriesOptions {
  /** Where mirrors and checkouts live; created on demand. */
  readonly cacheDir: string;
  /** Per git command; default 120 s. */
  readonly timeoutMs?: number;
  /** The inherited environment (PATH, HOME, proxies) for git children, from the composition root. */
  readonly env: NodeJS.ProcessEnv;
  /** Checked-out trees kept at most (those in use are never removed); default 100. */
  readonly maxCheckouts?: number;
  /** A tree unused for this long is removed; default 1 hour. */
  readonly checkoutMaxIdleMs?: number;
  /**
   * How long credentials that reached a repository are trusted to still reach it, before a
   * commit already in the mirror is served to them again without asking the server; 5 minutes
   * unless set.
   */
  readonly accessTtlMs?: number;
  /** The clock `freshAfter` is compared on; freshnessClock unless set (tests). */
  readonly now?: () => number;
  /**
   * Check out submodules with the tree (Argo CD's default; ARGOCD_GIT_MODULES_ENABLED=false turns
   * it off there). Off: a submodule is an empty directory.
   */
  readonly submodules?: boolean;
}

/** Nested submodules followed at most, and submodules of one checkout at most. */
const maxSubmoduleDepth = 8;
const maxSubmodules = 100;

/** (repository, credentials) pairs remembered as having access, at most. */
const maxProven = 1000;

const fullSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Renames a finished temp dir into place; another writer having won the race is fine. */
async function renameInto(tmp: string, final: string): Promise<void> {
  try {
    await rename(tmp, final);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw err;
  }
}

function checkUrl(repoURL: string): void {
  // A URL starting with "-" would be read by git as an option.
  if (repoURL.trim() === '' || repoURL.startsWith('-')) {
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `invalid repository URL "${redact(repoURL)}"`,
    );
  }
}

function notFound(repoURL: string, revision: string): GitwardError {
  return new GitwardError(
    ErrorCode.RevisionNotFound,
    `revision "${revision}" not found in ${redact(repoURL)}`,
  );
}

/** Maps a failed git run to a GitwardError whose message is safe to show. */
function gitError(
  err: unknown,
  what: string,
  secrets: readonly string[],
  timeoutMs: number,
  fallback: ErrorCode = ErrorCode.RepoFetchFailed,
): GitwardError {
  if (err instanceof GitwardError) return err;
  if (!(err instanceof GitFailure)) {
    return new GitwardError(ErrorCode.Internal, `${what}: ${redact(errorMessage(err), secrets)}`);
  }
  if (err.timedOut) {
    return new GitwardError(ErrorCode.Timeout, `${what} timed out after ${timeoutMs / 1000}s`);
  }
  const detail = tailLines(redact(err.stderr, secrets));
  if (isAuthFailure(err.stderr)) {
    return new GitwardError(ErrorCode.RepoAuthFailed, `${what}: authentication failed: ${detail}`);
  }
  return new GitwardError(fallback, `${what} failed: ${detail}`);
}

/** Creates the git adapter over a cache directory. */
export function createGitRepositories(opts: GitRepositoriesOptions): GitRepositories {
  const cacheDir = resolve(opts.cacheDir);
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const stats = { fetches: 0, advertised: 0, advertisementReads: 0, advertisementShared: 0 };
  // Advertisement reads by repository and credentials: apps of one repository refreshed together
  // (a periodic cycle, a webhook for a monorepo) share one answer, a completed one only when it
  // was read after their lookup was asked for (ResolveOptions.freshAfter).
  const advertising = createSharedReads<RemoteRefs>({ now: opts.now ?? freshnessClock });
  // Commits known to be in each mirror, so an advertised SHA is checked with git only once.
  const known = new Map<string, Set<string>>();
  let scripts: Promise<HelperScripts> | undefined;
  const mirrors = new Map<string, Promise<string>>();
  const fetches = new Map<string, { key: string; done: Promise<void> }>();
  const checkouts = new Map<string, Promise<string>>();
  const urlHash = (repoURL: string): string => hash(repoURL).slice(0, 24);
  const trees = createCheckoutCollector({
    root: join(cacheDir, 'checkouts'),
    maxCheckouts: opts.maxCheckouts ?? 100,
    maxIdleMs: opts.checkoutMaxIdleMs ?? 3_600_000,
  });

  /** Memoizes `start()` under `key` until it settles (a failure is retried by the next call). */
  function once<T>(map: Map<string, Promise<T>>, key: string, start: () => Promise<T>): Promise<T> {
    const running = map.get(key);
    if (running) return running;
    const p = start();
    map.set(key, p);
    const forget = (): void => void (map.get(key) === p && map.delete(key));
    void p.then(forget, forget);
    return p;
  }

  function helperScripts(): Promise<HelperScripts> {
    scripts ??= writeHelperScripts(join(cacheDir, 'bin')).catch((err: unknown) => {
      scripts = undefined;
      throw err;
    });
    return scripts;
  }

  // The mirror of a repository is shared by every caller, whatever credentials fetched into it:
  // a commit is served from it only to credentials that have reached the repository themselves
  // lately (a fetch, an advertisement read, or an ls-remote made for this check). Otherwise an
  // app without credentials would read a private repository's commit another app fetched.
  const accessTtlMs = opts.accessTtlMs ?? 5 * 60_000;
  const proven = new Map<string, number>();
  const accessChecks = new Map<string, Promise<string>>();
  const accessKey = (repoURL: string, creds: RepoCredentials | undefined) =>
    `${repoURL}\0${credentialsKey(creds)}`;
  function markProven(repoURL: string, creds: RepoCredentials | undefined): void {
    const key = accessKey(repoURL, creds);
    proven.delete(key);
    proven.set(key, Date.now());
    if (proven.size > maxProven) proven.delete(proven.keys().next().value ?? '');
  }
  /** Fails (REPO_AUTH_FAILED, ...) unless `creds` may read `repoURL` now. */
  async function requireAccess(repoURL: string, creds: RepoCredentials | undefined) {
    const key = accessKey(repoURL, creds);
    const at = proven.get(key);
    if (at !== undefined && Date.now() - at < accessTtlMs) return;
    await once(accessChecks, key, () =>
      remoteGit(
        ['ls-remote', '--', repoURL, 'HEAD'],
        creds,
        `checking access to ${redact(repoURL)}`,
      ),
    );
    markProven(repoURL, creds);
  }

  /** Runs git against the remote with `creds`; `what` names the operation in errors. */
  async function remoteGit(
    args: readonly string[],
    creds: RepoCredentials | undefined,
    what: string,
  ): Promise<string> {
    const auth = await prepareAuth(creds, await helperScripts(), join(cacheDir, 'tmp'));
    try {
      return await runGit(args, { env: gitChildEnv(opts.env, auth.settings), timeoutMs });
    } catch (err) {
      throw gitError(err, what, auth.secrets, timeoutMs);
    } finally {
      await auth.cleanup();
    }
  }

  /** Runs git locally (no network, no credentials). */
  function localGit(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
    return runGit(args, { env: gitChildEnv(opts.env, { env }), timeoutMs });
  }

  /** The commit `expr` names in the mirror, or undefined if it names none. */
  async function revParse(mirror: string, expr: string): Promise<string | undefined> {
    try {
      const out = await localGit([
        `--git-dir=${mirror}`,
        'rev-parse',
        '--verify',
        '--quiet',
        `${expr}^{commit}`,
      ]);
      return out.trim() || undefined;
    } catch (err) {
      if (err instanceof GitFailure && err.exitCode === 1) return undefined;
      throw gitError(err, `git rev-parse in the mirror`, [], timeoutMs, ErrorCode.Internal);
    }
  }

  function ensureMirror(repoURL: string): Promise<string> {
    return once(mirrors, repoURL, async () => {
      const dir = join(cacheDir, 'repos', `${urlHash(repoURL)}.git`);
      if (await exists(join(dir, 'HEAD'))) return dir;
      await mkdir(dirname(dir), { recursive: true });
      // Initialized aside and renamed, so a crash never leaves a half-made mirror in place.
      const tmp = await mkdtemp(join(dirname(dir), '.tmp-'));
      try {
        await localGit(['init', '--bare', '--quiet', tmp]);
        await renameInto(tmp, dir);
      } catch (err) {
        throw gitError(err, 'creating a git mirror', [], timeoutMs, ErrorCode.Internal);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
      return dir;
    });
  }

  async function fetchNow(repoURL: string, creds: RepoCredentials | undefined): Promise<void> {
    const mirror = await ensureMirror(repoURL);
    stats.fetches++;
    await remoteGit(
      [
        `--git-dir=${mirror}`,
        'fetch',
        '--prune',
        '--force',
        '--no-write-fetch-head',
        '--',
        repoURL,
        '+refs/heads/*:refs/heads/*',
        '+refs/tags/*:refs/tags/*',
      ],
      creds,
      `fetching ${redact(repoURL)}`,
    );
    markProven(repoURL, creds);
  }

  /**
   * Updates the mirror. Callers with the same credentials share a fetch in flight; other
   * credentials queue behind it (two fetches into one mirror fight over ref locks) and do not
   * borrow its outcome.
   */
  function refresh(repoURL: string, creds: RepoCredentials | undefined): Promise<void> {
    const key = credentialsKey(creds);
    const current = fetches.get(repoURL);
    if (current?.key === key) return current.done;
    const before = current?.done.catch(() => undefined) ?? Promise.resolve();
    const entry = { key, done: before.then(() => fetchNow(repoURL, creds)) };
    fetches.set(repoURL, entry);
    const forget = (): void => void (fetches.get(repoURL) === entry && fetches.delete(repoURL));
    void entry.done.then(forget, forget);
    return entry.done;
  }

  /** The commit `sha` in the mirror, fetching only if it is not there yet. */
  async function commitInMirror(
    repoURL: string,
    sha: string,
    creds: RepoCredentials | undefined,
  ): Promise<{ mirror: string; commit: string }> {
    const mirror = await ensureMirror(repoURL);
    let commit = await revParse(mirror, sha);
    if (commit) await requireAccess(repoURL, creds);
    else {
      await refresh(repoURL, creds);
      commit = await revParse(mirror, sha);
    }
    if (!commit) throw notFound(repoURL, sha);
    return { mirror, commit };
  }

  /** Whether `sha` is in the mirror of `repoURL` (remembered once seen). */
  async function inMirror(repoURL: string, sha: string): Promise<boolean> {
    const seen = known.get(repoURL) ?? new Set<string>();
    known.set(repoURL, seen);
    if (seen.has(sha)) return true;
    const found = await revParse(await ensureMirror(repoURL), sha);
    if (found !== sha) return false;
    seen.add(sha);
    return true;
  }

  /**
   * The fast path of a revision lookup: the server's advertisement names the commit, and the
   * mirror already has it, so there is nothing to fetch. Undefined sends the caller down the git
   * path (SSH, a new commit, an unreadable advertisement, a name it does not settle).
   */
  async function fromAdvertisement(
    repoURL: string,
    creds: RepoCredentials | undefined,
    freshAfter: number | undefined,
    pick: (remote: RemoteRefs) => ResolvedRevision | undefined,
  ): Promise<ResolvedRevision | undefined> {
    if (!canReadInProcess(repoURL, creds, opts.env)) return undefined;
    const reading = advertising.read(
      accessKey(repoURL, creds),
      () => {
        stats.advertisementReads++;
        return readRemoteRefs(repoURL, creds, Math.min(timeoutMs, 30_000));
      },
      freshAfter,
    );
    if (reading.shared) stats.advertisementShared++;
    const remote = await reading.value;
    // A completed read proved access when it arrived (its own lookup marked it), not now.
    if (remote && !reading.reused) markProven(repoURL, creds);
    const hit = remote && pick(remote);
    if (!hit || !(await inMirror(repoURL, hit.sha))) return undefined;
    stats.advertised++;
    return hit;
  }

  async function resolveDefaultBranch(
    repoURL: string,
    revision: string,
    creds: RepoCredentials | undefined,
    freshAfter: number | undefined,
  ): Promise<ResolvedRevision> {
    const fast = await fromAdvertisement(repoURL, creds, freshAfter, (r) => {
      const sha = r.head ? r.refs.get(r.head) : r.headSha;
      if (!sha) return undefined;
      return r.head ? { sha, ref: r.head } : { sha };
    });
    if (fast) return fast;
    // A bare mirror's HEAD does not follow the remote's, so ask the remote which branch it is.
    const [listing] = await Promise.all([
      remoteGit(
        ['ls-remote', '--symref', '--', repoURL, 'HEAD'],
        creds,
        `listing ${redact(repoURL)}`,
      ),
      refresh(repoURL, creds),
    ]);
    const head = parseRemoteHead(listing);
    const mirror = await ensureMirror(repoURL);
    const fromRef = head.ref ? await revParse(mirror, head.ref) : undefined;
    if (fromRef && head.ref) return { sha: fromRef, ref: head.ref };
    const fromSha = head.sha ? await revParse(mirror, head.sha) : undefined;
    if (fromSha) return { sha: fromSha };
    throw notFound(repoURL, revision || 'HEAD');
  }

  async function resolveName(
    repoURL: string,
    name: string,
    creds: RepoCredentials | undefined,
    freshAfter: number | undefined,
  ): Promise<ResolvedRevision> {
    const fast = await fromAdvertisement(repoURL, creds, freshAfter, (r) => {
      const ref = refForName(new Set(r.refs.keys()), name);
      const sha = ref && r.refs.get(ref);
      return ref && sha ? { sha, ref } : undefined;
    });
    if (fast) return fast;
    await refresh(repoURL, creds);
    const mirror = await ensureMirror(repoURL);
    const listing = await localGit([
      `--git-dir=${mirror}`,
      'for-each-ref',
      '--format=%(refname)',
      'refs/heads',
      'refs/tags',
    ]);
    const ref = refForName(new Set(listing.split('\n').filter(Boolean)), name);
    const fromRef = ref ? await revParse(mirror, ref) : undefined;
    if (fromRef && ref) return { sha: fromRef, ref };
    const fromSha = isShortSha(name) ? await revParse(mirror, name.toLowerCase()) : undefined;
    if (fromSha) return { sha: fromSha };
    throw notFound(repoURL, name);
  }

  /**
   * A submodule's pinned commit in its own mirror: fetched with the branches and tags like any
   * repository, and, when no branch or tag holds it, by its SHA (protocol v2 serves any commit
   * the server has), kept under refs/gitward/ so a later fetch's prune leaves it.
   */
  async function submoduleCommit(
    url: string,
    sha: string,
    creds: RepoCredentials | undefined,
  ): Promise<{ mirror: string; commit: string }> {
    try {
      return await commitInMirror(url, sha, creds);
    } catch (err) {
      if (!(err instanceof GitwardError) || err.code !== ErrorCode.RevisionNotFound) throw err;
    }
    const mirror = await ensureMirror(url);
    await remoteGit(
      [
        `--git-dir=${mirror}`,
        'fetch',
        '--no-write-fetch-head',
        '--',
        url,
        `+${sha}:refs/gitward/pinned/${sha}`,
      ],
      creds,
      `fetching commit ${sha} of ${redact(url)}`,
    ).catch(() => undefined);
    const commit = await revParse(mirror, sha);
    if (!commit) throw notFound(url, sha);
    return { mirror, commit };
  }

  interface SubmoduleRun {
    /** The checkout's temp dir (private index files go here). */
    readonly tmp: string;
    count: number;
    readonly checkout: CheckoutOptions | undefined;
  }

  /**
   * Checks out the submodules of `commit` (already written to `tree`) into their directories, and
   * theirs, as `git submodule update --init --recursive` would, each through its own mirror.
   */
  async function checkoutSubmodules(
    run: SubmoduleRun,
    at: {
      url: string;
      mirror: string;
      commit: string;
      tree: string;
      creds: RepoCredentials | undefined;
    },
    depth: number,
  ): Promise<void> {
    const links = parseGitlinks(
      await localGit([`--git-dir=${at.mirror}`, 'ls-tree', '-r', '-z', '--full-tree', at.commit]),
    );
    if (links.length === 0) return;
    let modules: Map<string, string>;
    try {
      modules = parseGitmodules(
        await localGit([
          `--git-dir=${at.mirror}`,
          'config',
          '--blob',
          `${at.commit}:.gitmodules`,
          '-z',
          '--list',
        ]),
      );
    } catch {
      // No .gitmodules: Argo CD runs no submodule update either; the gitlinks stay empty.
      return;
    }
    if (depth >= maxSubmoduleDepth)
      throw new GitwardError(
        ErrorCode.UnsafeSubmodule,
        `submodules of ${redact(at.url)} nest deeper than ${maxSubmoduleDepth} levels`,
      );
    const realTree = await realpath(at.tree);
    for (const link of links) {
      const what = `submodule ${link.path} of ${redact(at.url)}`;
      if (++run.count > maxSubmodules)
        throw new GitwardError(
          ErrorCode.UnsafeSubmodule,
          `more than ${maxSubmodules} submodules in one checkout`,
        );
      const declared = modules.get(link.path);
      if (declared === undefined)
        throw new GitwardError(
          ErrorCode.RepoFetchFailed,
          `${what}: no url found for it in .gitmodules`,
        );
      let url: string;
      try {
        url = resolveSubmoduleUrl(at.url, declared);
      } catch (err) {
        throw new GitwardError(ErrorCode.UnsafeSubmodule, `${what}: ${errorMessage(err)}`);
      }
      const creds =
        run.checkout?.credentialsFor?.(url) ??
        (serverOf(url) !== undefined && serverOf(url) === serverOf(at.url) ? at.creds : undefined);
      const { mirror, commit } = await submoduleCommit(url, link.sha, creds).catch(
        (err: unknown) => {
          // The submodule's own error (fetching <its URL>: ...), said to be about the submodule.
          const e = gitError(err, `fetching ${redact(url)}`, [], timeoutMs);
          throw new GitwardError(e.code, `${what}: ${e.message}`, { cause: e });
        },
      );
      // git made the gitlink's directory; it must still be inside the tree (no symlink on the way).
      const dest = join(at.tree, link.path);
      await mkdir(dest, { recursive: true });
      const realDest = await realpath(dest);
      if (!realDest.startsWith(realTree + sep))
        throw new GitwardError(ErrorCode.PathEscape, `${what} leaves the checkout`);
      const env = { GIT_INDEX_FILE: join(run.tmp, `index-${run.count}`) };
      await localGit([`--git-dir=${mirror}`, 'read-tree', commit], env);
      await localGit(
        [`--git-dir=${mirror}`, `--work-tree=${realDest}`, 'checkout-index', '--all', '--force'],
        env,
      );
      await checkoutSubmodules(run, { url, mirror, commit, tree: realDest, creds }, depth + 1);
    }
  }

  /** Writes the tree of `sha` to `dir` through a temp dir, so `dir` is complete or absent. */
  async function materialize(
    repoURL: string,
    sha: string,
    dir: string,
    creds: RepoCredentials | undefined,
    checkoutOpts: CheckoutOptions | undefined,
  ): Promise<string> {
    if (await exists(dir)) return dir;
    const { mirror, commit } = await commitInMirror(repoURL, sha, creds);
    await mkdir(dirname(dir), { recursive: true });
    const tmp = await mkdtemp(join(dirname(dir), `.tmp-${sha.slice(0, 12)}-`));
    try {
      // git's own checkout (with a private index) rather than `git archive | tar`: it keeps
      // symlinks, refuses unsafe paths (.git, ..) and ignores export-ignore/export-subst.
      const env = { GIT_INDEX_FILE: join(tmp, 'index') };
      const tree = join(tmp, 'tree');
      await mkdir(tree);
      await localGit([`--git-dir=${mirror}`, 'read-tree', commit], env);
      await localGit(
        [`--git-dir=${mirror}`, `--work-tree=${tree}`, 'checkout-index', '--all', '--force'],
        env,
      );
      if (opts.submodules ?? true) {
        const ctx = { tmp, count: 0, checkout: checkoutOpts };
        await checkoutSubmodules(ctx, { url: repoURL, mirror, commit, tree, creds }, 0);
      }
      await renameInto(tree, dir);
    } catch (err) {
      throw gitError(
        err,
        `checking out ${sha} of ${redact(repoURL)}`,
        [],
        timeoutMs,
        ErrorCode.Internal,
      );
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return dir;
  }

  const keyrings = createKeyrings({ root: join(cacheDir, 'gnupg'), env: opts.env, timeoutMs });
  // Verdicts by commit and key set (a commit's signature never changes), least recently used out.
  const verdicts = new Map<string, CommitSignature>();
  const maxVerdicts = 5000;

  async function verify(
    repoURL: string,
    sha: string,
    keys: readonly string[],
    creds: RepoCredentials | undefined,
  ): Promise<CommitSignature> {
    const { mirror, commit } = await commitInMirror(repoURL, sha, creds);
    const home = await keyrings.home(keys);
    const key = `${home}\0${commit}`;
    const known = verdicts.get(key);
    if (known) {
      verdicts.delete(key);
      verdicts.set(key, known);
      return known;
    }
    // GnuPG's status lines go to stderr; exit 1 is "unsigned or not good", not a failure.
    const r = await runProcess('git', [`--git-dir=${mirror}`, 'verify-commit', '--raw', commit], {
      env: gitChildEnv(opts.env, {
        config: [['gpg.program', 'gpg']],
        env: { GNUPGHOME: home },
      }),
      timeoutMs,
      maxOutputBytes: 1 << 20,
    });
    let verdict: CommitSignature;
    if (r.kind === 'exited' && r.code <= 1) verdict = parseVerifyRaw(r.stderr);
    else
      return {
        status: 'error',
        detail:
          r.kind === 'timeout'
            ? `git verify-commit timed out after ${timeoutMs / 1000}s`
            : `git verify-commit failed: ${r.kind === 'exited' ? tailLines(r.stderr) : r.kind}`,
      };
    verdicts.set(key, verdict);
    if (verdicts.size > maxVerdicts) verdicts.delete(verdicts.keys().next().value ?? '');
    return verdict;
  }

  async function readMetadata(
    repoURL: string,
    sha: string,
    creds: RepoCredentials | undefined,
  ): Promise<CommitMetadata> {
    const { mirror, commit } = await commitInMirror(repoURL, sha, creds);
    try {
      const [log, tags] = await Promise.all([
        localGit([
          `--git-dir=${mirror}`,
          'log',
          '-1',
          '--no-show-signature',
          `--format=${commitLogFormat}`,
          commit,
          '--',
        ]),
        localGit([`--git-dir=${mirror}`, 'tag', '--points-at', commit]),
      ]);
      const parsed = parseCommitLog(log);
      if (!parsed) throw new GitwardError(ErrorCode.Internal, `unreadable git log of ${commit}`);
      return { ...parsed, tags: parseTagList(tags) };
    } catch (err) {
      throw gitError(
        err,
        `reading commit ${sha} of ${redact(repoURL)}`,
        [],
        timeoutMs,
        ErrorCode.Internal,
      );
    }
  }

  function requireFullSha(sha: string, what: string): string {
    if (!fullSha.test(sha)) {
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `${what} needs a full commit SHA, got "${sha}" (resolve the revision first)`,
      );
    }
    return sha.toLowerCase();
  }

  return {
    stats,
    async resolveRevision(repoURL, targetRevision, creds, resolveOpts) {
      checkUrl(repoURL);
      const spec = classifyRevision(targetRevision);
      switch (spec.kind) {
        case 'commit':
          return { sha: (await commitInMirror(repoURL, spec.sha, creds)).commit };
        case 'default-branch':
          return resolveDefaultBranch(repoURL, targetRevision, creds, resolveOpts?.freshAfter);
        case 'name':
          return resolveName(repoURL, spec.name, creds, resolveOpts?.freshAfter);
      }
    },
    async checkout(repoURL, sha, creds, checkoutOpts) {
      checkUrl(repoURL);
      const id = requireFullSha(sha, 'checkout');
      // A checkout made for other credentials is the same files: the same rule as the mirror.
      await requireAccess(repoURL, creds);
      // Trees with submodules are named apart: one made without them (submodules off, or an older
      // gitward) is never served as one with them.
      const name = (opts.submodules ?? true) ? `${id}+modules` : id;
      const dir = join(cacheDir, 'checkouts', urlHash(repoURL), name);
      await trees.acquire(dir);
      try {
        await once(checkouts, dir, () => materialize(repoURL, id, dir, creds, checkoutOpts));
      } catch (err) {
        trees.release(dir);
        throw err;
      }
      // A removal failing (a file made read-only by a tool) is retried by the next collection.
      void trees.collect().catch(() => undefined);
      return dir;
    },
    release(dir) {
      trees.release(dir);
    },
    async commitMetadata(repoURL, sha, creds) {
      checkUrl(repoURL);
      return readMetadata(repoURL, requireFullSha(sha, 'commit metadata'), creds);
    },
    async verifyCommit(repoURL, sha, keys, creds) {
      checkUrl(repoURL);
      return verify(repoURL, requireFullSha(sha, 'signature verification'), keys, creds);
    },
  };
}
