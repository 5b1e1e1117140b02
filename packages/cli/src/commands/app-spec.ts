import { parseManifests } from '@gitward/engine';
import {
  ApiGroup,
  apiVersionOf,
  applicationSchema,
  ErrorCode,
  findKeyProblem,
  GitwardError,
  type Application,
  type ApplicationSource,
  type ApplicationSpec,
} from '@gitward/model';

// Pure edits of an Application spec by `app create|set|unset` (Argo CD's SetAppSpecOptions).

/** An edit of an Application spec by `app set|unset`, or why it is refused. */
export type SpecEdit =
  | { readonly ok: true; readonly spec: ApplicationSpec }
  | { readonly ok: false; readonly reason: string };

type SyncPolicy = NonNullable<ApplicationSpec['syncPolicy']>;

/** `K=V` options are keyed by K; the key alone (`!K`, or `unset --sync-option K`) names one. */
const optionKey = (o: string): string => (o.split('=')[0] ?? '').trim();

/**
 * Adds `K=V` options (replacing one with the same key, so `Prune=false` after `Prune=true`
 * leaves one) and removes those written `!K` or `!K=V`, as `app set --sync-option` does.
 */
export function editSyncOptions(current: readonly string[], changes: readonly string[]): string[] {
  let out = [...current];
  for (const c of changes) {
    const remove = c.startsWith('!');
    const opt = remove ? c.slice(1) : c;
    const rest = out.filter((o) => optionKey(o) !== optionKey(opt));
    out = remove ? rest : [...rest, opt];
  }
  return out;
}

/** `name=value` items keyed by name: later ones replace earlier ones with the same name. */
function upsertByKey<T>(items: readonly T[], add: readonly T[], key: (t: T) => string): T[] {
  return add.reduce<T[]>((acc, a) => [...acc.filter((i) => key(i) !== key(a)), a], [...items]);
}

