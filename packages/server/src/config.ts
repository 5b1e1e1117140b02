import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseGoDuration } from '@gitward/engine';
import {
  ApiGroup,
  defaultControlNamespace,
  ErrorCode,
  GitwardError,
  TrackingMethod,
} from '@gitward/model';
import { trustedProxyProblem } from './auth/client-address.ts';

/** The API server's configuration, parsed once in main.ts from argv and the environment. */
export interface ServerConfig {
  readonly kubeconfig: string;
  readonly group: ApiGroup;
  readonly namespace: string;
  readonly address: string;
  /** 0 picks a free port (printed at startup). */
  readonly port: number;
  /** Plain HTTP (`--insecure`, as argocd-server's flag): for loopback development only. */
  readonly insecure: boolean;
  /** Certificate and key files; when absent a self-signed pair is made in `tlsDir`. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsDir: string;
  readonly logLevel: string;
  /** Where to write `{"url": ...}` once listening (for `gitward dev up` and tests). */
  readonly readyFile?: string;
  /**
   * Root of the render cache (git mirrors, checkouts); the server uses its own subdirectory of
   * it, since two processes must not share one git cache.
   */
  readonly cacheDir: string;
  /** Rendering tools for manifests and diffs: paths, or names looked up on PATH. */
  readonly tools: { readonly helm: string; readonly kustomize: string; readonly jsonnet: string };
  /** How desired objects are marked as an app's: must match the controller's flag. */
  readonly trackingMethod: TrackingMethod;
  /** Prometheus /metrics on 127.0.0.1 (argocd-server's 8083); 0 picks a free port, -1 is off. */
  readonly metricsPort: number;
  /**
   * The built web UI served at `/` (`--ui-dir`, GITWARD_UI_DIR); when absent main.ts uses
   * packages/web/dist beside the server's sources.
   */
  readonly uiDir?: string;
  /** Limits on what one client may cost the server (docs/security.md lists the defaults). */
  readonly http: HttpLimits;
  /**
   * Proxies (IP addresses or CIDRs, `--trusted-proxies` / GITWARD_TRUSTED_PROXIES, comma
   * separated) whose X-Forwarded-For names the client; none unless set, so the header is ignored.
   */
  readonly trustedProxies: readonly string[];
}

/** Request size and time limits, and the cap on event-stream clients. */
export interface HttpLimits {
  /** Larger request bodies are refused with 413 (`--max-request-bytes`). */
  readonly maxBodyBytes: number;
  /**
   * Time to receive a whole request, headers and body (`--request-timeout`): a slowloris client
   * that trickles its body is cut with 408. Responses (the event stream) are not limited by it.
   */
  readonly requestTimeoutMs: number;
  /** Time to receive the headers: at most 10 s, and never more than the request timeout. */
  readonly headersTimeoutMs: number;
  /** Concurrent `/stream` clients of this replica; more get 503 (`--stream-max-clients`). */
  readonly streamMaxClients: number;
}

export const defaultHttpLimits: HttpLimits = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  requestTimeoutMs: 60_000,
  headersTimeoutMs: 10_000,
  streamMaxClients: 500,
});

function fail(message: string): never {
  throw new GitwardError(ErrorCode.InvalidArgument, message);
}

/** Flags win over GITWARD_* variables, which win over defaults; invalid values fail startup. */
export function loadServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): ServerConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      kubeconfig: { type: 'string' },
      'api-group': { type: 'string' },
      namespace: { type: 'string' },
      address: { type: 'string' },
      port: { type: 'string' },
      insecure: { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-dir': { type: 'string' },
      'log-level': { type: 'string' },
      'ready-file': { type: 'string' },
      'cache-dir': { type: 'string' },
      helm: { type: 'string' },
      kustomize: { type: 'string' },
      jsonnet: { type: 'string' },
      'tracking-method': { type: 'string' },
      'metrics-port': { type: 'string' },
      'ui-dir': { type: 'string' },
      'max-request-bytes': { type: 'string' },
      'request-timeout': { type: 'string' },
      'stream-max-clients': { type: 'string' },
      'trusted-proxies': { type: 'string' },
    },
    strict: true,
  });
  const kubeconfig = values.kubeconfig ?? env['GITWARD_KUBECONFIG'];
  if (!kubeconfig) fail('--kubeconfig (or GITWARD_KUBECONFIG) is required');
  const group = groupOf(values['api-group'] ?? env['GITWARD_API_GROUP']);
  const port = portOf(values.port ?? env['GITWARD_SERVER_PORT']);
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key']))
    fail('--tls-cert and --tls-key go together');
  return Object.freeze({
    kubeconfig,
    group,
    namespace: values.namespace ?? env['GITWARD_NAMESPACE'] ?? defaultControlNamespace(group),
    address: values.address ?? '127.0.0.1',
    port,
    metricsPort: metricsPortOf(values['metrics-port'] ?? env['GITWARD_SERVER_METRICS_PORT']),
    insecure: values.insecure ?? false,
    ...optional('tlsCert', values['tls-cert']),
    ...optional('tlsKey', values['tls-key']),
    tlsDir: values['tls-dir'] ?? join(home, '.cache', 'gitward', 'server-tls'),
    logLevel: values['log-level'] ?? env['GITWARD_LOG_LEVEL'] ?? 'info',
    ...optional('readyFile', values['ready-file']),
    ...optional('uiDir', values['ui-dir'] ?? env['GITWARD_UI_DIR']),
    ...renderingOf(values, env, home),
    http: httpLimitsOf(values, env),
    trustedProxies: trustedProxiesOf(values['trusted-proxies'], env),
  });
}

