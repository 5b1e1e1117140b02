/**
 * Where the processes read config management plugins from: the `--plugins` file and a directory
 * of plugin.yaml files (`--plugins-dir`, as the sidecars' mounted ConfigMaps are laid out), once
 * at startup, and the cmp ConfigMap of the control namespace, kept by a watch. Names are unique.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { watchSettingsConfigMap, type KubeClient } from '@gitward/infra';
import {
  ErrorCode,
  GitwardError,
  errorMessage,
  settingsNames,
  type ApiGroup,
} from '@gitward/model';
import {
  parseConfigManagementPlugins,
  parsePluginDefinitions,
  pluginsOfConfigMapData,
  uniqueNames,
  type PluginDefinition,
} from './plugin-config.ts';

export interface PluginSources {
  /** gitward's plugin list, or ConfigManagementPlugin documents. */
  readonly file?: string;
  /** `<dir>/*.yaml|yml` and `<dir>/<plugin>/plugin.yaml`. */
  readonly dir?: string;
}

/** An operator's file, not a repository's: still bounded, so a wrong path fails rather than hangs. */
const maxFileBytes = 1024 * 1024;

async function readBounded(path: string): Promise<string> {
  const s = await stat(path);
  if (s.size > maxFileBytes)
    throw new GitwardError(ErrorCode.InvalidArgument, `${path}: larger than 1 MiB`);
  return readFile(path, 'utf8');
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** The plugin.yaml files of a directory, in name order. */
async function pluginFilesIn(dir: string): Promise<string[]> {
  // A mounted ConfigMap holds `..data` and `..<timestamp>` entries beside the key files.
  const names = (await readdir(dir)).filter((n) => !n.startsWith('..')).sort();
  const files: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (/\.ya?ml$/.test(name) && (await isFile(path))) files.push(path);
    else if (await isFile(join(path, 'plugin.yaml'))) files.push(join(path, 'plugin.yaml'));
  }
  return files;
}

/** The plugins of the file and the directory; any mistake throws, naming the file. */
export async function loadPluginDefinitions(s: PluginSources): Promise<PluginDefinition[]> {
  const out: PluginDefinition[] = [];
  if (s.file) {
    const file = s.file;
    out.push(
      ...parsePluginDefinitions(await readBounded(file), file).map((p) => ({ origin: file, ...p })),
    );
  }
  if (s.dir) {
    const files = await pluginFilesIn(s.dir).catch((err: unknown) => {
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `plugins directory ${s.dir}: ${errorMessage(err)}`,
      );
    });
    for (const f of files) out.push(...parseConfigManagementPlugins(await readBounded(f), f));
  }
  return uniqueNames(out);
}

export interface WatchedPlugins {
  /** Resolves once the ConfigMap was first listed (absent or not). */
  readonly ready: Promise<void>;
  /** The file and directory plugins, then the ConfigMap's; a new list after each change. */
  current(): readonly PluginDefinition[];
  /** Called after each change of the ConfigMap's plugins; returns the unsubscribe function. */
  onChange(fn: () => void): () => void;
  stop(): Promise<void>;
}

export interface WatchedPluginsOptions {
  /** The plugins of `--plugins` and `--plugins-dir` (loadPluginDefinitions), fixed. */
  readonly fixed: readonly PluginDefinition[];
  readonly kube: KubeClient;
  readonly namespace: string;
  /** The cmp ConfigMap (settingsNames(group).cmpCm). */
  readonly name: string;
  /** A problem of the ConfigMap: its plugins (or the bad ones) are ignored until it is fixed. */
  readonly onProblem: (message: string) => void;
  readonly onError: (err: unknown) => void;
}

/**
 * The plugins, with the cmp ConfigMap kept by a watch as the settings ConfigMap is: an edit takes
 * effect without a restart. A key that does not parse is reported and ignored (never a crash), and
 * a name defined before (by the files, or an earlier key) keeps that definition.
 */
export function watchPluginDefinitions(o: WatchedPluginsOptions): WatchedPlugins {
  const listeners = new Set<() => void>();
  const where = `${o.namespace}/${o.name}`;
  /** Each key alone: a bad value is reported and skipped, the other keys still apply. */
  const parse = (data: unknown): readonly PluginDefinition[] => {
    const fromMap: PluginDefinition[] = [];
    const own = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    for (const key of Object.keys(own).sort()) {
      try {
        fromMap.push(...pluginsOfConfigMapData({ [key]: own[key] }, where));
      } catch (err) {
        o.onProblem(`${errorMessage(err)}; ignored`);
      }
    }
    const seenNames = new Set(o.fixed.map((p) => p.name));
    const kept = fromMap.filter((p) => {
      if (!seenNames.has(p.name)) {
        seenNames.add(p.name);
        return true;
      }
      o.onProblem(
        `config management plugin ${JSON.stringify(p.name)} of ${p.origin ?? where} is already defined; ignored`,
      );
      return false;
    });
    return [...o.fixed, ...kept];
  };
  let seen: string | undefined;
  const watch = watchSettingsConfigMap(o.kube, {
    namespace: o.namespace,
    name: o.name,
    parse,
    onChange: (plugins) => {
      const key = JSON.stringify(plugins);
      if (seen !== undefined && seen !== key) for (const fn of listeners) fn();
      seen = key;
    },
    onError: o.onError,
  });
  return {
    ready: watch.ready,
    current: () => watch.current(),
    onChange: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop: () => watch.stop(),
  };
}

/** The two log calls the processes' loggers (pino) answer. */
interface PluginLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/**
 * The plugins of a process (controller or API server), read alike by both: the flags' files
 * once (a mistake fails startup, by throwing here), the cmp ConfigMap of the control namespace
 * watched, its problems and watch errors logged.
 */
export async function processPlugins(o: {
  readonly sources: PluginSources;
  readonly kube: KubeClient;
  readonly group: ApiGroup;
  readonly namespace: string;
  readonly logger: PluginLog;
}): Promise<WatchedPlugins> {
  return watchPluginDefinitions({
    fixed: await loadPluginDefinitions(o.sources),
    kube: o.kube,
    namespace: o.namespace,
    name: settingsNames(o.group).cmpCm,
    onProblem: (message) => o.logger.error({ kind: 'ConfigMap' }, message),
    onError: (err) =>
      o.logger.warn({ kind: 'ConfigMap', err: errorMessage(err) }, 'watch error; retrying'),
  });
}
