/**
 * Config management plugin definitions, from the operator's configuration: Argo CD's sidecar
 * `plugin.yaml` (kind ConfigManagementPlugin, read from a directory or the `<prefix>-cmp-cm`
 * ConfigMap) and gitward's older `--plugins` list, both parsed here into one PluginDefinition.
 * Everything is read by own property: a `__proto__` key in the YAML is data, never a prototype.
 */
import { ErrorCode, GitwardError } from '@gitward/model';
import { parse as parseYaml, parseAllDocuments } from 'yaml';

/** A program and its arguments (Argo CD's `command` followed by `args`); never a shell string. */
export type PluginArgv = readonly [string, ...string[]];

/** How a plugin recognises a source it can render (Argo CD's `spec.discover`). */
export interface PluginDiscover {
  /** A glob of file names in the source directory (one level, as Go's filepath.Glob). */
  readonly fileName?: string;
  /** A glob under the source directory; `**` crosses directories. */
  readonly glob?: string;
  /** A program run in a copy of the source directory: it matches when it exits 0 with output. */
  readonly command?: PluginArgv;
}

/** A parameter a plugin announces (Argo CD's ParameterAnnouncement), kept for display. */
export interface PluginParameterAnnouncement {
  readonly name: string;
  readonly title?: string;
  readonly tooltip?: string;
  readonly required?: boolean;
  readonly itemType?: string;
  readonly collectionType?: string;
  readonly string?: string;
  readonly array?: readonly string[];
  readonly map?: Readonly<Record<string, string>>;
}

/** A config-management plugin, defined in gitward's configuration (not in the Application). */
export interface PluginDefinition {
  /** What an Application's `plugin.name` says: `<metadata.name>-<spec.version>`, or the name. */
  readonly name: string;
  /** Program and arguments, run in a copy of the source directory; its stdout is YAML manifests. */
  readonly generate: PluginArgv;
  /** Optional program run first (e.g. to fetch dependencies). */
  readonly init?: PluginArgv;
  /** Without it, only Applications naming the plugin use it. */
  readonly discover?: PluginDiscover;
  readonly parameters?: {
    readonly static: readonly PluginParameterAnnouncement[];
    readonly dynamic?: PluginArgv;
  };
  /**
   * Keep the repository's file modes (executable bits) in the plugin's copy. Argo CD's default
   * (false) gives the plugin 0644 files; gitward's older `--plugins` list always kept them.
   */
  readonly preserveFileMode?: boolean;
  /** Time each run may take before its whole process tree is killed; the renderer's otherwise. */
  readonly timeoutSeconds?: number;
  /** Where it was defined, for messages (a file, or a ConfigMap key). */
  readonly origin?: string;
}

const invalid = (where: string, what: string) =>
  new GitwardError(ErrorCode.InvalidArgument, `${where}: ${what}`);

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An own property only: never one inherited from a (polluted) prototype. */
const own = (o: Obj, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);

function objectAt(o: Obj, k: string, where: string): Obj | undefined {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalid(where, `${k} must be an object`);
  return v;
}

function stringAt(o: Obj, k: string, where: string): string | undefined {
  const v = own(o, k);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(where, `${k} must be a string`);
  return v;
}

function stringsAt(o: Obj, k: string, where: string): string[] {
  const v = own(o, k);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((a) => typeof a === 'string'))
    throw invalid(where, `${k} must be a list of strings`);
  return v;
}

/** Argo CD's Command: `command` (a list) and `args` appended; absent when `command` is empty. */
function commandAt(o: Obj | undefined, where: string): PluginArgv | undefined {
  if (!o) return undefined;
  const command = stringsAt(o, 'command', where);
  const args = stringsAt(o, 'args', where);
  if (command.length === 0) {
    if (args.length > 0) throw invalid(where, 'args without a command');
    return undefined;
  }
  return [...command, ...args] as unknown as PluginArgv;
}

function boolAt(o: Obj, k: string, where: string): boolean | undefined {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalid(where, `${k} must be true or false`);
  return v;
}

function stringMapAt(o: Obj, k: string, where: string): Record<string, string> | undefined {
  const v = own(o, k);
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw invalid(where, `${k} must be a map of strings`);
  // A null-prototype copy: a key named __proto__ stays a key.
  const out = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(v)) {
    const s = v[key];
    if (typeof s !== 'string') throw invalid(where, `${k}.${key} must be a string`);
    out[key] = s;
  }
  return out;
}

