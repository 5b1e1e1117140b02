/**
 * Destination clusters as Argo CD registers them: one Secret per cluster, labelled
 * `<secret-type label>: cluster`, with `name`, `server`, `config` (JSON: bearerToken,
 * username/password, tlsClientConfig with base64 PEM data), and optional `namespaces` and
 * `project`. This module turns such a Secret's (decoded) data into a value and back, and resolves
 * an Application's destination (server or name) to one known cluster. Pure: no I/O, and no
 * credential ever appears in a returned message.
 */
import type { ClusterConfig, KubeObject } from '@gitward/model';
import { inClusterName, inClusterServer, type KnownCluster } from './validate.ts';

export interface ClusterSpec extends KnownCluster {
  /** Namespaces gitward may deploy to there; empty means all (cluster-scoped objects too). */
  readonly namespaces: readonly string[];
  /** With `namespaces`: whether cluster-scoped objects may be managed too (Argo CD's key). */
  readonly clusterResources?: boolean;
  /** A project-scoped cluster (Argo CD's `project` key); undefined = any project. */
  readonly project?: string;
  readonly config: ClusterConfig;
}

export type ParsedCluster =
  | { readonly ok: true; readonly cluster: ClusterSpec }
  | { readonly ok: false; readonly reason: string };

const b64 = /^[A-Za-z0-9+/=\s]*$/;

function checkTls(tls: unknown): string | undefined {
  if (tls === undefined) return undefined;
  if (typeof tls !== 'object' || tls === null) return 'config.tlsClientConfig is not an object';
  const t = tls as Record<string, unknown>;
  if (t['insecure'] !== undefined && typeof t['insecure'] !== 'boolean')
    return 'config.tlsClientConfig.insecure is not a boolean';
  for (const k of ['caData', 'certData', 'keyData', 'serverName'] as const) {
    const v = t[k];
    if (v !== undefined && typeof v !== 'string')
      return `config.tlsClientConfig.${k} is not a string`;
    if (k !== 'serverName' && typeof v === 'string' && !b64.test(v))
      return `config.tlsClientConfig.${k} is not base64`;
  }
  return undefined;
}

function checkConfig(raw: unknown): ClusterConfig | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return 'config is not an object';
  const c = raw as Record<string, unknown>;
  for (const k of ['bearerToken', 'username', 'password'] as const)
    if (c[k] !== undefined && typeof c[k] !== 'string') return `config.${k} is not a string`;
  const exec = c['execProviderConfig'];
  if (
    exec !== undefined &&
    (typeof exec !== 'object' ||
      exec === null ||
      typeof (exec as { command?: unknown }).command !== 'string')
  )
    return 'config.execProviderConfig needs a command';
  return checkTls(c['tlsClientConfig']) ?? c;
}

/** A cluster Secret's decoded `data` → the cluster, or why it cannot be used. */
export function parseClusterSecret(data: Readonly<Record<string, string>>): ParsedCluster {
  const server = data['server']?.trim() ?? '';
  if (!server) return { ok: false, reason: 'cluster secret has no server' };
  if (!/^https?:\/\//.test(server))
    return { ok: false, reason: `cluster server ${server} is not an http(s) URL` };
  let config: ClusterConfig = {};
  if (data['config']) {
    let raw: unknown;
    try {
      raw = JSON.parse(data['config']);
    } catch {
      // The parser's message may quote the token: say only where the problem is.
      return { ok: false, reason: `cluster ${server}: config is not valid JSON` };
    }
    const checked = checkConfig(raw);
    if (typeof checked === 'string') return { ok: false, reason: `cluster ${server}: ${checked}` };
    config = checked;
  }
  const namespaces = (data['namespaces'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    ok: true,
    cluster: {
      server: server.replace(/\/+$/, ''),
      // An empty name falls back to the server, as Argo CD shows unnamed clusters.
      name: data['name']?.trim() ? data['name'].trim() : server,
      namespaces,
      ...(data['clusterResources']?.trim() === 'true' ? { clusterResources: true } : {}),
      ...(data['project'] ? { project: data['project'] } : {}),
      config,
    },
  };
}

/** The Secret `data` (plain strings, to be base64-encoded by the writer) for a cluster. */
export function clusterSecretData(c: ClusterSpec): Record<string, string> {
  return {
    name: c.name,
    server: c.server,
    config: JSON.stringify(c.config),
    ...(c.namespaces.length ? { namespaces: c.namespaces.join(',') } : {}),
    ...(c.clusterResources ? { clusterResources: 'true' } : {}),
    ...(c.project ? { project: c.project } : {}),
  };
}

/** The in-cluster destination: always known, credentials are the controller's own. */
export const inCluster: KnownCluster = { server: inClusterServer, name: inClusterName };

/**
 * The cluster an Application's destination names: by server URL (trailing slashes ignored) or
 * by name, as Argo CD resolves `destination.name`. Undefined when none matches.
 */
export function resolveDestination<C extends KnownCluster>(
  dest: { readonly server?: string | undefined; readonly name?: string | undefined },
  clusters: readonly C[],
): C | undefined {
  if (dest.server !== undefined) {
    const want = dest.server.replace(/\/+$/, '');
    return clusters.find((c) => c.server.replace(/\/+$/, '') === want);
  }
  return dest.name === undefined ? undefined : clusters.find((c) => c.name === dest.name);
}

/** The cluster's credentials and TLS settings with secrets removed, for API answers and logs. */
export function redactCluster(c: ClusterSpec) {
  const tls = c.config.tlsClientConfig;
  return {
    server: c.server,
    name: c.name,
    ...(c.namespaces.length ? { namespaces: c.namespaces } : {}),
    ...(c.clusterResources ? { clusterResources: true } : {}),
    ...(c.project ? { project: c.project } : {}),
    config: {
      ...(tls
        ? {
            tlsClientConfig: {
              insecure: tls.insecure ?? false,
              ...(tls.serverName ? { serverName: tls.serverName } : {}),
            },
          }
        : {}),
    },
    hasCredentials: [
      c.config.bearerToken,
      c.config.password,
      tls?.keyData,
      c.config.execProviderConfig,
    ].some(Boolean),
  };
}

/**
 * Whether a cluster registered for some namespaces only may hold `obj` (undefined: yes), as
 * gitops-engine's namespaced mode: a namespaced object must be in one of them, a cluster-scoped
 * one needs `clusterResources`. `namespaced` comes from discovery (undefined: unknown kind).
 */
export function clusterScopePermits(
  cluster: {
    readonly name: string;
    readonly namespaces?: readonly string[];
    readonly clusterResources?: boolean;
  },
  obj: KubeObject,
  namespaced: boolean | undefined,
): string | undefined {
  const namespaces = cluster.namespaces ?? [];
  if (namespaces.length === 0 || namespaced === undefined) return undefined;
  const name = obj.metadata.name ?? '';
  if (!namespaced)
    return cluster.clusterResources
      ? undefined
      : `cluster level ${obj.kind} ${name} can not be managed when in namespaced mode (cluster ${cluster.name} manages namespaces ${namespaces.join(', ')})`;
  const ns = obj.metadata.namespace ?? '';
  return namespaces.includes(ns)
    ? undefined
    : `namespace ${ns} of ${obj.kind} ${name} is not managed by cluster ${cluster.name} (it manages ${namespaces.join(', ')})`;
}
