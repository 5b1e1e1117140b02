/**
 * A process's command-line flags as one table: what the parser accepts and what `--help` prints
 * come from the same rows, so the help can never list a flag the process does not take, or
 * miss one it does. Each row names its environment variable and its default.
 */
import { parseArgs } from 'node:util';
import {
  ApiGroup,
  ErrorCode,
  GitwardError,
  isTrackingMethod,
  TrackingMethod,
} from '@gitward/model';
import { logFormatOf, type LogFormat } from './logger.ts';

export interface FlagSpec {
  /** The flag without dashes: `kubeconfig` for `--kubeconfig`. */
  readonly name: string;
  /** Only `--insecure`-style switches are booleans; every other flag takes a value. */
  readonly type?: 'string' | 'boolean';
  /** A value flag that may be repeated: `pick` joins the values with commas (a comma list). */
  readonly multiple?: boolean;
  /** The environment variable read when the flag is absent. */
  readonly env?: string;
  /** Startup fails without it (from the flag or the variable). */
  readonly required?: boolean;
  /** The value used when neither flag nor variable is set; the parser reads it from here. */
  readonly default?: string;
  /** A default that is computed (a path under $HOME, one that depends on another flag). */
  readonly defaultText?: string;
  readonly description: string;
}

export interface ParsedFlags {
  /** The flag's value, else its variable's, else the table's default. */
  pick(name: string): string | undefined;
  /** A boolean switch: whether it was given. */
  has(name: string): boolean;
}

/** Whether the arguments ask for help (`-h`/`--help` anywhere): main.ts prints it and exits. */
export const wantsHelp = (argv: readonly string[]) =>
  argv.some((a) => a === '--help' || a === '-h');

/** Parses `argv` strictly against the table (an unknown flag throws, naming it). */
export function parseFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  specs: readonly FlagSpec[],
): ParsedFlags {
  const options = Object.fromEntries(
    specs.map((s) => [
      s.name,
      { type: s.type ?? 'string', ...(s.multiple === true && { multiple: true }) } as const,
    ]),
  );
  const { values } = parseArgs({ args: [...argv], options, strict: true });
  const byName = new Map(specs.map((s) => [s.name, s]));
  return {
    pick(name) {
      const spec = byName.get(name);
      if (!spec) throw new Error(`flag --${name} is not in the table`);
      const v = Object.hasOwn(values, name) ? values[name] : undefined;
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
      const fromEnv = spec.env ? env[spec.env] : undefined;
      return fromEnv !== undefined && fromEnv !== '' ? fromEnv : spec.default;
    },
    has: (name) => (Object.hasOwn(values, name) ? values[name] === true : false),
  };
}

