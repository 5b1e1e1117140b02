import { knownHostsFrom, tlsCertsFrom, type RepoTrust } from '@gitward/engine';
import type { SettingsNames } from '@gitward/model';
import type { ClusterStore } from './cluster/store.ts';
import { ttlRead } from './ttl-read.ts';

/**
 * Reads the SSH known hosts and TLS certs ConfigMaps through a short cache (as the settings
 * are): every render and repository check asks, and a host key or CA added through one replica
 * must apply on the others within about a second. A failed read is not remembered.
 */
export function createRepoTrustSource(
  store: Pick<ClusterStore, 'configMap'>,
  names: Pick<SettingsNames, 'sshKnownHostsCm' | 'tlsCertsCm'>,
  opts: { ttlMs?: number } = {},
): () => Promise<RepoTrust> {
  const read = async (): Promise<RepoTrust> => {
    const [hosts, certs] = await Promise.all([
      store.configMap(names.sshKnownHostsCm),
      store.configMap(names.tlsCertsCm),
    ]);
    return { knownHosts: knownHostsFrom(hosts), tlsCerts: tlsCertsFrom(certs) };
  };
  const cache = ttlRead(read, opts.ttlMs ?? 1000);
  return () => cache.get();
}
