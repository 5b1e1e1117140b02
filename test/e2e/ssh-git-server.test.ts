import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGitServer,
  createSshGitServer,
  git,
  type GitServer,
  type SshGitServer,
} from '@gitward/testkit';

// GIT_SSH_COMMAND is run by git through a shell: quote every path for sh.
const sh = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;

function sshEnv(keyFile: string, knownHostsFile: string): Record<string, string> {
  const command = [
    'ssh',
    '-F /dev/null',
    `-i ${sh(keyFile)}`,
    '-o IdentitiesOnly=yes',
    '-o BatchMode=yes',
    '-o StrictHostKeyChecking=yes',
    `-o UserKnownHostsFile=${sh(knownHostsFile)}`,
    '-o GlobalKnownHostsFile=/dev/null',
  ].join(' ');
  return { GIT_SSH_COMMAND: command };
}

describe('the SSH git test server', { timeout: 60_000 }, () => {
  let http: GitServer;
  let ssh: SshGitServer;
  let work: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    http = await createGitServer();
    ssh = await createSshGitServer({ root: http.root });
    work = await mkdtemp(join(tmpdir(), 'gitward-ssh-clone-'));
    await writeFile(join(work, 'id_ed25519'), ssh.clientKey, { mode: 0o600 });
    await writeFile(join(work, 'known_hosts'), `${ssh.knownHosts}\n`);
    env = sshEnv(join(work, 'id_ed25519'), join(work, 'known_hosts'));
  }, 60_000);
  afterAll(async () => {
    await ssh.close();
    await http.close();
    await rm(work, { recursive: true, force: true });
  });

  it('serves the HTTP server repositories to git clone over SSH', async () => {
    const repo = await http.createRepo('team/app');
    await repo.commit({ 'app/cm.yaml': 'kind: ConfigMap\n' }, 'add config map');
    await repo.push();
    expect(ssh.repoUrl('team/app')).toBe(
      `ssh://${ssh.user}@127.0.0.1:${ssh.port}${http.root}/team/app.git`,
    );

    const clone = join(work, 'c1');
    await git(work, ['clone', '--quiet', ssh.repoUrl('team/app'), clone], env);
    expect(await readFile(join(clone, 'app', 'cm.yaml'), 'utf8')).toBe('kind: ConfigMap\n');
  });

  it('makes a commit pushed over HTTP visible over SSH', async () => {
    const repo = await http.createRepo('pushed');
    const clone = join(work, 'c2');
    await git(work, ['clone', '--quiet', ssh.repoUrl('pushed'), clone], env);
    const sha = await repo.commit({ 'deploy.yaml': 'kind: Namespace\n' }, 'add namespace');
    await repo.push();
    expect(await git(work, ['ls-remote', ssh.repoUrl('pushed'), 'refs/heads/main'], env)).toBe(
      `${sha}\trefs/heads/main`,
    );
    await git(clone, ['pull', '--quiet', '--ff-only'], env);
    expect(await readFile(join(clone, 'deploy.yaml'), 'utf8')).toBe('kind: Namespace\n');
  });

  it('refuses a key it has not authorized', async () => {
    await http.createRepo('private');
    const other = await createSshGitServer();
    try {
      await writeFile(join(work, 'other_key'), other.clientKey, { mode: 0o600 });
      const wrongKey = sshEnv(join(work, 'other_key'), join(work, 'known_hosts'));
      await expect(git(work, ['ls-remote', ssh.repoUrl('private')], wrongKey)).rejects.toThrow(
        /Permission denied \(publickey\)/,
      );
    } finally {
      await other.close();
    }
  });

  it('fails host key verification against a wrong known_hosts entry', async () => {
    await http.createRepo('spoofed');
    const other = await createSshGitServer();
    try {
      // The other server's host key, recorded for this server's address.
      const [, keyType, keyData] = other.knownHosts.split(' ');
      await writeFile(
        join(work, 'wrong_known_hosts'),
        `[127.0.0.1]:${ssh.port} ${keyType ?? ''} ${keyData ?? ''}\n`,
      );
      const wrongHost = sshEnv(join(work, 'id_ed25519'), join(work, 'wrong_known_hosts'));
      await expect(git(work, ['ls-remote', ssh.repoUrl('spoofed')], wrongHost)).rejects.toThrow(
        /Host key verification failed/,
      );
    } finally {
      await other.close();
    }
  });
});
