import { cp } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { assertNoEscapingSymlinks } from '@gitward/infra';

/**
 * Copies the repository into the scratch directory, for tools that write (kustomize edit, helm
 * dependency build, plugins), after checking no symlink leads out of it. Returns the copy's root
 * and the source directory inside the copy.
 */
export async function writableCopy(
  repoRoot: string,
  sourceDir: string,
  scratch: string,
  /** The copy's directory in scratch: one render may need several fresh copies (plugins). */
  name = 'repo',
): Promise<{ root: string; dir: string }> {
  await assertNoEscapingSymlinks(repoRoot);
  const root = join(scratch, name);
  await cp(repoRoot, root, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (src) => !src.endsWith('/.git'),
  });
  return { root, dir: join(root, relative(repoRoot, sourceDir)) };
}