/** The image a kustomize override is about: `name=new:tag`, `img:tag` or `img@digest`. */
function imageName(s: string): string {
  if (s.includes('=')) return s.slice(0, s.indexOf('='));
  const noDigest = s.split('@')[0] ?? s;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

const without = <T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> => {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
};

/** Drops an empty sub-object (`{}`) so an unset leaves no trace in the spec. */
function prune<T extends object>(o: T | undefined): T | undefined {
  return o === undefined || Object.keys(o).length === 0 ? undefined : o;
}

/** Applies `edit` to the source `--source-position` names (1-based; the only one by default). */
function editSource(
  spec: ApplicationSpec,
  position: string | undefined,
  edit: (s: ApplicationSource) => ApplicationSource,
): SpecEdit {
  const pos = position === undefined ? 1 : Number(position);
  if (spec.sources && spec.sources.length > 0) {
    if (!Number.isInteger(pos) || pos < 1 || pos > spec.sources.length)
      return {
        ok: false,
        reason: `--source-position must be between 1 and ${spec.sources.length}`,
      };
    return {
      ok: true,
      spec: { ...spec, sources: spec.sources.map((s, i) => (i === pos - 1 ? edit(s) : s)) },
    };
  }
  if (!spec.source) return { ok: false, reason: 'the application has no source' };
  if (pos !== 1) return { ok: false, reason: 'the application has a single source' };
  return { ok: true, spec: { ...spec, source: edit(spec.source) } };
}

/**
 * The spec flags of `app create` and `app set` (Argo CD's AppOptions, same names): what is not
 * given stays as it is. Lists may be left out. `valuesLiteral` is the content of
 * `--values-literal-file`, read by the command (this module does no I/O).
 */
export interface SetFlags {
  repo?: string | undefined;
  path?: string | undefined;
  helmChart?: string | undefined;
  revision?: string | undefined;
  destServer?: string | undefined;
  destName?: string | undefined;
  destNamespace?: string | undefined;
  project?: string | undefined;
  syncPolicy?: string | undefined;
  autoPrune?: boolean | undefined;
  selfHeal?: boolean | undefined;
  allowEmpty?: boolean | undefined;
  syncOption?: readonly string[] | undefined;
  syncRetryLimit?: string | undefined;
  revisionHistoryLimit?: string | undefined;
  nameprefix?: string | undefined;
  namesuffix?: string | undefined;
  kustomizeImage?: readonly string[] | undefined;
  kustomizeVersion?: string | undefined;
  kustomizeNamespace?: string | undefined;
  kustomizeCommonLabel?: readonly string[] | undefined;
  kustomizeCommonAnnotation?: readonly string[] | undefined;
  helmSet?: readonly string[] | undefined;
  /** argocd's `-p NAME=VALUE`, which sets Helm parameters as `--helm-set` does. */
  parameter?: readonly string[] | undefined;
  helmSetString?: readonly string[] | undefined;
  helmSetFile?: readonly string[] | undefined;
  values?: readonly string[] | undefined;
  valuesLiteral?: string | undefined;
  releaseName?: string | undefined;
  helmVersion?: string | undefined;
  helmPassCredentials?: boolean | undefined;
  helmSkipCrds?: boolean | undefined;
  ignoreMissingValueFiles?: boolean | undefined;
  directoryRecurse?: boolean | undefined;
  directoryInclude?: string | undefined;
  directoryExclude?: string | undefined;
  jsonnetExtVarStr?: readonly string[] | undefined;
  jsonnetExtVarCode?: readonly string[] | undefined;
  jsonnetTlaStr?: readonly string[] | undefined;
  jsonnetTlaCode?: readonly string[] | undefined;
  jsonnetLibs?: readonly string[] | undefined;
  configManagementPlugin?: string | undefined;
  pluginEnv?: readonly string[] | undefined;
  sourcePosition?: string | undefined;
}

/**
 * Every spec flag of `app set` (all of SetFlags but the source it edits): the compiler keeps this
 * list whole, so a new flag cannot be forgotten when judging whether any was given.
 */
const specFlagKeys: Record<Exclude<keyof SetFlags, 'sourcePosition'>, true> = {
  repo: true,
  path: true,
  helmChart: true,
  revision: true,
  destServer: true,
  destName: true,
  destNamespace: true,
  project: true,
  syncPolicy: true,
  autoPrune: true,
  selfHeal: true,
  allowEmpty: true,
  syncOption: true,
  syncRetryLimit: true,
  revisionHistoryLimit: true,
  nameprefix: true,
  namesuffix: true,
  kustomizeImage: true,
  kustomizeVersion: true,
  kustomizeNamespace: true,
  kustomizeCommonLabel: true,
  kustomizeCommonAnnotation: true,
  helmSet: true,
  parameter: true,
  helmSetString: true,
  helmSetFile: true,
  values: true,
  valuesLiteral: true,
  releaseName: true,
  helmVersion: true,
  helmPassCredentials: true,
  helmSkipCrds: true,
  ignoreMissingValueFiles: true,
  directoryRecurse: true,
  directoryInclude: true,
  directoryExclude: true,
  jsonnetExtVarStr: true,
  jsonnetExtVarCode: true,
  jsonnetTlaStr: true,
  jsonnetTlaCode: true,
  jsonnetLibs: true,
  configManagementPlugin: true,
  pluginEnv: true,
};

/**
 * Whether any spec flag was given (a repeatable one at least once). `app set` with none is
 * refused, as argocd's ("Please set at least one option to update"), rather than saying "updated".
 */
export function specFlagsGiven(f: SetFlags): boolean {
  return Object.keys(specFlagKeys).some((k) => {
    const v: unknown = f[k as keyof SetFlags];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
}

/** A spec edit that failed: the message the command exits with (a typed error wherever it ends). */
class Refused extends GitwardError {
  constructor(message: string) {
    super(ErrorCode.InvalidArgument, message);
  }
}

/** `K=V` into name and value (the value may hold `=`); a missing `=` is refused. */
export function keyValue(flag: string, kv: string): { name: string; value: string } {
  const i = kv.indexOf('=');
  if (i <= 0) throw new Refused(`--${flag} expects NAME=VALUE, got ${JSON.stringify(kv)}`);
  return { name: kv.slice(0, i), value: kv.slice(i + 1) };
}

/** `K=V` pairs as a map; as Argo CD's label.Parse, a key without `=` is refused. */
export function keyValueMap(flag: string, items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of items) {
    const { name, value } = keyValue(flag, kv);
    out[name] = value;
  }
  return out;
}

const some = (l: readonly string[] | undefined): l is readonly string[] =>
  l !== undefined && l.length > 0;

/** Only the keys whose value is defined: `{...s, ...defined({a: undefined})}` keeps `s.a`. */
type Defined<T> = { [K in keyof T]?: Exclude<T[K], undefined> };
function defined<T extends object>(o: T): Defined<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Defined<T>;
}

function setSourceFields(s: ApplicationSource, f: SetFlags): ApplicationSource {
  const out: ApplicationSource = {
    ...s,
    ...defined({
      repoURL: f.repo,
      path: f.path,
      chart: f.helmChart,
      targetRevision: f.revision,
    }),
  };
  return setPlugin(setDirectory(setHelmFields(setKustomize(out, f), f), f), f);
}

function setKustomize(s: ApplicationSource, f: SetFlags): ApplicationSource {
  const changes = defined({
    namePrefix: f.nameprefix,
    nameSuffix: f.namesuffix,
    version: f.kustomizeVersion,
    namespace: f.kustomizeNamespace,
    commonLabels: some(f.kustomizeCommonLabel)
      ? keyValueMap('kustomize-common-label', f.kustomizeCommonLabel)
      : undefined,
    commonAnnotations: some(f.kustomizeCommonAnnotation)
      ? keyValueMap('kustomize-common-annotation', f.kustomizeCommonAnnotation)
      : undefined,
  });
  if (Object.keys(changes).length === 0 && !some(f.kustomizeImage)) return s;
  const k = s.kustomize ?? {};
  return {
    ...s,
    kustomize: {
      ...k,
      ...changes,
      ...(some(f.kustomizeImage)
        ? { images: upsertByKey(k.images ?? [], f.kustomizeImage, imageName) }
        : {}),
    },
  };
}

type HelmParameter = NonNullable<NonNullable<ApplicationSource['helm']>['parameters']>[number];

function setHelmFields(s: ApplicationSource, f: SetFlags): ApplicationSource {
  const params: HelmParameter[] = [
    ...(f.helmSet ?? []).map((kv) => keyValue('helm-set', kv)),
    ...(f.parameter ?? []).map((kv) => keyValue('parameter', kv)),
    ...(f.helmSetString ?? []).map((kv) => ({
      ...keyValue('helm-set-string', kv),
      forceString: true,
    })),
  ];
  const files = (f.helmSetFile ?? []).map((kv) => {
    const { name, value } = keyValue('helm-set-file', kv);
    return { name, path: value };
  });
  const changes = defined({
    // Argo CD replaces the list of values files with the one given.
    valueFiles: some(f.values) ? [...f.values] : undefined,
    values: f.valuesLiteral,
    releaseName: f.releaseName,
    version: f.helmVersion,
    passCredentials: f.helmPassCredentials,
    skipCrds: f.helmSkipCrds,
    ignoreMissingValueFiles: f.ignoreMissingValueFiles,
  });
  if (Object.keys(changes).length === 0 && !params.length && !files.length) return s;
  const h = s.helm ?? {};
  return {
    ...s,
    helm: {
      ...h,
      ...changes,
      ...(params.length
        ? { parameters: upsertByKey(h.parameters ?? [], params, (p) => p.name) }
        : {}),
      ...(files.length
        ? { fileParameters: upsertByKey(h.fileParameters ?? [], files, (p) => p.name) }
        : {}),
    },
  };
}

type JsonnetVar = { name: string; value: string; code?: boolean | undefined };

function jsonnetVars(flag: string, items: readonly string[] | undefined, code: boolean) {
  return (items ?? []).map((kv): JsonnetVar => ({
    ...keyValue(flag, kv),
    ...(code ? { code } : {}),
  }));
}

function setDirectory(s: ApplicationSource, f: SetFlags): ApplicationSource {
  const extVars = [
    ...jsonnetVars('jsonnet-ext-var-str', f.jsonnetExtVarStr, false),
    ...jsonnetVars('jsonnet-ext-var-code', f.jsonnetExtVarCode, true),
  ];
  const tlas = [
    ...jsonnetVars('jsonnet-tla-str', f.jsonnetTlaStr, false),
    ...jsonnetVars('jsonnet-tla-code', f.jsonnetTlaCode, true),
  ];
  const changes = defined({
    recurse: f.directoryRecurse,
    include: f.directoryInclude,
    exclude: f.directoryExclude,
  });
  const jsonnetChanged = extVars.length || tlas.length || some(f.jsonnetLibs);
  if (Object.keys(changes).length === 0 && !jsonnetChanged) return s;
  const d = s.directory ?? {};
  const j = d.jsonnet ?? {};
  const byName = (v: JsonnetVar) => v.name;
  return {
    ...s,
    directory: {
      ...d,
      ...changes,
      ...(jsonnetChanged
        ? {
            jsonnet: {
              ...j,
              ...(extVars.length ? { extVars: upsertByKey(j.extVars ?? [], extVars, byName) } : {}),
              ...(tlas.length ? { tlas: upsertByKey(j.tlas ?? [], tlas, byName) } : {}),
              ...(some(f.jsonnetLibs)
                ? {
                    libs: [
                      ...(j.libs ?? []),
                      ...f.jsonnetLibs.filter((l) => !(j.libs ?? []).includes(l)),
                    ],
                  }
                : {}),
            },
          }
        : {}),
    },
  };
}

function setPlugin(s: ApplicationSource, f: SetFlags): ApplicationSource {
  if (f.configManagementPlugin === undefined && !some(f.pluginEnv)) return s;
  const p = s.plugin ?? {};
  const env = (f.pluginEnv ?? []).map((kv) => keyValue('plugin-env', kv));
  return {
    ...s,
    plugin: {
      ...p,
      ...defined({ name: f.configManagementPlugin }),
      ...(env.length ? { env: upsertByKey(p.env ?? [], env, (e) => e.name) } : {}),
    },
  };
}

/** A whole number from a flag, or the flag named in a refusal. */
function integer(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Refused(`--${flag} must be a whole number, got ${v}`);
  return n;
}

/**
 * As argocd: a positive limit sets it (backoff as it was, or the controller's default), 0 removes
 * retrying, and a negative one is refused (unlimited is for manifests only).
 */
function setRetryLimit(sp: SyncPolicy, value: string): SyncPolicy {
  const limit = integer('sync-retry-limit', value);
  if (limit < 0) throw new Refused(`invalid --sync-retry-limit ${limit}`);
  return limit > 0 ? { ...sp, retry: { ...sp.retry, limit } } : without(sp, 'retry');
}

function setSyncPolicy(sp: SyncPolicy | undefined, f: SetFlags): SyncPolicy | undefined {
  let next: SyncPolicy = { ...sp };
  const mode = f.syncPolicy;
  if (mode === 'none' || mode === 'manual') next = without(next, 'automated');
  else if (mode === 'automated' || mode === 'automatic' || mode === 'auto')
    next = { ...next, automated: { ...next.automated } };
  else if (mode !== undefined) throw new Refused(`invalid --sync-policy ${mode}`);
  for (const [flag, key] of [
    ['auto-prune', 'autoPrune'],
    ['self-heal', 'selfHeal'],
    ['allow-empty', 'allowEmpty'],
  ] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (!next.automated)
      throw new Refused(`cannot set --${flag}: application not configured with automatic sync`);
    next = { ...next, automated: { ...next.automated, [key === 'autoPrune' ? 'prune' : key]: v } };
  }
  if (some(f.syncOption)) {
    const opts = editSyncOptions(next.syncOptions ?? [], f.syncOption);
    next = opts.length ? { ...next, syncOptions: opts } : without(next, 'syncOptions');
  }
  if (f.syncRetryLimit !== undefined) next = setRetryLimit(next, f.syncRetryLimit);
  return prune(next);
}

/** `app create|set`: the spec with the given flags applied, as Argo CD's SetAppSpecOptions. */
export function setAppSpec(spec: ApplicationSpec, f: SetFlags): SpecEdit {
  try {
    return { ok: true, spec: applySpecFlags(spec, f) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.message };
    throw err;
  }
}

function applySpecFlags(spec: ApplicationSpec, f: SetFlags): ApplicationSpec {
  const src = editSource(spec, f.sourcePosition, (s) => setSourceFields(s, f));
  if (!src.ok) throw new Refused(src.reason);
  const destination = {
    ...src.spec.destination,
    ...defined({ server: f.destServer, name: f.destName, namespace: f.destNamespace }),
  };
  // Argo CD: a destination names its cluster by server or by name, never both.
  if (f.destServer !== undefined) delete destination.name;
  if (f.destName !== undefined) delete destination.server;
  const syncPolicy = setSyncPolicy(src.spec.syncPolicy, f);
  const base = without(src.spec, 'syncPolicy');
  return {
    ...base,
    destination,
    ...defined({ project: f.project }),
    ...(f.revisionHistoryLimit !== undefined
      ? { revisionHistoryLimit: integer('revision-history-limit', f.revisionHistoryLimit) }
      : {}),
    ...(syncPolicy ? { syncPolicy } : {}),
  };
}

/** The flags of `app unset`: each names something to remove. */
export interface UnsetFlags {
  syncOption: string[];
  nameprefix?: boolean;
  namesuffix?: boolean;
  kustomizeImage: string[];
  parameter: string[];
  values: string[];
  valuesLiteral?: boolean;
  ignoreMissingValueFiles?: boolean;
  passCredentials?: boolean;
  sourcePosition?: string;
}

function unsetKustomize(s: ApplicationSource, f: UnsetFlags): ApplicationSource {
  if (!s.kustomize) return without(s, 'kustomize');
  let k = s.kustomize;
  if (f.nameprefix) k = without(k, 'namePrefix');
  if (f.namesuffix) k = without(k, 'nameSuffix');
  if (f.kustomizeImage.length) {
    const images = (k.images ?? []).filter((i) => !f.kustomizeImage.includes(imageName(i)));
    k = images.length ? { ...k, images } : without(k, 'images');
  }
  const kustomize = prune(k);
  return kustomize ? { ...s, kustomize } : without(s, 'kustomize');
}

function unsetHelm(s: ApplicationSource, f: UnsetFlags): ApplicationSource {
  if (!s.helm) return without(s, 'helm');
  let h = s.helm;
  if (f.parameter.length) {
    const parameters = (h.parameters ?? []).filter((p) => !f.parameter.includes(p.name));
    h = parameters.length ? { ...h, parameters } : without(h, 'parameters');
  }
  if (f.values.length) {
    const valueFiles = (h.valueFiles ?? []).filter((v) => !f.values.includes(v));
    h = valueFiles.length ? { ...h, valueFiles } : without(h, 'valueFiles');
  }
  if (f.valuesLiteral) h = without(h, 'values', 'valuesObject');
  if (f.ignoreMissingValueFiles) h = without(h, 'ignoreMissingValueFiles');
  if (f.passCredentials) h = without(h, 'passCredentials');
  const helm = prune(h);
  return helm ? { ...s, helm } : without(s, 'helm');
}

/** `app unset`: the spec without what the flags name. */
export function unsetAppSpec(spec: ApplicationSpec, f: UnsetFlags): SpecEdit {
  const src = editSource(spec, f.sourcePosition, (s) => unsetHelm(unsetKustomize(s, f), f));
  if (!src.ok || !f.syncOption.length) return src;
  const sp = src.spec.syncPolicy;
  const opts = editSyncOptions(
    sp?.syncOptions ?? [],
    f.syncOption.map((o) => `!${o}`),
  );
  const syncPolicy = prune(
    opts.length ? { ...sp, syncOptions: opts } : without({ ...sp }, 'syncOptions'),
  );
  const base = without(src.spec, 'syncPolicy');
  return { ok: true, spec: { ...base, ...(syncPolicy ? { syncPolicy } : {}) } };
}

/** The flags of `app create` beyond the spec ones (argocd's names). */
export interface CreateFlags extends SetFlags {
  label?: readonly string[] | undefined;
  annotations?: readonly string[] | undefined;
  setFinalizer?: boolean | undefined;
}

const invalidArg = (message: string) => new GitwardError(ErrorCode.InvalidArgument, message);

/** The API versions a file may give an Application: gitward's and Argo CD's group. */
const applicationApiVersions = [apiVersionOf(ApiGroup.Gitward), apiVersionOf(ApiGroup.ArgoCD)];

/**
 * The Applications of a file given to `app create -f` (YAML or JSON, any number of documents,
 * either API group). Read by own property: a key such as `__proto__` anywhere is refused, as the
 * server refuses it in a body; `status` and `operation` are dropped (the server never takes them).
 */
export function applicationsFromText(text: string, origin: string): Application[] {
  const parsed = parseManifests(text, origin);
  const first = parsed.errors[0];
  if (first) throw invalidArg(`${origin}: document ${first.document + 1}: ${first.message}`);
  if (parsed.objects.length === 0) throw invalidArg(`${origin}: no application in the file`);
  return parsed.objects.map((obj) => {
    const problem = findKeyProblem(obj);
    if (problem?.kind === 'prototype-key')
      throw invalidArg(`${origin}: the key "${problem.key}" (at ${problem.path}) is not allowed`);
    if (problem) throw invalidArg(`${origin}: nested too deeply at ${problem.path}`);
    const name = obj.metadata.name ?? obj.metadata.generateName ?? '';
    if (obj.kind !== 'Application' || !applicationApiVersions.includes(obj.apiVersion))
      throw invalidArg(
        `${origin}: ${obj.apiVersion} ${obj.kind} ${name} is not an Application (${applicationApiVersions.join(' or ')})`,
      );
    const { status: _status, operation: _operation, ...rest } = obj as Record<string, unknown>;
    void [_status, _operation];
    const app = applicationSchema.safeParse(rest);
    if (!app.success) {
      const issues = app.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw invalidArg(`${origin}: application ${name} is invalid: ${issues.join('; ')}`);
    }
    return app.data;
  });
}

export const inClusterServer = 'https://kubernetes.default.svc';

/**
 * A new Application from flags alone. What argocd leaves to the server's defaults is written
 * out: project `default`, revision `HEAD`, path `.` (not for a Helm chart) and this cluster
 * (unless `--dest-name` names one).
 */
function newApplication(name: string, f: SetFlags): Application {
  if (!f.repo) throw invalidArg('--repo is required (or -f FILE)');
  return {
    apiVersion: apiVersionOf(ApiGroup.Gitward),
    kind: 'Application',
    metadata: { name },
    spec: {
      project: 'default',
      source: {
        repoURL: f.repo,
        ...(f.helmChart === undefined ? { path: '.' } : {}),
        targetRevision: 'HEAD',
      },
      destination: f.destName === undefined ? { server: inClusterServer } : {},
    },
  };
}

/**
 * What `app create` sends: the file's Applications (when given) or a new one named `name`, each
 * with the spec flags applied (one implementation with `app set`), the labels merged, the
 * annotations set and the finalizer added, as argocd's ConstructApps does.
 */
export function applicationsToCreate(
  name: string | undefined,
  fromFile: readonly Application[] | undefined,
  f: CreateFlags,
): Application[] {
  if (fromFile === undefined && !name) throw invalidArg('an application name is required');
  const apps = fromFile ?? [newApplication(name ?? '', f)];
  const labels = keyValueMap('label', f.label ?? []);
  const annotations = Object.fromEntries(
    (f.annotations ?? []).map((a) => {
      const i = a.indexOf('=');
      return i < 0 ? [a, ''] : [a.slice(0, i), a.slice(i + 1)];
    }),
  );
  return apps.map((app) => {
    if (name && app.metadata.name !== name)
      throw invalidArg(
        `app name '${name}' does not match app spec metadata.name '${app.metadata.name}'`,
      );
    const edit = setAppSpec(app.spec, f);
    if (!edit.ok) throw invalidArg(edit.reason);
    const meta = app.metadata;
    const finalizers = meta.finalizers ?? [];
    const finalizer = 'resources-finalizer.argocd.argoproj.io';
    return {
      ...app,
      metadata: {
        ...meta,
        ...(Object.keys(labels).length ? { labels: { ...meta.labels, ...labels } } : {}),
        ...(Object.keys(annotations).length
          ? { annotations: { ...meta.annotations, ...annotations } }
          : {}),
        ...(f.setFinalizer && !finalizers.includes(finalizer)
          ? { finalizers: [...finalizers, finalizer] }
          : {}),
      },
      spec: edit.spec,
    };
  });
}