/** The `--help` text: usage, then one row per flag with its variable and default. */
export function flagHelp(usage: string, specs: readonly FlagSpec[]): string[] {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${(s.type ?? 'string') === 'string' ? ' <value>' : ''}`;
    const extras = [
      ...(s.required ? ['required'] : []),
      ...(s.env ? [`env ${s.env}`] : []),
      ...(s.default !== undefined || s.defaultText
        ? [`default ${s.defaultText ?? JSON.stringify(s.default)}`]
        : []),
    ];
    return {
      left,
      right: extras.length ? `${s.description} (${extras.join('; ')})` : s.description,
    };
  });
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return [
    `Usage: ${usage}`,
    '',
    'Flags (a flag wins over its environment variable, which wins over the default):',
    ...rows.map((r) => `${r.left.padEnd(width)}${r.right}`),
    `  -h, --help`.padEnd(width) + 'print this help',
  ];
}

/**
 * The flags the controller and the server both take, declared once: they must read the same
 * variables and mean the same (the server renders as the controller does).
 */
export const sharedFlags = {
  kubeconfig: {
    name: 'kubeconfig',
    env: 'GITWARD_KUBECONFIG',
    defaultText: 'KUBECONFIG, then the in-cluster ServiceAccount',
    description: 'kubeconfig of the control plane',
  },
  context: {
    name: 'context',
    description: 'kubeconfig context to use (default: its current-context)',
  },
  apiGroup: {
    name: 'api-group',
    env: 'GITWARD_API_GROUP',
    default: ApiGroup.Gitward,
    description: `API group of Applications: ${ApiGroup.Gitward} or ${ApiGroup.ArgoCD}`,
  },
  namespace: {
    name: 'namespace',
    env: 'GITWARD_NAMESPACE',
    defaultText:
      "the pod's namespace in-cluster, else gitward (argocd with --api-group argoproj.io)",
    description: 'control namespace: Applications, projects, settings',
  },
  logLevel: {
    name: 'log-level',
    env: 'GITWARD_LOG_LEVEL',
    default: 'info',
    description: 'log level: trace, debug, info, warn, error',
  },
  logFormat: {
    name: 'log-format',
    env: 'GITWARD_LOG_FORMAT',
    default: 'json',
    description: 'log lines as json (string levels, RFC 3339 times) or text (key=value)',
  },
  metricsAddress: {
    name: 'metrics-address',
    env: 'GITWARD_METRICS_ADDRESS',
    default: '0.0.0.0',
    description: 'address of /metrics, /healthz and /readyz (kubelet probes and Prometheus)',
  },
  cacheDir: {
    name: 'cache-dir',
    env: 'GITWARD_CACHE_DIR',
    defaultText: '~/.cache/gitward',
    description: 'git mirrors and render cache (the server uses its own subdirectory)',
  },
  helm: {
    name: 'helm',
    env: 'GITWARD_HELM',
    default: 'helm',
    description: 'helm binary (path or name on PATH)',
  },
  kustomize: {
    name: 'kustomize',
    env: 'GITWARD_KUSTOMIZE',
    default: 'kustomize',
    description: 'kustomize binary',
  },
  jsonnet: {
    name: 'jsonnet',
    env: 'GITWARD_JSONNET',
    default: 'jsonnet',
    description: 'jsonnet binary',
  },
  gitModulesEnabled: {
    name: 'git-modules-enabled',
    env: 'GITWARD_GIT_MODULES_ENABLED',
    default: 'true',
    description: 'check out git submodules with a repository (false: they stay empty directories)',
  },
  trackingMethod: {
    name: 'tracking-method',
    env: 'GITWARD_TRACKING_METHOD',
    defaultText: `application.resourceTrackingMethod of the settings ConfigMap, else ${TrackingMethod.Annotation}`,
    description: 'how objects are tied to their app: annotation, label, annotation+label',
  },
  plugins: {
    name: 'plugins',
    env: 'GITWARD_PLUGINS',
    description:
      'file of config management plugins: ConfigManagementPlugin documents, or a list of {name, generate}',
  },
  pluginsDir: {
    name: 'plugins-dir',
    env: 'GITWARD_PLUGINS_DIR',
    description:
      'directory of ConfigManagementPlugin files (*.yaml, or */plugin.yaml as sidecars mount them)',
  },
  pluginTimeoutSeconds: {
    name: 'plugin-timeout-seconds',
    env: 'GITWARD_PLUGIN_TIMEOUT_SECONDS',
    default: '90',
    description:
      "a plugin program running longer is killed with its process tree (Argo CD's exec timeout)",
  },
} as const satisfies Record<string, FlagSpec>;

/**
 * Where config management plugins come from, read alike by both processes (the server renders
 * as the controller does); the cmp ConfigMap of the control namespace is read besides these.
 */
export interface PluginFlags {
  readonly file?: string;
  readonly dir?: string;
  readonly timeoutSeconds: number;
}

/** Reads `--plugins`, `--plugins-dir` and `--plugin-timeout-seconds`. */
export function pluginFlagsOf(flags: ParsedFlags): PluginFlags {
  const file = flags.pick(sharedFlags.plugins.name);
  const dir = flags.pick(sharedFlags.pluginsDir.name);
  const t = flags.pick(sharedFlags.pluginTimeoutSeconds.name) ?? '90';
  const timeoutSeconds = Number(t);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds <= 0)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `--plugin-timeout-seconds must be a positive integer, got ${JSON.stringify(t)}`,
    );
  return { ...(file ? { file } : {}), ...(dir ? { dir } : {}), timeoutSeconds };
}

/** What both processes read alike from the shared flags: logging and the metrics/probe address. */
export interface ProcessRuntime {
  readonly logLevel: string;
  readonly logFormat: LogFormat;
  /** Address of /metrics, /healthz and /readyz (0.0.0.0 by default, as Argo CD's). */
  readonly metricsAddress: string;
}

/** Reads `--log-level`, `--log-format` and `--metrics-address`; an unknown format throws. */
export function processRuntimeOf(flags: ParsedFlags): ProcessRuntime {
  return {
    logLevel: flags.pick(sharedFlags.logLevel.name) ?? 'info',
    logFormat: logFormatOf(flags.pick(sharedFlags.logFormat.name)),
    metricsAddress: flags.pick(sharedFlags.metricsAddress.name) ?? '0.0.0.0',
  };
}

/**
 * `--tracking-method` (or GITWARD_TRACKING_METHOD) when given: it overrides the settings
 * ConfigMap's `application.resourceTrackingMethod` in both processes; absent stays absent.
 */
export function trackingMethodFlag(flags: ParsedFlags): { trackingMethod?: TrackingMethod } {
  const v = flags.pick(sharedFlags.trackingMethod.name);
  if (v === undefined) return {};
  if (!isTrackingMethod(v))
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `--tracking-method must be one of ${Object.values(TrackingMethod).join(', ')}`,
    );
  return { trackingMethod: v };
}
