import { mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@gitward/model';
import { git, gitEnv } from '@gitward/testkit';
import { findLocalRepository, parseLsFiles, pathInside, snapshotWorkTree } from './local-tree.ts';

const temps: string[] = [];
async function temp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'gitward-local-tree-'));
  temps.push(d);
  return d;
}
afterAll(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

describe('pathInside', () => {
  it.each([
    ['/r', '/r', '.'],
    ['/r', '/r/a/b', 'a/b'],
    ['/r', '/r/a/', 'a'],
  ])('%s, %s → %s', (root, dir, want) => {
    expect(pathInside(root, dir)).toBe(want);
  });
  it.each([
    ['/r', '/'],
    ['/r', '/rx'],
    ['/r/a', '/r/b'],
  ])('refuses %s, %s', (root, dir) => {
    expect(() => pathInside(root, dir)).toThrow(
      expect.objectContaining({ code: ErrorCode.PathEscape }),
    );
  });
});

describe('parseLsFiles', () => {
  it.each([
    ['', []],
    ['a\0b/c\0', ['a', 'b/c']],
    ['a\0a\0', ['a']],
    ['../x\0/etc/passwd\0.git/config\0ok\0', ['ok']],
  ])('%j → %j', (out, want) => {
    expect(parseLsFiles(out)).toEqual(want);
  });

  it('never yields a path leaving the tree, whatever the input', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (parts) => {
        for (const p of parseLsFiles(parts.join('\0'))) {
          expect(p.startsWith('/')).toBe(false);
          expect(p === '..' || p.startsWith('../')).toBe(false);
          expect(p === '.git' || p.startsWith('.git/')).toBe(false);
        }
      }),
    );
  });
});

describe('a local directory as a repository (real git)', { timeout: 30_000 }, () => {
  it('finds the enclosing repository, and a directory outside any is its own root', async () => {
    const repo = await temp();
    await git(repo, ['init', '--quiet']);
    await mkdir(join(repo, 'apps', 'prod'), { recursive: true });
    const found = await findLocalRepository(join(repo, 'apps', 'prod'), { env: gitEnv() });
    expect(found).toMatchObject({ path: 'apps/prod', isGit: true });
    const plain = await temp();
    expect(await findLocalRepository(plain, { env: gitEnv() })).toEqual({
      root: plain,
      path: '.',
      isGit: false,
    });
  });

  it('copies tracked and addable files with their links, never ignored ones', async () => {
    const repo = await temp();
    await git(repo, ['init', '--quiet']);
    await mkdir(join(repo, 'base'));
    await mkdir(join(repo, 'node_modules', 'x'), { recursive: true });
    await writeFile(join(repo, '.gitignore'), 'node_modules/\n*.log\n');
    await writeFile(join(repo, 'base', 'cm.yaml'), 'kind: ConfigMap\n');
    await writeFile(join(repo, 'tracked.yaml'), 'a: 1\n');
    await writeFile(join(repo, 'node_modules', 'x', 'big.js'), '//\n');
    await writeFile(join(repo, 'debug.log'), 'noise\n');
    await git(repo, ['add', 'tracked.yaml', '.gitignore']);
    await git(repo, ['commit', '--quiet', '-m', 'one']);
    await writeFile(join(repo, 'gone.yaml'), 'x\n');
    await git(repo, ['add', 'gone.yaml']);
    await rm(join(repo, 'gone.yaml'));
    await symlink('base/cm.yaml', join(repo, 'link.yaml'));

    const dest = join(await temp(), 'copy');
    await snapshotWorkTree(repo, dest, { env: gitEnv() });
    const names = (await readdir(dest, { recursive: true })).sort();
    expect(names).toEqual(['.gitignore', 'base', 'base/cm.yaml', 'link.yaml', 'tracked.yaml']);
    expect(await readlink(join(dest, 'link.yaml'))).toBe('base/cm.yaml');
  });
});
