import { join } from 'node:path';
import { isTrackingMethod, parseGoDuration } from '@gitward/engine';
import {
  flagHelp,
  inClusterNamespace,
  parseFlags,
  processRuntimeOf,
  sharedFlags,
  type FlagSpec,
  type ProcessRuntime,
} from '@gitward/infra';
import {
  ApiGroup,
  defaultControlNamespace,
  ErrorCode,
  GitwardError,
  TrackingMethod,
} from '@gitward/model';
import { trustedProxyProblem } from './auth/client-address.ts';

/** The API server's configuration, parsed once in main.ts from argv and the environment. */
export interface ServerConfig extends ProcessRuntime {
  /** Explicit kubeconfig; absent: KUBECONFIG, then the in-cluster ServiceAccount. */
  readonly kubeconfig: string | undefined;
  /** `--context`: a context of that kubeconfig. */
  readonly context: string | undefined;
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
  /** Where to write `{"url": ...}` once listening (for `gitward dev up` and tests). */
  readonly readyFile?: string;
  /**
   * Root of the render cache (git mirrors, checkouts); the server uses its own subdirectory of
   * it, since two processes must not share one git cache.
   */
  readonly cacheDir: string;
  /** Rendering tools for manifests and diffs: paths, or names looked up on PATH. */
  readonly tools: { readonly helm: string; readonly kustomize: string; readonly jsonnet: string };
  /**
   * How desired objects are marked as an app's, when given as a flag; absent: the settings
   * ConfigMap's `application.resourceTrackingMethod` (read as the controller reads it).
   */
  readonly trackingMethod?: TrackingMethod;
  /**
   * Prometheus /metrics and the /healthz, /readyz probes (argocd-server's metrics port, 8083);
   * 0 picks a free port, -1 is off. On `metricsAddress` (0.0.0.0 by default, as Argo CD's).
   */
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

/**
 * Every flag of the server process: the parser reads these rows, and `gitward server --help`
 * prints them (main.ts), so the two cannot disagree.
 */
export const serverFlags: readonly FlagSpec[] = [
  sharedFlags.kubeconfig,
  sharedFlags.context,
  sharedFlags.apiGroup,
  sharedFlags.namespace,
  { name: 'address', default: '127.0.0.1', description: 'address to listen on' },
  {
    name: 'port',
    env: 'GITWARD_SERVER_PORT',
    default: '8080',
    description: 'port to listen on (0 picks a free one)',
  },
  {
    name: 'insecure',
    type: 'boolean',
    description: 'serve plain HTTP (loopback development only)',
  },
  { name: 'tls-cert', description: 'TLS certificate file (with --tls-key)' },
  { name: 'tls-key', description: 'TLS key file (with --tls-cert)' },
  {
    name: 'tls-dir',
    defaultText: '~/.cache/gitward/server-tls',
    description: 'where a self-signed pair is made when no --tls-cert is given',
  },
  sharedFlags.logLevel,
  sharedFlags.logFormat,
  { name: 'ready-file', description: 'file to write {"url": ...} to once listening' },
  sharedFlags.cacheDir,
  sharedFlags.helm,
  sharedFlags.kustomize,
  sharedFlags.jsonnet,
  sharedFlags.trackingMethod,
  {
    name: 'metrics-port',
    env: 'GITWARD_SERVER_METRICS_PORT',
    default: '8083',
    description: '/metrics, /healthz and /readyz port (0 picks one, -1 is off)',
  },
  sharedFlags.metricsAddress,
  {
    name: 'ui-dir',
    env: 'GITWARD_UI_DIR',
    defaultText: 'packages/web/dist',
    description: 'built web UI served at /',
  },
  {
    name: 'max-request-bytes',
    env: 'GITWARD_SERVER_MAX_REQUEST_BYTES',
    default: String(defaultHttpLimits.maxBodyBytes),
    description: 'larger request bodies get 413',
  },
  {
    name: 'request-timeout',
    env: 'GITWARD_SERVER_REQUEST_TIMEOUT',
    default: `${defaultHttpLimits.requestTimeoutMs / 1000}s`,
    description: 'time to receive a whole request (Go duration, at least 1s)',
  },
  {
    name: 'stream-max-clients',
    env: 'GITWARD_SERVER_STREAM_MAX_CLIENTS',
    default: String(defaultHttpLimits.streamMaxClients),
    description: 'concurrent event-stream clients of this replica',
  },
  {
    name: 'trusted-proxies',
    env: 'GITWARD_TRUSTED_PROXIES',
    description: 'comma-separated proxy IPs/CIDRs whose X-Forwarded-For names the client',
  },
];

/** `gitward server --help`. */
export const serverHelp = () => flagHelp('gitward server [flags]', serverFlags);

/** Flags win over GITWARD_* variables, which win over defaults; invalid values fail startup. */
export function loadServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  home: string,
  /** Where the pod's ServiceAccount directory hangs (tests use a temporary directory). */
  root = '/',
): ServerConfig {
  const flags = parseFlags(argv, env, serverFlags);
  const pick = (name: string) => flags.pick(name);
  const kubeconfig = pick('kubeconfig');
  const group = groupOf(pick('api-group'));
  const port = portOf(pick('port'));
  if (Boolean(pick('tls-cert')) !== Boolean(pick('tls-key')))
    fail('--tls-cert and --tls-key go together');
  return Object.freeze({
    kubeconfig,
    context: pick('context'),
    group,
    // As Argo CD's processes: the flag, else the pod's own namespace, else the group's default.
    namespace: pick('namespace') ?? inClusterNamespace(root) ?? defaultControlNamespace(group),
    address: pick('address') ?? '127.0.0.1',
    port,
    metricsPort: metricsPortOf(pick('metrics-port')),
    insecure: flags.has('insecure'),
    ...optional('tlsCert', pick('tls-cert')),
    ...optional('tlsKey', pick('tls-key')),
    tlsDir: pick('tls-dir') ?? join(home, '.cache', 'gitward', 'server-tls'),
    ...processRuntimeOf(flags),
    ...optional('readyFile', pick('ready-file')),
    ...optional('uiDir', pick('ui-dir')),
    ...renderingOf(pick, home),
    http: httpLimitsOf(pick),
    trustedProxies: trustedProxiesOf(pick('trusted-proxies')),
  });
}

