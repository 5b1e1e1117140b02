import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AppProject, CommitSignature } from '@gitward/model';
import { gpgKeysFrom, normalizeKeyId, requiresSignature, signatureProblem } from './signatures.ts';

const fpr = 'C2D8FB728AD1D24EA0DB9DB16CE66314AD2C8994';
const keyId = '6CE66314AD2C8994';
const subFpr = '0123456789ABCDEF0123456789ABCDEF01234567';

const project = (...keys: string[]): AppProject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'signed' },
  spec: keys.length ? { signatureKeys: keys.map((keyID) => ({ keyID })) } : {},
});

describe('normalizeKeyId', () => {
  it.each([
    [fpr, keyId],
    [fpr.toLowerCase(), keyId],
    [keyId.toLowerCase(), keyId],
    ['AD2C8994', undefined],
    ['not-hex-at-all!!', undefined],
    ['', undefined],
  ])('%s → %s', (id, want) => {
    expect(normalizeKeyId(id)).toBe(want);
  });
});

describe('signatureProblem', () => {
  const rev = 'a'.repeat(40);
  const good: CommitSignature = {
    status: 'good',
    keyId,
    fingerprint: fpr,
    primaryFingerprint: fpr,
  };
  const cases: [string, AppProject, CommitSignature, RegExp | undefined][] = [
    ['good, key listed by ID', project(keyId), good, undefined],
    ['good, key listed by fingerprint', project(fpr.toLowerCase()), good, undefined],
    [
      'good by a subkey, primary listed',
      project(keyId),
      { status: 'good', keyId: subFpr.slice(24), fingerprint: subFpr, primaryFingerprint: fpr },
      undefined,
    ],
    [
      'good, key not listed',
      project('1111111111111111'),
      good,
      /^Target revision a{40} is not signed with a key allowed by project signed: found good signature made with key 6CE66314AD2C8994, but this key is not allowed in AppProject \(allowed keys: 1111111111111111\)$/,
    ],
    ['good, only invalid IDs listed', project('xyz'), good, /no valid key ID in signatureKeys/],
    [
      'unsigned',
      project(keyId),
      { status: 'unsigned' },
      /^Target revision a{40} in Git is not signed, but a signature is required by project signed/,
    ],
    [
      'unknown key',
      project(keyId),
      { status: 'unknown-key', keyId: '2222222222222222' },
      /signed with key 2222222222222222, whose public key is not in the GPG keys ConfigMap/,
    ],
    [
      'bad',
      project(keyId),
      { status: 'bad', keyId },
      /verification result was invalid: 'bad signature'/,
    ],
    ['revoked', project(keyId), { status: 'revoked', keyId }, /'revoked signature'/],
    [
      'error',
      project(keyId),
      { status: 'error', detail: 'gpg timed out' },
      /^Could not verify commit signature on revision 'a{40}' for project signed: gpg timed out$/,
    ],
  ];
  it.each(cases)('%s', (_, p, sig, want) => {
    const got = signatureProblem(p, rev, sig);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(want);
  });

  it('requiresSignature: any entry, valid or not', () => {
    expect(requiresSignature(project())).toBe(false);
    expect(requiresSignature(project('xyz'))).toBe(true);
  });
});

describe('gpgKeysFrom', () => {
  const key = (n: string) =>
    `-----BEGIN PGP PUBLIC KEY BLOCK-----\n${n}\n-----END PGP PUBLIC KEY BLOCK-----\n`;
  it('takes armored public keys by own property, sorted by key ID', () => {
    const data = JSON.parse(
      `{"B": ${JSON.stringify(key('b'))}, "A": ${JSON.stringify(key('a'))}, "junk": "x", "__proto__": ${JSON.stringify(key('p'))}}`,
    ) as unknown;
    // "__proto__" is an own key of parsed JSON: just a name here, sorted after A and B.
    expect(gpgKeysFrom(data)).toEqual([key('a'), key('b'), key('p')]);
    expect(gpgKeysFrom(undefined)).toEqual([]);
    expect(gpgKeysFrom([key('a')])).toEqual([]);
  });

  it('never throws and returns only strings, whatever the data', () => {
    fc.assert(
      fc.property(fc.anything(), (data) => {
        for (const k of gpgKeysFrom(data)) expect(typeof k).toBe('string');
      }),
    );
  });
});
