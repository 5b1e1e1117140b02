import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitServer, git, type GitServer } from '@gitward/testkit';

const auth = { username: 'alice', password: 's3cret-pass' };
const header = [
  '-c',
  `http.extraHeader=Authorization: Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
];

describe('the git test server', () => {
  let server: GitServer;
  let work: string;

  beforeAll(async () => {
    server = await createGitServer({ auth });
    work = await mkdtemp(join(tmpdir(), 'gitward-clone-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(work, { recursive: true, force: true });
  });

  it('serves a fixture repository with history that git clone reads over HTTP', async () => {
    const fixture = join(work, 'fixture');
    await mkdir(join(fixture, 'app'), { recursive: true });
    await writeFile(
      join(fixture, 'app', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n',
    );
    const repo = await server.createRepo('team/app', fixture);
    await repo.tag('v1.0.0');
    await repo.branch('staging');
    await repo.commit(
      { 'app/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n' },
      'staging change',
    );
    await repo.checkout('main');
    await repo.push();

    const clone = join(work, 'c1');
    await git(work, [...header, 'clone', '--quiet', repo.url, clone]);
    expect(await readFile(join(clone, 'app', 'cm.yaml'), 'utf8')).toContain('name: a');
    const refs = await git(work, [...header, 'ls-remote', repo.url]);
    expect(refs).toMatch(/refs\/heads\/main/);
    expect(refs).toMatch(/refs\/heads\/staging/);
    expect(refs).toMatch(/refs\/tags\/v1\.0\.0/);
  });

  it('makes a pushed commit visible to an existing clone', async () => {
    const repo = await server.createRepo('pushed');
    const clone = join(work, 'c2');
    await git(work, [...header, 'clone', '--quiet', repo.url, clone]);
    const sha = await repo.commit({ 'deploy.yaml': 'kind: Namespace\n' }, 'add namespace');
    await repo.push();
    await git(clone, [...header, 'pull', '--quiet', '--ff-only']);
    expect(await git(clone, ['rev-parse', 'HEAD'])).toBe(sha);
    expect(await readFile(join(clone, 'deploy.yaml'), 'utf8')).toBe('kind: Namespace\n');
  });

  it('refuses clients without credentials', async () => {
    const repo = await server.createRepo('private');
    await expect(git(work, ['ls-remote', repo.url])).rejects.toThrow(
      /Authentication failed|401|could not read Username/,
    );
  });
});