type FlagPick = (name: string) => string | undefined;

function httpLimitsOf(pick: FlagPick): HttpLimits {
  const d = defaultHttpLimits;
  const maxBodyBytes = positiveInt(
    pick('max-request-bytes'),
    d.maxBodyBytes,
    '--max-request-bytes',
  );
  const streamMaxClients = positiveInt(
    pick('stream-max-clients'),
    d.streamMaxClients,
    '--stream-max-clients',
  );
  const timeout = pick('request-timeout');
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

/** What rendering needs, named as the controller's flags and variables name it. */
function renderingOf(
  pick: FlagPick,
  home: string,
): Pick<ServerConfig, 'cacheDir' | 'tools' | 'trackingMethod'> {
  return {
    cacheDir: pick('cache-dir') ?? join(home, '.cache', 'gitward'),
    tools: {
      helm: pick('helm') ?? 'helm',
      kustomize: pick('kustomize') ?? 'kustomize',
      jsonnet: pick('jsonnet') ?? 'jsonnet',
    },
    ...trackingMethodOf(pick('tracking-method')),
  };
}

function trackingMethodOf(v: string | undefined): { trackingMethod?: TrackingMethod } {
  if (v === undefined) return {};
  if (!isTrackingMethod(v))
    fail(`--tracking-method must be one of ${Object.values(TrackingMethod).join(', ')}`);
  return { trackingMethod: v };
}

function trustedProxiesOf(flag: string | undefined): readonly string[] {
  const entries = (flag ?? '')
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
