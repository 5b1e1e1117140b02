/**
 * How gitward connects to a destination cluster registered as an Argo CD cluster Secret: its
 * `config` (bearer token, TLS client config with base64 PEM data) becomes a KubeConnection.
 * The engine parses the Secret; the `config` shape both use lives in @gitward/model.
 */
import type { ClusterConfig } from '@gitward/model';
import type { KubeConnection } from './types.ts';

export interface ClusterCredentials {
  readonly server: string;
  readonly config: ClusterConfig;
}

export type ClusterConnection =
  | { readonly ok: true; readonly connection: KubeConnection }
  | { readonly ok: false; readonly reason: string };

const pem = (b64: string | undefined) =>
  b64 === undefined || b64 === '' ? undefined : Buffer.from(b64, 'base64').toString('utf8');

/** A registered cluster's connection, or why gitward cannot use it (never quoting a secret). */
export function clusterConnection(c: ClusterCredentials): ClusterConnection {
  const { config } = c;
  const tls = config.tlsClientConfig ?? {};
  // Basic auth is long gone from Kubernetes (removed in 1.19); say so instead of failing later.
  if (config.username !== undefined && config.bearerToken === undefined && !tls.certData)
    return {
      ok: false,
      reason: `cluster ${c.server}: username/password authentication is not supported; use a bearer token or a client certificate`,
    };
  const ca = pem(tls.caData);
  const cert = pem(tls.certData);
  const key = pem(tls.keyData);
  if ((cert === undefined) !== (key === undefined))
    return {
      ok: false,
      reason: `cluster ${c.server}: tlsClientConfig needs both certData and keyData`,
    };
  return {
    ok: true,
    connection: {
      server: c.server,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(config.bearerToken ? { token: config.bearerToken } : {}),
      ...(tls.insecure ? { insecureSkipTlsVerify: true } : {}),
      ...(tls.serverName ? { tlsServerName: tls.serverName } : {}),
    },
  };
}
