import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GitwardError, type CommitSignature } from '@gitward/model';
import { runProcess } from '../process/run-process.ts';

/**
 * GnuPG for commit verification: keyrings made from the GPG keys ConfigMap's public keys, one
 * GNUPGHOME per set of keys under the cache (never the user's ~/.gnupg), and the reading of
 * `git verify-commit --raw`, whose GnuPG status lines (`[GNUPG:] GOODSIG ...`) are GnuPG's
 * machine interface, stable across versions and locales, unlike the human text Argo CD parses.
 */

const statusLine = /^\[GNUPG:\] ([A-Z_]+)(?: (.*))?$/;
const keyIdOf = (s: string | undefined) =>
  s && /^[0-9A-Fa-f]{16,40}$/.test(s) ? s.toUpperCase() : undefined;

/** The verdict each GnuPG status keyword gives (doc/DETAILS); VALIDSIG only adds fingerprints. */
const verdictOf: ReadonlyMap<string, CommitSignature['status']> = new Map([
  ['GOODSIG', 'good'],
  ['BADSIG', 'bad'],
  ['EXPSIG', 'expired'],
  ['EXPKEYSIG', 'expired'],
  ['REVKEYSIG', 'revoked'],
  ['ERRSIG', 'unknown-key'],
  ['NO_PUBKEY', 'unknown-key'],
] as const);

interface Reading {
  status?: CommitSignature['status'] | undefined;
  keyId?: string | undefined;
  fingerprint?: string | undefined;
  primaryFingerprint?: string | undefined;
}

/** Adds one status line's meaning to what was read so far. */
function readStatus(r: Reading, keyword: string, args: readonly string[]): void {
  if (keyword === 'VALIDSIG') {
    r.fingerprint = keyIdOf(args[0]);
    // The primary key's fingerprint is the tenth field.
    r.primaryFingerprint = keyIdOf(args[9]) ?? r.fingerprint;
    return;
  }
  const verdict = verdictOf.get(keyword);
  if (verdict === undefined) return;
  r.keyId = keyIdOf(args[0]) ?? r.keyId;
  // One signature per commit; should GnuPG report more, anything beats good and bad beats all.
  if (r.status === undefined || r.status === 'good' || verdict === 'bad') r.status = verdict;
}

/**
 * The signature `git verify-commit --raw` reports (its stderr). No status line at all means no
 * signature.
 */
export function parseVerifyRaw(text: string): CommitSignature {
  const r: Reading = {};
  let seen = false;
  for (const line of text.split('\n')) {
    const m = statusLine.exec(line.trim());
    if (!m) continue;
    seen = true;
    readStatus(r, m[1] ?? '', (m[2] ?? '').split(' '));
  }
  if (!seen) return { status: 'unsigned' };
  const { status, keyId, fingerprint, primaryFingerprint } = r;
  if (status === undefined) return { status: 'error', detail: 'GnuPG reported no verdict' };
  const good = status === 'good';
  return {
    status,
    ...(keyId !== undefined && { keyId: keyId.slice(-16) }),
    ...(good && fingerprint !== undefined && { fingerprint }),
    ...(good && primaryFingerprint !== undefined && { primaryFingerprint }),
  };
}

export interface Keyrings {
  /** A GNUPGHOME holding exactly `keys` (ASCII-armored public keys), made once per set. */
  home(keys: readonly string[]): Promise<string>;
}

/**
 * Keyrings under `root`, one per set of keys (named by its hash), at most `max` kept: the
 * ConfigMap changes rarely, so an older set is removed once a newer one replaced it.
 */
export function createKeyrings(o: {
  root: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  max?: number;
}): Keyrings {
  const homes = new Map<string, Promise<string>>();
  const max = o.max ?? 4;

  async function make(keys: readonly string[], dir: string): Promise<string> {
    await mkdir(o.root, { recursive: true, mode: 0o700 });
    // Made aside and renamed: a half-imported keyring is never used.
    const tmp = await mkdtemp(join(o.root, '.tmp-'));
    try {
      // No agent, no dirmngr: verification needs neither, and a daemon would outlive the timeout.
      await writeFile(join(tmp, 'gpg.conf'), 'no-autostart\n', { mode: 0o600 });
      if (keys.length) {
        const file = join(tmp, 'keys.asc');
        await writeFile(file, keys.join('\n'), { mode: 0o600 });
        const r = await runProcess(
          'gpg',
          ['--batch', '--no-tty', '--no-autostart', '--homedir', tmp, '--import', file],
          {
            env: { ...o.env, GNUPGHOME: tmp, LC_ALL: 'C' },
            timeoutMs: o.timeoutMs,
            maxOutputBytes: 1 << 20,
          },
        );
        // gpg exits 2 when one key of several is unusable; the others are imported all the same.
        if (r.kind !== 'exited' || r.code > 2)
          throw new GitwardError(
            ErrorCode.Internal,
            `importing the GPG keys failed: ${r.kind === 'exited' ? r.stderr.slice(-500) : r.kind}`,
          );
        await rm(file, { force: true });
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      return dir;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  return {
    home(keys) {
      const id = createHash('sha256').update(JSON.stringify(keys)).digest('hex').slice(0, 24);
      const known = homes.get(id);
      if (known) return known;
      const made = make(keys, join(o.root, id));
      homes.set(id, made);
      void made.catch(() => homes.delete(id));
      while (homes.size > max) {
        const [oldest] = homes.keys();
        if (oldest === undefined) break;
        homes.delete(oldest);
        void rm(join(o.root, oldest), { recursive: true, force: true });
      }
      return made;
    },
  };
}