type HttpFlags = Partial<
  Record<'max-request-bytes' | 'request-timeout' | 'stream-max-clients', string>
>;

function httpLimitsOf(
  values: HttpFlags,
  env: Readonly<Record<string, string | undefined>>,
): HttpLimits {
  const d = defaultHttpLimits;
  const maxBodyBytes = positiveInt(
    values['max-request-bytes'] ?? env['GITWARD_SERVER_MAX_REQUEST_BYTES'],
    d.maxBodyBytes,
    '--max-request-bytes',
  );
  const streamMaxClients = positiveInt(
    values['stream-max-clients'] ?? env['GITWARD_SERVER_STREAM_MAX_CLIENTS'],
    d.streamMaxClients,
    '--stream-max-clients',
  );
  const timeout = values['request-timeout'] ?? env['GITWARD_SERVER_REQUEST_TIMEOUT'];
  const requestTimeoutMs = timeout === undefined ? d.requestTimeoutMs : parseGoDuration(timeout);
  // Zero would switch Node's limit off, which is exactly the hole this closes.
  if (requestTimeoutMs === undefined || requestTimeoutMs < 1000)
    fail('--request-timeout must be a Go duration of at least 1s (e.g. "60s")');
  return {
    maxBodyBytes,
    requestTimeoutMs,
    headersTimeoutMs: Math.min(d.headersTimeoutMs, requestTimeoutMs),
    streamMaxClients,
  };
}

function positiveInt(v: string | undefined, fallback: number, flag: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) fail(`${flag} must be a positive integer`);
  return n;
}

type RenderingFlags = Partial<
  Record<'cache-dir' | 'helm' | 'kustomize' | 'jsonnet' | 'tracking-method', string>
>;

/** What rendering needs, named as the controller's flags and variables name it. */
function renderingOf(
  values: RenderingFlags,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): Pick<ServerConfig, 'cacheDir' | 'tools' | 'trackingMethod'> {
  return {
    cacheDir: values['cache-dir'] ?? env['GITWARD_CACHE_DIR'] ?? join(home, '.cache', 'gitward'),
    tools: {
      helm: values.helm ?? env['GITWARD_HELM'] ?? 'helm',
      kustomize: values.kustomize ?? env['GITWARD_KUSTOMIZE'] ?? 'kustomize',
      jsonnet: values.jsonnet ?? env['GITWARD_JSONNET'] ?? 'jsonnet',
    },
    trackingMethod: trackingMethodOf(values['tracking-method'] ?? env['GITWARD_TRACKING_METHOD']),
  };
}

function trackingMethodOf(v: string | undefined): TrackingMethod {
  if (v === undefined) return TrackingMethod.Annotation;
  const methods: readonly string[] = Object.values(TrackingMethod);
  if (!methods.includes(v)) fail(`--tracking-method must be one of ${methods.join(', ')}`);
  return v as TrackingMethod;
}

function trustedProxiesOf(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): readonly string[] {
  const entries = (flag ?? env['GITWARD_TRUSTED_PROXIES'] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const e of entries) {
    const problem = trustedProxyProblem(e);
    if (problem) fail(`--trusted-proxies: ${problem}`);
  }
  return Object.freeze(entries);
}

function groupOf(v: string | undefined): ApiGroup {
  const name = v ?? ApiGroup.Gitward;
  if (name !== ApiGroup.Gitward && name !== ApiGroup.ArgoCD)
    fail(`--api-group must be ${ApiGroup.Gitward} or ${ApiGroup.ArgoCD}`);
  return name;
}

function portOf(v: string | undefined): number {
  const port = Number(v ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('--port must be 0..65535');
  return port;
}

function metricsPortOf(v: string | undefined): number {
  const port = Number(v ?? 8083);
  if (!Number.isInteger(port) || port < -1 || port > 65535)
    fail('--metrics-port must be 0..65535, or -1 for no metrics');
  return port;
}

const optional = <K extends string>(key: K, v: string | undefined) =>
  (v ? { [key]: v } : {}) as Partial<Record<K, string>>;
