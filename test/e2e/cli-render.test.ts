import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createGitServer, git, type GitServer } from '@gitward/testkit';

const main = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');
const auth = { username: 'carol', password: 'cli-secret-pass' };

function gitward(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { env: { ...process.env, GITWARD_CACHE_DIR: inject('cacheDir'), ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('gitward render', () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await createGitServer({ auth });
  });
  const temps: string[] = [];
  afterAll(async () => {
    await server.close();
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  /** A local git work tree (uncommitted files count as they would be added) under a temp dir. */
  async function localRepo(files: Record<string, string>): Promise<string> {
    const top = await mkdtemp(join(tmpdir(), 'gitward-cli-local-'));
    temps.push(top);
    const repo = join(top, 'repo');
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(top, path)), { recursive: true });
      await writeFile(join(top, path), content);
    }
    await mkdir(repo, { recursive: true });
    await git(repo, ['init', '--quiet']);
    return repo;
  }

  it('renders a local overlay whose base is a sibling folder of the enclosing repository', async () => {
    const repo = await localRepo({
      'repo/base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'repo/base/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n',
      'repo/overlays/prod/kustomization.yaml': 'resources: [../../base]\nnamePrefix: prod-\n',
      // Ignored files are not part of the repository: never copied, never read.
      'repo/.gitignore': 'node_modules/\n',
      'repo/node_modules/junk/kustomization.yaml': 'resources: [nothing.yaml]\n',
    });
    const res = await gitward(['render', join(repo, 'overlays', 'prod'), '--dest-namespace', 'a']);
    expect(res.stderr).toMatch(/rendered Kustomize source at local/);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/name: prod-cfg\n\s+namespace: a/);
    // --path is relative to the directory, and may name another folder of the same repository.
    const other = await gitward(['render', join(repo, 'overlays'), '--path', '../base']);
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/name: cfg\n/);
  });

  it('still refuses a local overlay reaching outside the enclosing repository', async () => {
    const repo = await localRepo({
      'outside/kustomization.yaml': 'resources: [cm.yaml]\n',
      'outside/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: secret-ish\n',
      'repo/app/kustomization.yaml': 'resources: [../../outside]\n',
    });
    const res = await gitward(['render', join(repo, 'app')]);
    expect(res.code).toBe(32);
    expect(res.stderr).toMatch(/"\.\.\/\.\.\/outside" leaves the repository/);
    expect(res.stdout).not.toContain('secret-ish');
    const escape = await gitward(['render', repo, '--path', '../outside']);
    expect(escape.code).toBe(32);
    expect(escape.stderr).toMatch(/leaves the repository/);
  });

  it('renders REPO@REVISION:PATH from a private repository with the cluster as reference', async () => {
    const repo = await server.createRepo('cli-app');
    await repo.commit(
      {
        'deploy/kustomization.yaml': 'resources: [cm.yaml]\n',
        'deploy/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n',
      },
      'app',
    );
    await repo.branch('release');
    await repo.push();
    const res = await gitward(
      [
        'render',
        `${repo.url}@release:deploy`,
        '--username',
        auth.username,
        '--nameprefix',
        'rel-',
        '--dest-namespace',
        'prod',
        '--kubeconfig',
        inject('cluster').kubeconfig,
      ],
      { GITWARD_REPO_PASSWORD: auth.password },
    );
    expect(res.stderr).toMatch(/rendered Kustomize source at [0-9a-f]{40}/);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/name: rel-cfg\n\s+namespace: prod/);
  });

  it('exits non-zero with the reason, and never prints the password', async () => {
    const repo = await server.createRepo('cli-private');
    const res = await gitward(['render', `${repo.url}@main`, '--username', auth.username], {
      GITWARD_REPO_PASSWORD: 'wrong-pass-123',
    });
    expect(res.code).toBe(10);
    expect(res.stderr).toMatch(/authentication/i);
    expect(res.stderr + res.stdout).not.toContain('wrong-pass-123');
  });

  it('renders with the config management plugins of --plugins-dir, found by discovery', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-cli-cmp-'));
    try {
      await mkdir(join(dir, 'plugins', 'gen'), { recursive: true });
      await writeFile(
        join(dir, 'plugins', 'gen', 'plugin.yaml'),
        [
          'apiVersion: argoproj.io/v1alpha1',
          'kind: ConfigManagementPlugin',
          'metadata: {name: gen}',
          'spec:',
          '  discover: {fileName: "*.gen"}',
          '  generate: {command: [sh, -c], args: ["cat *.gen"]}',
        ].join('\n'),
      );
      await mkdir(join(dir, 'app'));
      await writeFile(
        join(dir, 'app', 'x.gen'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: generated\n',
      );
      const res = await gitward([
        'render',
        join(dir, 'app'),
        '--plugins-dir',
        join(dir, 'plugins'),
      ]);
      expect(res.stderr).toMatch(/rendered Plugin source/);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/name: generated/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
