/**
 * How gitward connects to a destination cluster registered as an Argo CD cluster Secret: its
 * `config` (bearer token, TLS client config with base64 PEM data, exec provider) becomes a
 * KubeConnection.
 * The engine parses the Secret; the `config` shape both use lives in @gitward/model.
 */
import { errorMessage, type ClusterConfig } from '@gitward/model';
import { execTokenSource, parseExecConfig } from './credentials.ts';
import type { KubeConnection, TokenSource } from './types.ts';

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
export function clusterConnection(
  c: ClusterCredentials,
  opts: { readonly env?: NodeJS.ProcessEnv } = {},
): ClusterConnection {
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
  const exec = execSource(c, ca, opts.env);
  if (typeof exec === 'string') return { ok: false, reason: exec };
  const tokenSource = exec;
  return {
    ok: true,
    connection: {
      server: c.server,
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(config.bearerToken ? { token: config.bearerToken } : {}),
      ...(tokenSource !== undefined ? { tokenSource } : {}),
      ...(tls.insecure ? { insecureSkipTlsVerify: true } : {}),
      ...(tls.serverName ? { tlsServerName: tls.serverName } : {}),
    },
  };
}

/** The exec provider's token source (undefined without one), or why its config is unusable. */
function execSource(
  c: ClusterCredentials,
  ca: string | undefined,
  env: NodeJS.ProcessEnv | undefined,
): TokenSource | undefined | string {
  const raw = c.config.execProviderConfig;
  if (raw === undefined) return undefined;
  const what = `cluster ${c.server}`;
  try {
    const exec = parseExecConfig(raw, `${what} execProviderConfig:`);
    // Run at the first request (and again as its token expires), not when the Secret is read.
    return execTokenSource(exec, what, {
      cluster: { server: c.server, ...(ca !== undefined ? { ca } : {}) },
      ...(env !== undefined ? { baseEnv: env } : {}),
    });
  } catch (err) {
    return errorMessage(err);
  }
}
