import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { ErrorCode, GitwardError } from '@gitward/model';

const inside = (root: string, p: string) => p === root || p.startsWith(root + sep);

/**
 * Resolves a repository-relative path (an Application's `path`, a values file) and refuses any
 * that leaves the repository, by `..` or through a symlink.
 */
export async function resolveInside(root: string, relPath: string, what = 'path'): Promise<string> {
  const rel = normalize(relPath === '' ? '.' : relPath);
  if (isAbsolute(rel) || rel === '..' || rel.startsWith(`..${sep}`)) {
    throw new GitwardError(
      ErrorCode.PathEscape,
      `${what} ${JSON.stringify(relPath)} leaves the repository`,
    );
  }
  const realRoot = await realpath(root);
  const candidate = resolve(realRoot, rel);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw new GitwardError(
      ErrorCode.NotFound,
      `${what} ${JSON.stringify(relPath)} does not exist in the repository`,
    );
  }
  if (!inside(realRoot, real)) {
    throw new GitwardError(
      ErrorCode.PathEscape,
      `${what} ${JSON.stringify(relPath)} leaves the repository (symlink)`,
    );
  }
  return real;
}

/**
 * Fails if any symlink under `dir` points outside `root`. Tools such as kustomize and helm follow
 * symlinks on their own, so the whole tree is checked before they run.
 */
export async function assertNoEscapingSymlinks(root: string, dir = root): Promise<void> {
  const realRoot = await realpath(root);
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isSymbolicLink()) {
        const target = resolve(d, await readlink(p));
        const real = await realpath(target).catch(() => target);
        if (!inside(realRoot, real)) {
          throw new GitwardError(
            ErrorCode.PathEscape,
            `symlink ${relative(realRoot, p)} points outside the repository`,
          );
        }
      } else if (entry.isDirectory() && entry.name !== '.git') {
        await walk(p);
      }
    }
  };
  if ((await lstat(dir)).isDirectory()) await walk(dir);
}
