import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGitServer,
  createGpgKey,
  gitEnv,
  type GitServer,
  type GpgKey,
} from '@gitward/testkit';
import { parseVerifyRaw } from './gpg.ts';
import { createGitRepositories } from './repositories.ts';

const fpr = 'C2D8FB728AD1D24EA0DB9DB16CE66314AD2C8994';
const sub = '0123456789ABCDEF0123456789ABCDEF01234567';

describe('parseVerifyRaw', () => {
  it.each([
    ['', { status: 'unsigned' }],
    ['error: no signature found\n', { status: 'unsigned' }],
    [
      [
        '[GNUPG:] NEWSIG',
        `[GNUPG:] KEY_CONSIDERED ${fpr} 0`,
        '[GNUPG:] GOODSIG 6CE66314AD2C8994 Test <t@x>',
        `[GNUPG:] VALIDSIG ${sub} 2026-12-07 1796684821 0 4 0 22 8 00 ${fpr}`,
        '[GNUPG:] TRUST_UNDEFINED 0 pgp',
      ].join('\n'),
      { status: 'good', keyId: '6CE66314AD2C8994', fingerprint: sub, primaryFingerprint: fpr },
    ],
    [
      `[GNUPG:] NEWSIG\n[GNUPG:] ERRSIG 6CE66314AD2C8994 22 8 00 1796684821 9 ${fpr}\n[GNUPG:] NO_PUBKEY 6CE66314AD2C8994\n`,
      { status: 'unknown-key', keyId: '6CE66314AD2C8994' },
    ],
    ['[GNUPG:] BADSIG 6CE66314AD2C8994 Test <t@x>', { status: 'bad', keyId: '6CE66314AD2C8994' }],
    ['[GNUPG:] EXPKEYSIG 6CE66314AD2C8994 T', { status: 'expired', keyId: '6CE66314AD2C8994' }],
    ['[GNUPG:] REVKEYSIG 6CE66314AD2C8994 T', { status: 'revoked', keyId: '6CE66314AD2C8994' }],
    // A forged "good" line beside a bad one cannot win.
    [
      '[GNUPG:] BADSIG 6CE66314AD2C8994 T\n[GNUPG:] GOODSIG 6CE66314AD2C8994 T',
      { status: 'bad', keyId: '6CE66314AD2C8994' },
    ],
    ['[GNUPG:] NEWSIG\n', { status: 'error', detail: 'GnuPG reported no verdict' }],
  ])('%j', (text, want) => {
    expect(parseVerifyRaw(text)).toEqual(want);
  });

  it('never throws, and says good only with a GOODSIG line and no bad one', () => {
    const line = fc.oneof(
      fc.string(),
      fc
        .tuple(
          fc.constantFrom('GOODSIG', 'BADSIG', 'VALIDSIG', 'ERRSIG', 'EXPSIG', 'NEWSIG', 'X'),
          fc.string(),
        )
        .map(([k, rest]) => `[GNUPG:] ${k} ${rest}`),
    );
    fc.assert(
      fc.property(fc.array(line), (lines) => {
        const text = lines.join('\n');
        const sig = parseVerifyRaw(text);
        if (sig.status === 'good') {
          expect(text).toMatch(/\[GNUPG:\] GOODSIG/);
          expect(text).not.toMatch(/\[GNUPG:\] (BADSIG|ERRSIG|EXPSIG|EXPKEYSIG|REVKEYSIG)/);
        }
      }),
    );
  });
});

describe('verifyCommit with the real gpg and git over HTTP', { timeout: 120_000 }, () => {
  let server: GitServer;
  let key: GpgKey;
  let other: GpgKey;
  const temps: string[] = [];
  beforeAll(async () => {
    [server, key, other] = await Promise.all([createGitServer(), createGpgKey(), createGpgKey()]);
  });
  afterAll(async () => {
    await Promise.all([server.close(), key.close(), other.close()]);
    await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('tells a signed commit from an unsigned one and from one signed by a key not in the keyring', async () => {
    const repo = await server.createRepo('signed');
    const signed = await repo.commit({ 'a.yaml': 'a: 1\n' }, 'signed', { signWith: key });
    const unsigned = await repo.commit({ 'a.yaml': 'a: 2\n' }, 'unsigned');
    const foreign = await repo.commit({ 'a.yaml': 'a: 3\n' }, 'foreign', { signWith: other });
    await repo.push();
    const cacheDir = await mkdtemp(join(tmpdir(), 'gitward-gpg-cache-'));
    temps.push(cacheDir);
    const repos = createGitRepositories({ cacheDir, env: gitEnv(), timeoutMs: 30_000 });
    const keys = [key.publicKey];
    expect(await repos.verifyCommit(repo.url, signed, keys)).toEqual({
      status: 'good',
      keyId: key.keyId,
      fingerprint: key.fingerprint,
      primaryFingerprint: key.fingerprint,
    });
    expect(await repos.verifyCommit(repo.url, unsigned, keys)).toEqual({ status: 'unsigned' });
    expect(await repos.verifyCommit(repo.url, foreign, keys)).toEqual({
      status: 'unknown-key',
      keyId: other.keyId,
    });
    // Another key set is another keyring: the same commit is judged again.
    expect((await repos.verifyCommit(repo.url, foreign, [other.publicKey])).status).toBe('good');
    expect((await repos.verifyCommit(repo.url, signed, [])).status).toBe('unknown-key');
  });
});
