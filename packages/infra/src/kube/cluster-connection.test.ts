import { describe, expect, it } from 'vitest';
import { clusterConnection } from './cluster-connection.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('clusterConnection', () => {
  it('decodes the TLS data and keeps the token', () => {
    const c = clusterConnection({
      server: 'https://10.0.0.1:6443',
      config: {
        bearerToken: 'tok',
        tlsClientConfig: { caData: b64('CA PEM'), serverName: 'kubernetes' },
      },
    });
    expect(c).toEqual({
      ok: true,
      connection: {
        server: 'https://10.0.0.1:6443',
        ca: 'CA PEM',
        token: 'tok',
        tlsServerName: 'kubernetes',
      },
    });
  });

  it.each([
    [{ username: 'u', password: 'sekret' }, 'username/password'],
    [{ tlsClientConfig: { certData: b64('C') } }, 'both certData and keyData'],
  ])('refuses %j', (config, reason) => {
    const c = clusterConnection({ server: 'https://x', config });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.reason).toContain(reason);
      expect(c.reason).not.toContain('sekret');
    }
  });

  it('takes a client certificate and insecure', () => {
    const c = clusterConnection({
      server: 'https://x',
      config: { tlsClientConfig: { insecure: true, certData: b64('C'), keyData: b64('K') } },
    });
    expect(c.ok && c.connection).toEqual({
      server: 'https://x',
      cert: 'C',
      key: 'K',
      insecureSkipTlsVerify: true,
    });
  });

  it("takes Argo CD's execProviderConfig as a token source, run only at the first request", () => {
    const c = clusterConnection({
      server: 'https://x',
      config: {
        execProviderConfig: {
          command: '/absent/plugin',
          apiVersion: 'client.authentication.k8s.io/v1',
        },
      },
    });
    expect(c.ok && c.connection.tokenSource).toBeDefined();
  });

  it('refuses an execProviderConfig it cannot run, naming the cluster', () => {
    const c = clusterConnection({
      server: 'https://x',
      config: { execProviderConfig: { command: 'aws', apiVersion: 'v0' } },
    });
    expect(!c.ok && c.reason).toMatch(
      /cluster https:\/\/x execProviderConfig: exec apiVersion must be/,
    );
  });
});
