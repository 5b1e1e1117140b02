import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  createGitServer,
  createSshGitServer,
  gitEnv,
  type GitServer,
  type SshGitServer,
  type TestRepo,
} from '@gitward/testkit';
import { createGitRepositories, type GitRepositories } from './repositories.ts';

describe('GitRepositories over SSH', { timeout: 60_000 }, () => {
  let http: GitServer;
  let ssh: SshGitServer;
  let repo: TestRepo;
  let cacheDir: string;
  let repos: GitRepositories;
  let url: string;

  beforeAll(async () => {
    // One set of repositories: pushed over HTTP by the test, read over SSH by the adapter.
    http = await createGitServer();
    repo = await http.createRepo('app');
    await repo.commit({ 'app.yaml': 'over: ssh\n' }, 'ssh');
    await repo.push();
    ssh = await createSshGitServer({ root: http.root });
    url = ssh.repoUrl('app');
    cacheDir = await mkdtemp(join(tmpdir(), 'gitward-git-ssh-'));
    repos = createGitRepositories({ cacheDir, env: gitEnv(), timeoutMs: 30_000 });
  });
  afterAll(async () => {
    await ssh.close();
    await http.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('resolves and checks out with a private key and known hosts', async () => {
    const creds = { sshPrivateKey: ssh.clientKey, knownHosts: ssh.knownHosts };
    const resolved = await repos.resolveRevision(url, 'HEAD', creds);
    expect(resolved).toEqual({ sha: await repo.head(), ref: 'refs/heads/main' });
    const dir = await repos.checkout(url, resolved.sha, creds);
    expect(await readFile(join(dir, 'app.yaml'), 'utf8')).toBe('over: ssh\n');
    // The key file lived only for the duration of each git run.
    expect(await readdir(join(cacheDir, 'tmp'))).toEqual([]);
  });

  it('fails with REPO_AUTH_FAILED when the host key is not the known one', async () => {
    // A well-formed entry for the right host and port, but with another key.
    const [hostPattern] = ssh.knownHosts.split(' ');
    const wrongHosts = `${hostPattern ?? ''} ${ssh.clientPublicKey}`;
    const err: unknown = await repos
      .resolveRevision(url, 'main', { sshPrivateKey: ssh.clientKey, knownHosts: wrongHosts })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.RepoAuthFailed);
    expect((err as GitwardError).message).toMatch(/host key/i);
  });

  it('fails with REPO_AUTH_FAILED without a key the server accepts', async () => {
    const err: unknown = await repos
      .resolveRevision(url, 'main', { knownHosts: ssh.knownHosts })
      .catch((e: unknown) => e);
    expect((err as GitwardError).code).toBe(ErrorCode.RepoAuthFailed);
    expect((err as GitwardError).message).not.toContain('PRIVATE KEY');
  });

  it('skips host key checking when told to', async () => {
    const creds = { sshPrivateKey: ssh.clientKey, insecure: true };
    expect((await repos.resolveRevision(url, 'main', creds)).sha).toBe(await repo.head());
  });
});
