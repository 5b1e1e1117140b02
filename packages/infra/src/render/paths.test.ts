import { mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { assertNoEscapingSymlinks, resolveInside } from './paths.ts';
import { createLimiter } from './limiter.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gitward-paths-'));
  await mkdir(join(root, 'app'));
  await writeFile(join(root, 'app', 'a.yaml'), '');
  await symlink('app', join(root, 'inner-link'));
  await symlink('/etc', join(root, 'outer-link'));
});

describe('resolveInside', () => {
  it.each(['app', 'app/a.yaml', '.', '', 'app/../app', 'inner-link'])('accepts %j', async (p) => {
    await expect(resolveInside(root, p)).resolves.toContain(root);
  });
  it.each(['..', '../x', '/etc', 'app/../../x', 'outer-link'])('refuses %j', async (p) => {
    await expect(resolveInside(root, p)).rejects.toMatchObject({ code: ErrorCode.PathEscape });
  });
  it('says a missing path does not exist', async () => {
    await expect(resolveInside(root, 'nope')).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});

describe('assertNoEscapingSymlinks', () => {
  it('finds a symlink out of the tree', async () => {
    await expect(assertNoEscapingSymlinks(root)).rejects.toThrow(/outer-link points outside/);
  });
  it('accepts a tree whose links stay inside', async () => {
    await expect(assertNoEscapingSymlinks(root, join(root, 'app'))).resolves.toBeUndefined();
  });
});

describe('createLimiter', () => {
  it('never runs more than the limit at once', async () => {
    const limit = createLimiter(2);
    let running = 0;
    let peak = 0;
    const task = () =>
      limit(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
      });
    await Promise.all(Array.from({ length: 8 }, task));
    expect(peak).toBe(2);
  });
});

describe('resolveInside, for arbitrary relative strings', () => {
  // Segments that exercise `..`, `.`, empty parts, absolute starts, symlinks in and out, and
  // names that merely start with dots or look like the root's own name.
  const segment = fc.constantFrom(
    '..',
    '.',
    '',
    'app',
    'a.yaml',
    'inner-link',
    'outer-link',
    '..x',
    '...',
    'nope',
    '/',
    '/etc',
  );
  const relPath = fc.oneof(
    fc.array(segment, { maxLength: 8 }).map((parts) => parts.join('/')),
    fc.string(),
  );

  it('never returns a path outside the root', async () => {
    const realRoot = await realpath(root);
    await fc.assert(
      fc.asyncProperty(relPath, async (p) => {
        const out = await resolveInside(root, p).catch((err: unknown) => err);
        if (typeof out === 'string') {
          expect(out === realRoot || out.startsWith(`${realRoot}${sep}`)).toBe(true);
        } else {
          expect(out).toBeInstanceOf(GitwardError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