function announcementOf(raw: unknown, where: string): PluginParameterAnnouncement {
  if (!isObj(raw)) throw invalid(where, 'must be an object');
  const name = stringAt(raw, 'name', where);
  if (name === undefined) throw invalid(where, 'name must be a non-empty string');
  const array = own(raw, 'array') === undefined ? undefined : stringsAt(raw, 'array', where);
  const map = stringMapAt(raw, 'map', where);
  const required = boolAt(raw, 'required', where);
  const text = (k: string) => {
    const s = stringAt(raw, k, where);
    return s === undefined ? {} : { [k]: s };
  };
  return {
    name,
    ...text('title'),
    ...text('tooltip'),
    ...text('itemType'),
    ...text('collectionType'),
    ...text('string'),
    ...(required !== undefined && { required }),
    ...(array !== undefined && { array }),
    ...(map !== undefined && { map }),
  };
}

function parametersOf(spec: Obj, where: string): PluginDefinition['parameters'] {
  const p = objectAt(spec, 'parameters', where);
  if (!p) return undefined;
  const rawStatic = own(p, 'static') ?? [];
  if (!Array.isArray(rawStatic)) throw invalid(where, 'parameters.static must be a list');
  const dynamic = commandAt(objectAt(p, 'dynamic', where), `${where}: parameters.dynamic`);
  return {
    static: rawStatic.map((a: unknown, i) =>
      announcementOf(a, `${where}: parameters.static[${i}]`),
    ),
    ...(dynamic && { dynamic }),
  };
}

function discoverOf(spec: Obj, where: string): PluginDiscover | undefined {
  const d = objectAt(spec, 'discover', where);
  if (!d) return undefined;
  const find = objectAt(d, 'find', `${where}: discover`);
  const fileName = stringAt(d, 'fileName', `${where}: discover`);
  const glob = find && stringAt(find, 'glob', `${where}: discover.find`);
  const command = commandAt(find, `${where}: discover.find`);
  if (fileName === undefined && glob === undefined && command === undefined) return undefined;
  return {
    ...(fileName !== undefined && { fileName }),
    ...(glob !== undefined && { glob }),
    ...(command && { command }),
  };
}

/** One `ConfigManagementPlugin` document, validated as Argo CD's ValidatePluginConfig does. */
function pluginOfDocument(doc: unknown, where: string): PluginDefinition {
  if (!isObj(doc)) throw invalid(where, 'a ConfigManagementPlugin must be an object');
  const kind = own(doc, 'kind');
  if (kind !== 'ConfigManagementPlugin')
    throw invalid(where, `kind must be ConfigManagementPlugin, found ${JSON.stringify(kind)}`);
  const metadata = objectAt(doc, 'metadata', where) ?? {};
  const name = stringAt(metadata, 'name', `${where}: metadata`);
  if (name === undefined) throw invalid(where, 'metadata.name must be non-empty');
  const spec = objectAt(doc, 'spec', where) ?? {};
  const version = stringAt(spec, 'version', `${where}: spec`);
  const generate = commandAt(objectAt(spec, 'generate', where), `${where}: spec.generate`);
  if (!generate) throw invalid(where, 'spec.generate.command must be a non-empty list');
  const init = commandAt(objectAt(spec, 'init', where), `${where}: spec.init`);
  const discover = discoverOf(spec, `${where}: spec`);
  const parameters = parametersOf(spec, `${where}: spec`);
  // lockRepo (Argo CD's older plugins) is accepted and needs nothing: every render runs on its
  // own copy of the repository, so two renders never share a working tree.
  boolAt(spec, 'lockRepo', `${where}: spec`);
  const preserveFileMode = boolAt(spec, 'preserveFileMode', `${where}: spec`) ?? false;
  return {
    name: version === undefined ? name : `${name}-${version}`,
    generate,
    ...(init && { init }),
    ...(discover && { discover }),
    ...(parameters && { parameters }),
    preserveFileMode,
    origin: where,
  };
}

