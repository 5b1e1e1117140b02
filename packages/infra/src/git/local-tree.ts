import { copyFile, cp, lstat, mkdir, readlink, symlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import { ErrorCode, GitwardError } from '@gitward/model';
import { GitFailure, gitChildEnv, runGit } from './git-exec.ts';

/**
 * A local directory rendered as a repository would be (offline `gitward render DIR`, `app diff
 * --local`): the enclosing git repository is the repository root, so a kustomize overlay's
 * `../base` resolves as it does from the repository URL, and nothing outside that root is read.
 */

/** Where a local directory sits: the repository root, and the directory's path inside it. */
export interface LocalRepository {
  /** The enclosing repository's top level, or the directory itself outside any repository. */
  readonly root: string;
  /** The directory relative to `root` ('.' when it is the root). */
  readonly path: string;
  /** Whether `root` is a git work tree (then only its files git knows or would add count). */
  readonly isGit: boolean;
}

/**
 * The path of `dir` inside `root`, both absolute; refuses a `dir` outside `root` (git's answer
 * for a directory is always an ancestor, so this only fails on a bug or a race with a rename).
 */
export function pathInside(root: string, dir: string): string {
  const rel = relative(root, dir);
  if (rel === '') return '.';
  if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
    throw new GitwardError(ErrorCode.PathEscape, `${dir} is not inside ${root}`);
  }
  return normalize(rel);
}

/**
 * The paths of `git ls-files -z` output: NUL-separated, relative, deduplicated (a file both
 * tracked and modified is listed once per source). Paths that would leave the tree are dropped:
 * git never prints them, and a copy must not follow one if it somehow did.
 */
export function parseLsFiles(out: string): string[] {
  const seen = new Set<string>();
  for (const p of out.split('\0')) {
    if (p === '' || isAbsolute(p)) continue;
    const n = normalize(p);
    if (n === '..' || n.startsWith(`..${sep}`) || n === '.git' || n.startsWith(`.git${sep}`))
      continue;
    seen.add(n);
  }
  return [...seen];
}

/**
 * Finds the repository enclosing `dir` (absolute) with `git rev-parse --show-toplevel`. A
 * directory in no repository (or one git refuses to read, such as another user's) is its own root,
 * which only narrows what a render may read.
 */
export async function findLocalRepository(
  dir: string,
  opts: { env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<LocalRepository> {
  let top: string;
  try {
    top = (
      await runGit(['rev-parse', '--show-toplevel'], {
        cwd: dir,
        env: gitChildEnv(opts.env),
        timeoutMs: opts.timeoutMs ?? 30_000,
      })
    ).trim();
  } catch (err) {
    if (err instanceof GitFailure && !err.timedOut) return { root: dir, path: '.', isGit: false };
    throw new GitwardError(ErrorCode.Timeout, `finding the git repository of ${dir} timed out`);
  }
  if (top === '') return { root: dir, path: '.', isGit: false };
  return { root: top, path: pathInside(top, dir), isGit: true };
}

/**
 * Copies the files of the work tree at `root` that git tracks or would add (untracked files not
 * ignored) into `dest`: what a commit of the work tree would hold, without build outputs,
 * node_modules and other ignored files a copy of the whole tree would drag along. Symlinks are
 * copied as links (the renderer checks where they lead); files deleted from the work tree are
 * skipped.
 */
export async function snapshotWorkTree(
  root: string,
  dest: string,
  opts: { env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<void> {
  const out = await runGit(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    env: gitChildEnv(opts.env),
    timeoutMs: opts.timeoutMs ?? 30_000,
  }).catch((err: unknown) => {
    const why = err instanceof GitFailure && err.timedOut ? 'timed out' : 'failed';
    throw new GitwardError(ErrorCode.Internal, `listing the files of ${root} ${why}`);
  });
  await mkdir(dest, { recursive: true, mode: 0o700 });
  for (const rel of parseLsFiles(out)) {
    const from = join(root, rel);
    const to = join(dest, rel);
    const st = await lstat(from).catch(() => undefined);
    if (!st) continue;
    await mkdir(dirname(to), { recursive: true });
    if (st.isSymbolicLink()) await symlink(await readlink(from), to);
    else if (st.isFile()) await copyFile(from, to);
    else if (st.isDirectory())
      // A submodule's work tree (git lists its path once): its files, without its .git.
      await cp(from, to, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (src) => !src.endsWith(`${sep}.git`),
      });
  }
}
