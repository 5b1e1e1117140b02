import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitChildSettings } from './git-exec.ts';

import type { RepoCredentials } from '@gitward/model';

export type { RepoCredentials };

// git asks "Username for '<url>': " then "Password for '<url>': "; answers come from variables
// set only in that child's environment, so no secret is ever in a file or on a command line.
const askpassScript = `#!/bin/sh
case "$1" in
  Username*) printf '%s\\n' "$GITWARD_GIT_USERNAME" ;;
  *) printf '%s\\n' "$GITWARD_GIT_PASSWORD" ;;
esac
`;

// Paths arrive through the environment, so no quoting of user data happens in shell. BatchMode
// turns any prompt (passphrase, unknown host) into a failure instead of a hang.
const sshScript = `#!/bin/sh
set -- -o BatchMode=yes "$@"
if [ -n "$GITWARD_SSH_KEY" ]; then
  set -- -i "$GITWARD_SSH_KEY" -o IdentitiesOnly=yes "$@"
fi
if [ "$GITWARD_SSH_INSECURE" = 1 ]; then
  set -- -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "$@"
elif [ -n "$GITWARD_KNOWN_HOSTS" ]; then
  set -- -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$GITWARD_KNOWN_HOSTS" "$@"
else
  set -- -o StrictHostKeyChecking=yes "$@"
fi
exec ssh "$@"
`;

/** Paths of the helper scripts git runs for credentials. */
export interface HelperScripts {
  readonly askpass: string;
  readonly ssh: string;
}

async function writeExecutable(path: string, content: string): Promise<void> {
  // Write-then-rename: a concurrent git never runs a half-written script.
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, content, { mode: 0o700 });
  await chmod(tmp, 0o700);
  await rename(tmp, path);
}

/** Writes the askpass and ssh wrapper scripts into `binDir` (call once per cache directory). */
export async function writeHelperScripts(binDir: string): Promise<HelperScripts> {
  await mkdir(binDir, { recursive: true, mode: 0o700 });
  const scripts = { askpass: join(binDir, 'askpass.sh'), ssh: join(binDir, 'ssh.sh') };
  await Promise.all([
    writeExecutable(scripts.askpass, askpassScript),
    writeExecutable(scripts.ssh, sshScript),
  ]);
  return scripts;
}

/** What one git run needs for its credentials, and how to clean up after it. */
export interface PreparedAuth {
  readonly settings: GitChildSettings;
  /** Secret strings to redact from anything shown to users. */
  readonly secrets: readonly string[];
  /** Deletes the temporary key files; safe to call once the git child has exited. */
  cleanup(): Promise<void>;
}

function httpAuth(creds: RepoCredentials, scripts: HelperScripts): GitChildSettings {
  const config: (readonly [string, string])[] = [];
  const env: Record<string, string> = {};
  if (creds.bearerToken)
    config.push(['http.extraHeader', `Authorization: Bearer ${creds.bearerToken}`]);
  // Argo CD's `insecure` covers TLS as well as SSH host keys.
  if (creds.insecure) config.push(['http.sslVerify', 'false']);
  // Without a user or password, no askpass: git then fails at once with "could not read
  // Username" instead of trying an empty login.
  if (creds.username !== undefined || creds.password !== undefined) {
    env['GIT_ASKPASS'] = scripts.askpass;
    env['GITWARD_GIT_USERNAME'] = creds.username ?? '';
    env['GITWARD_GIT_PASSWORD'] = creds.password ?? '';
  }
  return { config, env };
}

async function sshAuth(
  creds: RepoCredentials,
  scripts: HelperScripts,
  tmpRoot: string,
): Promise<{ env: Record<string, string>; dir?: string }> {
  const env: Record<string, string> = { GIT_SSH: scripts.ssh, GIT_SSH_VARIANT: 'ssh' };
  if (creds.insecure) env['GITWARD_SSH_INSECURE'] = '1';
  if (!creds.sshPrivateKey && !creds.knownHosts) return { env };
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(tmpRoot, 'ssh-'));
  if (creds.sshPrivateKey) {
    env['GITWARD_SSH_KEY'] = join(dir, 'key');
    // OpenSSH rejects a key file without its final newline ("invalid format").
    const key = creds.sshPrivateKey.replace(/\r\n/g, '\n').replace(/\n*$/, '\n');
    await writeFile(env['GITWARD_SSH_KEY'], key, { mode: 0o600 });
  }
  if (creds.knownHosts && !creds.insecure) {
    env['GITWARD_KNOWN_HOSTS'] = join(dir, 'known_hosts');
    await writeFile(env['GITWARD_KNOWN_HOSTS'], `${creds.knownHosts.trim()}\n`, { mode: 0o600 });
  }
  return { env, dir };
}

/**
 * Prepares the environment of one git run for `creds`: askpass for basic auth, an extra header
 * for a bearer token, a key file and known_hosts for SSH (in a private temp dir under `tmpRoot`).
 */
export async function prepareAuth(
  creds: RepoCredentials | undefined,
  scripts: HelperScripts,
  tmpRoot: string,
): Promise<PreparedAuth> {
  const secrets = [creds?.password, creds?.bearerToken, creds?.sshPrivateKey].filter(
    (s): s is string => s !== undefined && s !== '',
  );
  const http = httpAuth(creds ?? {}, scripts);
  const ssh = await sshAuth(creds ?? {}, scripts, tmpRoot);
  const dir = ssh.dir;
  return {
    settings: { config: http.config ?? [], env: { ...http.env, ...ssh.env } },
    secrets,
    cleanup: () => (dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve()),
  };
}

/** A stable digest of a set of credentials, so equal credentials can share one fetch. */
export function credentialsKey(creds: RepoCredentials | undefined): string {
  const c = creds ?? {};
  // Hashed so the key, which lives in a long-lived Map, holds no secret in clear.
  return hash(
    JSON.stringify([
      c.username,
      c.password,
      c.bearerToken,
      c.sshPrivateKey,
      c.knownHosts,
      c.insecure,
    ]),
  );
}

/** Hex SHA-256 of a string. */
export function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
