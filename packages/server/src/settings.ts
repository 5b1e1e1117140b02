import type { AppProject, SettingsNames } from '@gitward/model';
import {
  ensureServerSecretKey,
  hasAdminPassword,
  initialAdminPassword,
  parseAccounts,
  revocationEntries,
  type Account,
} from './auth/index.ts';
import type { ClusterStore } from './cluster/store.ts';
import { own, ownStringMap } from './own.ts';
import { ttlRead } from './ttl-read.ts';

// The names live in the model: the controller reads the same ConfigMap.
export { settingsNames, type SettingsNames } from '@gitward/model';

/** Revoked session ids (logout), kept in the settings Secret so every replica honours them. */
export const revokedTokensKey = 'server.revokedTokens';

/**
 * One consistent read of everything authentication and RBAC depend on. The three maps have no
 * prototype: a key they lack reads as undefined even if Object.prototype was polluted.
 */
export interface Settings {
  readonly cm: Readonly<Record<string, string>>;
  readonly rbacCm: Readonly<Record<string, string>>;
  readonly secret: Readonly<Record<string, string>>;
  readonly accounts: readonly Account[];
  readonly projects: readonly AppProject[];
  /** jti → expiry (Unix seconds). */
  readonly revoked: ReadonlyMap<string, number>;
}

function parseRevoked(raw: string | undefined, nowSec: number): Map<string, number> {
  return new Map(revocationEntries(raw).filter(([, exp]) => exp > nowSec));
}

/**
 * Reads the settings through a short cache: every request needs them, and a change made through
 * one replica (a new password, a logout) must reach the others within about a second.
 */
export function createSettingsSource(
  store: ClusterStore,
  names: SettingsNames,
  opts: { ttlMs?: number; now: () => Date },
) {
  async function read(): Promise<Settings> {
    const [cm, rbacCm, secret, projects] = await Promise.all([
      store.configMap(names.cm),
      store.configMap(names.rbacCm),
      store.secret(names.secret),
      store.listProjects(),
    ]);
    // Copied again here (the store already does): any store, fake or real, yields safe maps.
    const s = ownStringMap(secret);
    const settingsCm = ownStringMap(cm);
    return {
      cm: settingsCm,
      rbacCm: ownStringMap(rbacCm),
      secret: s,
      accounts: parseAccounts(settingsCm, s),
      projects,
      revoked: parseRevoked(own(s, revokedTokensKey), Math.floor(opts.now().getTime() / 1000)),
    };
  }

  return ttlRead(read, opts.ttlMs ?? 1000);
}
export type SettingsSource = ReturnType<typeof createSettingsSource>;

/**
 * First start: a signing key for sessions and, as Argo CD, a generated admin password stored
 * bcrypt-hashed in the settings Secret and in clear in the initial-admin Secret for the operator
 * to read (and delete once changed). Returns where the password is, for the startup message.
 */
export async function bootstrapSettings(
  store: ClusterStore,
  names: SettingsNames,
  now: Date,
): Promise<{ initialPasswordSecret?: string }> {
  // Hashed before the write (bcrypt is slow, the write's callback is not async), and only when
  // the Secret lacks a password now.
  const admin = await initialAdminPassword((await store.secret(names.secret)) ?? {}, now);
  // Conditional on what it read: replicas starting at once (HA) all try this, one write wins and
  // the others see its key and password on the retry, so every replica agrees with the Secret.
  let adminWritten = false;
  await store.updateSecret(names.secret, (secret) => {
    const adminUpdates = admin && !hasAdminPassword(secret) ? admin.updates : {};
    const updates = { ...ensureServerSecretKey(secret).updates, ...adminUpdates };
    adminWritten = Object.keys(adminUpdates).length > 0;
    return Object.keys(updates).length > 0 ? updates : undefined;
  });
  if (admin && adminWritten) {
    await store.writeSecret(names.initialAdminSecret, { password: admin.password });
    return { initialPasswordSecret: names.initialAdminSecret };
  }
  return (await store.secret(names.initialAdminSecret))
    ? { initialPasswordSecret: names.initialAdminSecret }
    : {};
}
