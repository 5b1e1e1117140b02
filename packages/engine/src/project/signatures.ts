import type { AppProject, CommitSignature } from '@gitward/model';

/**
 * GnuPG commit verification for AppProjects with `signatureKeys` (Argo CD's "GnuPG signature
 * verification"): the keys of the GPG keys ConfigMap make the keyring, the project's key IDs say
 * which of them may sign what its apps sync. Pure: the adapter (infra) asks GnuPG.
 */

const hex = /^[0-9A-F]+$/;

/**
 * A key ID as Argo CD compares them: a fingerprint (40 hex digits) becomes its last 16, a 16-digit
 * key ID stays; anything else is no key ID (undefined). Upper case.
 */
export function normalizeKeyId(id: string): string | undefined {
  const k = id.trim().toUpperCase();
  if (!hex.test(k)) return undefined;
  if (k.length === 40) return k.slice(24);
  return k.length === 16 ? k : undefined;
}

/** The key IDs a project allows to sign (normalized; invalid entries ignored, as Argo CD does). */
export function allowedKeyIds(project: AppProject): ReadonlySet<string> {
  const ids = new Set<string>();
  for (const k of project.spec.signatureKeys ?? []) {
    const id = normalizeKeyId(k.keyID);
    if (id) ids.add(id);
  }
  return ids;
}

/** Whether the project asks for signed commits (any `signatureKeys` entry, valid or not). */
export const requiresSignature = (project: AppProject): boolean =>
  (project.spec.signatureKeys ?? []).length > 0;

/**
 * The ASCII-armored public keys of the GPG keys ConfigMap's `data` (key ID → armored key, as
 * Argo CD's argocd-gpg-keys-cm): read by own property, values that are no armored public key
 * block skipped. Sorted by key ID so one set of keys always makes the same keyring.
 */
export function gpgKeysFrom(data: unknown): readonly string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const keys: [string, string][] = [];
  for (const name of Object.keys(data)) {
    const value: unknown = Object.getOwnPropertyDescriptor(data, name)?.value;
    if (typeof value === 'string' && value.includes('-----BEGIN PGP PUBLIC KEY BLOCK-----'))
      keys.push([name, value]);
  }
  return keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}

const describeKeys = (ids: ReadonlySet<string>) =>
  ids.size ? `allowed keys: ${[...ids].join(', ')}` : 'no valid key ID in signatureKeys';

/**
 * Why `revision` may not be synced under `project`, or undefined when its signature is good and
 * by an allowed key (the signing subkey, its primary key or the fingerprint of either may be the
 * one listed). Messages start as Argo CD's do, and name the project and its allowed keys.
 */
export function signatureProblem(
  project: AppProject,
  revision: string,
  sig: CommitSignature,
): string | undefined {
  const allowed = allowedKeyIds(project);
  const name = project.metadata.name;
  const candidates = [sig.keyId, sig.fingerprint, sig.primaryFingerprint]
    .map((k) => (k ? normalizeKeyId(k) : undefined))
    .filter((k) => k !== undefined);
  const key = sig.keyId ?? (sig.fingerprint ? normalizeKeyId(sig.fingerprint) : undefined) ?? '?';
  switch (sig.status) {
    case 'good':
      if (candidates.some((k) => allowed.has(k))) return undefined;
      return `Target revision ${revision} is not signed with a key allowed by project ${name}: found good signature made with key ${key}, but this key is not allowed in AppProject (${describeKeys(allowed)})`;
    case 'unsigned':
      return `Target revision ${revision} in Git is not signed, but a signature is required by project ${name} (${describeKeys(allowed)})`;
    case 'unknown-key':
      return `Target revision ${revision} is not signed with a key allowed by project ${name}: it is signed with key ${key}, whose public key is not in the GPG keys ConfigMap`;
    case 'bad':
    case 'expired':
    case 'revoked':
      return `Target revision ${revision} is not signed with a key allowed by project ${name}: found signature made with key ${key}, but verification result was invalid: '${sig.status} signature'`;
    case 'error':
      return `Could not verify commit signature on revision '${revision}' for project ${name}: ${sig.detail ?? 'unreadable GnuPG output'}`;
  }
}
