import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A GnuPG key made for a test, in a GNUPGHOME of its own (never the user's ~/.gnupg). */
export interface GpgKey {
  readonly home: string;
  /** The primary key's fingerprint (40 hex digits) and long key ID (its last 16). */
  readonly fingerprint: string;
  readonly keyId: string;
  /** The ASCII-armored public key, as the GPG keys ConfigMap holds it. */
  readonly publicKey: string;
  /** Stops the agent that signing started and deletes the home. */
  close(): Promise<void>;
}

function gpg(home: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'gpg',
      ['--batch', '--no-tty', '--homedir', home, ...args],
      { env: { ...gpgEnv(home), LC_ALL: 'C' }, timeout: 60_000, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`gpg ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** The environment for git and gpg children that sign with a test key. */
export function gpgEnv(home: string): NodeJS.ProcessEnv {
  // eslint-disable-next-line no-restricted-properties -- passing the environment through to a child, not reading config
  return { ...process.env, GNUPGHOME: home };
}

/** Generates an ed25519 signing key without a passphrase (`gpg --quick-gen-key`, 60 s at most). */
export async function createGpgKey(uid = 'gitward test <test@gitward.invalid>'): Promise<GpgKey> {
  // Short: gpg-agent's socket path must fit in 108 bytes.
  const home = await mkdtemp(join(tmpdir(), 'gpg-'));
  await gpg(home, ['--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  const listing = await gpg(home, ['--with-colons', '--list-keys']);
  const fingerprint = /^fpr:(?:[^:]*:){8}([0-9A-F]{40}):/m.exec(listing)?.[1];
  if (!fingerprint) throw new Error(`no fingerprint in gpg's listing:\n${listing}`);
  const publicKey = await gpg(home, ['--armor', '--export', fingerprint]);
  return {
    home,
    fingerprint,
    keyId: fingerprint.slice(24),
    publicKey,
    async close() {
      await new Promise<void>((resolve) => {
        execFile(
          'gpgconf',
          ['--homedir', home, '--kill', 'all'],
          { env: gpgEnv(home), timeout: 30_000 },
          () => resolve(),
        );
      });
      await rm(home, { recursive: true, force: true });
    },
  };
}