/** YAML parsing that never throws anything but a GitwardError naming `where`. */
function yamlDocuments(text: string, where: string): unknown[] {
  try {
    return parseAllDocuments(text, { logLevel: 'silent' })
      .map((d) => {
        if (d.errors[0]) throw invalid(where, d.errors[0].message);
        return d.toJS({ maxAliasCount: 100 }) as unknown;
      })
      .filter((d) => d !== null && d !== undefined);
  } catch (err) {
    if (err instanceof GitwardError) throw err;
    throw invalid(where, err instanceof Error ? err.message : 'not YAML');
  }
}

/**
 * Argo CD's `plugin.yaml`: one or more `ConfigManagementPlugin` documents (a sidecar's file, a
 * value of the cmp ConfigMap). Any mistake throws an InvalidArgument GitwardError naming `where`.
 */
export function parseConfigManagementPlugins(text: string, where: string): PluginDefinition[] {
  const docs = yamlDocuments(text, where);
  return docs.map((d, i) => pluginOfDocument(d, docs.length > 1 ? `${where}[${i}]` : where));
}

const argvOf = (v: unknown, what: string): PluginArgv => {
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string'))
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${what} must be a non-empty list of strings`,
    );
  return v as unknown as PluginArgv;
};

function legacyPluginOf(raw: unknown, where: string): PluginDefinition {
  if (!isObj(raw)) throw new GitwardError(ErrorCode.InvalidArgument, `${where} must be an object`);
  const name = own(raw, 'name');
  if (typeof name !== 'string' || name === '')
    throw new GitwardError(ErrorCode.InvalidArgument, `${where} needs a unique, non-empty name`);
  const timeout = own(raw, 'timeoutSeconds');
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0)))
    throw invalid(where, 'timeoutSeconds must be a positive number');
  const init = own(raw, 'init');
  return {
    name,
    generate: argvOf(own(raw, 'generate'), `${where}: generate`),
    ...(init !== undefined && { init: argvOf(init, `${where}: init`) }),
    ...(timeout !== undefined && { timeoutSeconds: timeout }),
    preserveFileMode: true,
  };
}

/**
 * The plugins file an operator gives the processes (`--plugins`): either gitward's own YAML or
 * JSON list of `{name, generate: [program, args...], init?: [...], timeoutSeconds?}`, or Argo
 * CD's ConfigManagementPlugin documents. Any mistake fails startup with its place.
 */
export function parsePluginDefinitions(
  text: string,
  where = 'the plugins file',
): PluginDefinition[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { logLevel: 'silent' }) as unknown;
  } catch {
    // Several documents (a plugin.yaml stream) or broken YAML: the plugin.yaml parser says which.
    return uniqueNames(parseConfigManagementPlugins(text, where));
  }
  if (isObj(doc)) return uniqueNames(parseConfigManagementPlugins(text, where));
  if (!Array.isArray(doc))
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${where} must be a list of plugins or ConfigManagementPlugin documents`,
    );
  return uniqueNames(doc.map((raw: unknown, i) => legacyPluginOf(raw, `plugin ${i + 1}`)));
}

/**
 * The plugins of the cmp ConfigMap (`<prefix>-cmp-cm`, as Argo CD users keep plugin.yaml files
 * for their sidecars): every data value is a plugin.yaml. Keys are read in sorted order.
 */
export function pluginsOfConfigMapData(data: unknown, configMap: string): PluginDefinition[] {
  if (data === undefined || data === null) return [];
  if (!isObj(data))
    throw new GitwardError(ErrorCode.InvalidArgument, `ConfigMap ${configMap}: data must be a map`);
  return Object.keys(data)
    .sort()
    .flatMap((key) => {
      const text = data[key];
      const where = `ConfigMap ${configMap} key ${JSON.stringify(key)}`;
      if (typeof text !== 'string') throw invalid(where, 'must be a string');
      return parseConfigManagementPlugins(text, where);
    });
}

/** Plugins from several places: a name defined twice fails, naming both places. */
export function uniqueNames(plugins: readonly PluginDefinition[]): PluginDefinition[] {
  const seen = new Map<string, PluginDefinition>();
  for (const p of plugins) {
    const first = seen.get(p.name);
    if (first)
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `config management plugin ${JSON.stringify(p.name)} is defined twice (${first.origin ?? 'the plugins file'}, ${p.origin ?? 'the plugins file'}): names must be unique`,
      );
    seen.set(p.name, p);
  }
  return [...plugins];
}
