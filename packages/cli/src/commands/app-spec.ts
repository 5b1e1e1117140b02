import {
  ErrorCode,
  GitwardError,
  type Application,
  type ApplicationSource,
  type ApplicationSpec,
} from '@gitward/model';
import type { ServerFlags } from './remote.ts';

// Pure edits of an Application spec by `app create|set|unset` (Argo CD's SetAppSpecOptions).

export interface CreateFlags extends ServerFlags {
  repo?: string;
  path?: string;
  revision: string;
  destServer: string;
  destNamespace?: string;
  project: string;
  syncPolicy?: string;
  autoPrune?: boolean;
  selfHeal?: boolean;
  allowEmpty?: boolean;
  syncOption: string[];
  upsert?: boolean;
  setFinalizer?: boolean;
}

export function applicationFrom(name: string, o: CreateFlags): Application {
  if (!o.repo) throw new GitwardError(ErrorCode.InvalidArgument, '--repo is required');
  const automated = o.syncPolicy === 'automated' || o.syncPolicy === 'auto';
  return {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      ...(o.setFinalizer ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
    },
    spec: {
      project: o.project,
      source: { repoURL: o.repo, path: o.path ?? '.', targetRevision: o.revision },
      destination: {
        server: o.destServer,
        ...(o.destNamespace ? { namespace: o.destNamespace } : {}),
      },
      ...(automated || o.syncOption.length
        ? {
            syncPolicy: {
              ...(automated
                ? {
                    automated: {
                      prune: Boolean(o.autoPrune),
                      selfHeal: Boolean(o.selfHeal),
                      allowEmpty: Boolean(o.allowEmpty),
                    },
                  }
                : {}),
              ...(o.syncOption.length ? { syncOptions: o.syncOption } : {}),
            },
          }
        : {}),
    },
  };
}

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

/** The flags of `app set` (Argo CD's names); what is not given stays as it is. */
export interface SetFlags {
  repo?: string;
  path?: string;
  revision?: string;
  destServer?: string;
  destName?: string;
  destNamespace?: string;
  project?: string;
  syncPolicy?: string;
  autoPrune?: boolean;
  selfHeal?: boolean;
  allowEmpty?: boolean;
  syncOption: string[];
  nameprefix?: string;
  namesuffix?: string;
  kustomizeImage: string[];
  helmSet: string[];
  values: string[];
  releaseName?: string;
  sourcePosition?: string;
}

function setSourceFields(s: ApplicationSource, f: SetFlags): ApplicationSource {
  let out: ApplicationSource = {
    ...s,
    ...(f.repo !== undefined ? { repoURL: f.repo } : {}),
    ...(f.path !== undefined ? { path: f.path } : {}),
    ...(f.revision !== undefined ? { targetRevision: f.revision } : {}),
  };
  if (f.nameprefix !== undefined || f.namesuffix !== undefined || f.kustomizeImage.length) {
    const k = out.kustomize ?? {};
    out = {
      ...out,
      kustomize: {
        ...k,
        ...(f.nameprefix !== undefined ? { namePrefix: f.nameprefix } : {}),
        ...(f.namesuffix !== undefined ? { nameSuffix: f.namesuffix } : {}),
        ...(f.kustomizeImage.length
          ? { images: upsertByKey(k.images ?? [], f.kustomizeImage, imageName) }
          : {}),
      },
    };
  }
  return setHelmFields(out, f);
}

function setHelmFields(s: ApplicationSource, f: SetFlags): ApplicationSource {
  if (!f.helmSet.length && !f.values.length && f.releaseName === undefined) return s;
  const h = s.helm ?? {};
  const params = f.helmSet.map((kv) => {
    const i = kv.indexOf('=');
    return { name: kv.slice(0, i), value: kv.slice(i + 1) };
  });
  return {
    ...s,
    helm: {
      ...h,
      ...(params.length
        ? { parameters: upsertByKey(h.parameters ?? [], params, (p) => p.name) }
        : {}),
      ...(f.values.length
        ? {
            valueFiles: [
              ...(h.valueFiles ?? []),
              ...f.values.filter((v) => !(h.valueFiles ?? []).includes(v)),
            ],
          }
        : {}),
      ...(f.releaseName !== undefined ? { releaseName: f.releaseName } : {}),
    },
  };
}

function setSyncPolicy(sp: SyncPolicy | undefined, f: SetFlags): SpecEdit | SyncPolicy | undefined {
  let next: SyncPolicy = { ...sp };
  const mode = f.syncPolicy;
  if (mode === 'none' || mode === 'manual') next = without(next, 'automated');
  else if (mode === 'automated' || mode === 'automatic' || mode === 'auto')
    next = { ...next, automated: { ...next.automated } };
  else if (mode !== undefined) return { ok: false, reason: `invalid --sync-policy ${mode}` };
  for (const [flag, key] of [
    ['auto-prune', 'autoPrune'],
    ['self-heal', 'selfHeal'],
    ['allow-empty', 'allowEmpty'],
  ] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (!next.automated)
      return {
        ok: false,
        reason: `cannot set --${flag}: application not configured with automatic sync`,
      };
    next = { ...next, automated: { ...next.automated, [key === 'autoPrune' ? 'prune' : key]: v } };
  }
  if (f.syncOption.length) {
    const opts = editSyncOptions(next.syncOptions ?? [], f.syncOption);
    next = opts.length ? { ...next, syncOptions: opts } : without(next, 'syncOptions');
  }
  return prune(next);
}

const isEdit = (v: unknown): v is SpecEdit => typeof v === 'object' && v !== null && 'ok' in v;

/** `app set`: the spec with the given flags applied, as Argo CD's SetAppSpecOptions does. */
export function setAppSpec(spec: ApplicationSpec, f: SetFlags): SpecEdit {
  const src = editSource(spec, f.sourcePosition, (s) => setSourceFields(s, f));
  if (!src.ok) return src;
  const destination = {
    ...src.spec.destination,
    ...(f.destServer !== undefined ? { server: f.destServer } : {}),
    ...(f.destName !== undefined ? { name: f.destName } : {}),
    ...(f.destNamespace !== undefined ? { namespace: f.destNamespace } : {}),
  };
  // Argo CD: a destination names its cluster by server or by name, never both.
  if (f.destServer !== undefined) delete destination.name;
  if (f.destName !== undefined) delete destination.server;
  const syncPolicy = setSyncPolicy(src.spec.syncPolicy, f);
  if (isEdit(syncPolicy)) return syncPolicy;
  const base = without(src.spec, 'syncPolicy');
  return {
    ok: true,
    spec: {
      ...base,
      destination,
      ...(f.project !== undefined ? { project: f.project } : {}),
      ...(syncPolicy ? { syncPolicy } : {}),
    },
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
