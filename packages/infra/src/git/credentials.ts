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

/** The files one git run needs (all mode 0600 in one private temp dir), by purpose. */
interface AuthFiles {
  readonly sshKey?: string;
  readonly knownHosts?: string;
  readonly caCerts?: string;
  readonly clientCert?: string;
  readonly clientKey?: string;
}

/** PEM or OpenSSH text with `\n` line ends and its final newline (OpenSSH insists on it). */
const pemText = (text: string) => text.replace(/\r\n/g, '\n').replace(/\n*$/, '\n');

function authFileContents(creds: RepoCredentials): Record<keyof AuthFiles, string | undefined> {
  return {
    sshKey: creds.sshPrivateKey ? pemText(creds.sshPrivateKey) : undefined,
    knownHosts: creds.knownHosts && !creds.insecure ? `${creds.knownHosts.trim()}\n` : undefined,
    caCerts: creds.caCerts && !creds.insecure ? pemText(creds.caCerts) : undefined,
    // A client certificate needs both halves; one alone would only make git fail obscurely.
    clientCert:
      creds.tlsClientCertData && creds.tlsClientCertKey
        ? pemText(creds.tlsClientCertData)
        : undefined,
    clientKey:
      creds.tlsClientCertData && creds.tlsClientCertKey
        ? pemText(creds.tlsClientCertKey)
        : undefined,
  };
}

async function writeAuthFiles(
  creds: RepoCredentials,
  tmpRoot: string,
): Promise<{ files: AuthFiles; dir?: string }> {
  const contents = Object.entries(authFileContents(creds)).filter(
    (e): e is [keyof AuthFiles, string] => e[1] !== undefined,
  );
  if (contents.length === 0) return { files: {} };
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(tmpRoot, 'auth-'));
  const files: Record<string, string> = {};
  for (const [name, text] of contents) {
    files[name] = join(dir, name);
    await writeFile(files[name], text, { mode: 0o600 });
  }
  return { files, dir };
}

function sshEnv(
  creds: RepoCredentials,
  scripts: HelperScripts,
  files: AuthFiles,
): Record<string, string> {
  const env: Record<string, string> = { GIT_SSH: scripts.ssh, GIT_SSH_VARIANT: 'ssh' };
  if (creds.insecure) env['GITWARD_SSH_INSECURE'] = '1';
  if (files.sshKey) env['GITWARD_SSH_KEY'] = files.sshKey;
  if (files.knownHosts) env['GITWARD_KNOWN_HOSTS'] = files.knownHosts;
  return env;
}

/**
 * git's TLS settings for the files: the CAs of the repository's host, a client certificate. As
 * variables, not `-c http.sslCAInfo`: git ranks GIT_SSL_* above any config, so no config entry
 * can swap the ConfigMap's CAs for others (gitChildEnv drops inherited GIT_* variables).
 */
function tlsEnv(files: AuthFiles): Record<string, string> {
  const env: Record<string, string> = {};
  if (files.caCerts) env['GIT_SSL_CAINFO'] = files.caCerts;
  if (files.clientCert && files.clientKey) {
    env['GIT_SSL_CERT'] = files.clientCert;
    env['GIT_SSL_KEY'] = files.clientKey;
  }
  return env;
}

/**
 * Prepares the environment of one git run for `creds`: askpass for basic auth, an extra header
 * for a bearer token, a key file and known_hosts for SSH, the CA bundle and client certificate
 * for HTTPS (files in a private temp dir under `tmpRoot`, deleted by cleanup).
 */
export async function prepareAuth(
  creds: RepoCredentials | undefined,
  scripts: HelperScripts,
  tmpRoot: string,
): Promise<PreparedAuth> {
  const c = creds ?? {};
  const secrets = [c.password, c.bearerToken, c.sshPrivateKey, c.tlsClientCertKey].filter(
    (s): s is string => s !== undefined && s !== '',
  );
  const http = httpAuth(c, scripts);
  const { files, dir } = await writeAuthFiles(c, tmpRoot);
  return {
    settings: {
      config: http.config ?? [],
      env: { ...http.env, ...sshEnv(c, scripts, files), ...tlsEnv(files) },
    },
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
      c.caCerts,
      c.tlsClientCertData,
      c.tlsClientCertKey,
    ]),
  );
}

/** Hex SHA-256 of a string. */
export function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
