import { describe, expect, it } from 'vitest';
import { createRepoTrustSource } from './repo-trust.ts';

const names = { sshKnownHostsCm: 'hosts-cm', tlsCertsCm: 'certs-cm' };
const cert = '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n';
const line = 'git.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5';

describe('createRepoTrustSource', () => {
  it('parses both ConfigMaps, and reads again after the ttl', async () => {
    const reads: string[] = [];
    const data: Record<string, Record<string, string>> = {
      'hosts-cm': { ssh_known_hosts: line },
      'certs-cm': { 'Git.Example.com': cert },
    };
    const store = {
      configMap: (name: string) => {
        reads.push(name);
        return Promise.resolve(data[name] ?? {});
      },
    };
    const cachedSource = createRepoTrustSource(store, names);
    const trust = await cachedSource();
    expect(trust.knownHosts).toBe(`${line}\n`);
    expect({ ...trust.tlsCerts }).toEqual({ 'git.example.com': cert });
    await cachedSource();
    expect(reads).toHaveLength(2);
    const uncached = createRepoTrustSource(store, names, { ttlMs: 0 });
    await uncached();
    await uncached();
    expect(reads).toHaveLength(6);
  });

  it('does not remember a failed read', async () => {
    let fail = true;
    const store = {
      configMap: () => (fail ? Promise.reject(new Error('down')) : Promise.resolve({})),
    };
    const source = createRepoTrustSource(store, names);
    await expect(source()).rejects.toThrow('down');
    fail = false;
    await expect(source()).resolves.toEqual({ knownHosts: '', tlsCerts: {} });
  });
});
