import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@gitward/model';
import { assertLocalDependenciesInside } from './helm.ts';

let base: string;
let repo: string;
let chart: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'helm-deps-'));
  repo = join(base, 'repo');
  chart = join(repo, 'charts', 'app');
  await mkdir(chart, { recursive: true });
  await mkdir(join(repo, 'charts', 'lib'), { recursive: true });
  await mkdir(join(base, 'outside'), { recursive: true });
  await symlink(join(base, 'outside'), join(repo, 'charts', 'sneaky'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

const dep = (repository: string) => [{ name: 'd', version: '1.0.0', repository }];

describe('assertLocalDependenciesInside', () => {
  it('accepts file:// dependencies inside the repository and remote ones', async () => {
    await assertLocalDependenciesInside(repo, chart, dep('file://../lib'));
    await assertLocalDependenciesInside(repo, chart, dep('https://charts.example.com'));
    await assertLocalDependenciesInside(repo, chart, [null, 3, { name: 'no-repo' }]);
  });

  it.each([
    ['a relative path out', 'file://../../../outside'],
    ['an absolute path', 'file:///etc'],
    ['a symlink out', 'file://../sneaky'],
  ])('refuses %s', async (_, repository) => {
    await expect(assertLocalDependenciesInside(repo, chart, dep(repository))).rejects.toMatchObject(
      { code: ErrorCode.PathEscape },
    );
  });
});
