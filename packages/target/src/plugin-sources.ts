/**
 * Where the processes read config management plugins from, once at startup: the `--plugins`
 * file, a directory of plugin.yaml files (`--plugins-dir`, as the sidecars' mounted ConfigMaps
 * are laid out), and the cmp ConfigMap of the control namespace. One list, names unique.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeClient } from '@gitward/infra';
import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';
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
  /** The cmp ConfigMap; absent ConfigMap: no plugins from it. */
  readonly configMap?: {
    readonly kube: KubeClient;
    readonly namespace: string;
    readonly name: string;
  };
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

async function fromConfigMap(c: NonNullable<PluginSources['configMap']>) {
  const path = `/api/v1/namespaces/${encodeURIComponent(c.namespace)}/configmaps/${encodeURIComponent(c.name)}`;
  const res = await c.kube.request<{ data?: unknown }>('GET', path);
  if (res.status === 404) return [];
  if (res.status !== 200)
    throw new GitwardError(
      ErrorCode.KubeRequestFailed,
      `reading ConfigMap ${c.namespace}/${c.name}: HTTP ${res.status}`,
    );
  const body = res.body;
  const data =
    typeof body === 'object' && body !== null && Object.hasOwn(body, 'data')
      ? body.data
      : undefined;
  return pluginsOfConfigMapData(data, `${c.namespace}/${c.name}`);
}

/** Every configured plugin; any mistake throws, naming the file or ConfigMap key. */
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
  if (s.configMap) out.push(...(await fromConfigMap(s.configMap)));
  return uniqueNames(out);
}
