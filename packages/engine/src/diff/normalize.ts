import { groupOf, type KubeObject } from '@gitward/model';
import { encodeBase64 } from './base64.ts';
import { canonicalJson, isObject, type JsonObject } from './json.ts';
import type { IgnoreResourceStatus } from './types.ts';

/** Metadata the apiserver writes and a repository never declares. */
const serverMetadata = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
] as const;

/** Annotations written by clients or controllers, not by the user. */
const clientAnnotations = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deprecated.daemonset.template.generation',
] as const;

/** The annotation kubectl (and Argo CD's client-side apply) keeps the applied object in. */
export const lastAppliedAnnotation = clientAnnotations[0];

/** Options of the normalization; the defaults are Argo CD's. */
export interface NormalizeOptions {
  /** Drop the rules of ClusterRoles with an aggregationRule: the aggregation controller owns them. */
  readonly ignoreAggregatedRoles?: boolean | undefined;
  /** Whose status is dropped: all (default), CustomResourceDefinitions only, or none. */
  readonly ignoreResourceStatusField?: IgnoreResourceStatus | undefined;
}

/** Whether an object's `status` is left out under the `ignoreResourceStatusField` mode. */
function dropsStatus(o: JsonObject, mode: IgnoreResourceStatus = 'all'): boolean {
  if (mode === 'all') return true;
  if (mode === 'none') return false;
  const apiVersion = typeof o['apiVersion'] === 'string' ? o['apiVersion'] : '';
  return o['kind'] === 'CustomResourceDefinition' && groupOf(apiVersion) === 'apiextensions.k8s.io';
}

type Quirk = (o: JsonObject, opts: NormalizeOptions) => void;

/** Drops `null` map values recursively: a typed round trip (what Argo CD does) omits them. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, e] of Object.entries(v)) if (e !== null) out[k] = dropNulls(e);
  return out;
}

function dropIfEmpty(o: JsonObject, field: string): void {
  const v = o[field];
  if (isObject(v) && Object.keys(v).length === 0) delete o[field];
}

function normalizeMetadata(o: JsonObject): void {
  const meta = o['metadata'];
  if (!isObject(meta)) return;
  for (const f of serverMetadata) delete meta[f];
  const annotations = meta['annotations'];
  if (isObject(annotations)) for (const a of clientAnnotations) delete annotations[a];
  dropIfEmpty(meta, 'annotations');
  dropIfEmpty(meta, 'labels');
}

/**
 * Folds Secret `stringData` into base64 `data` (stringData wins, as in the apiserver), so a
 * repository using stringData equals the live Secret, which only ever has data.
 */
export function foldStringData(o: JsonObject): void {
  const stringData = o['stringData'];
  delete o['stringData'];
  const data: JsonObject = isObject(o['data']) ? { ...o['data'] } : {};
  if (isObject(stringData)) {
    for (const [k, v] of Object.entries(stringData)) data[k] = encodeBase64(String(v));
  }
  o['data'] = data;
  dropIfEmpty(o, 'data');
}

// The apiserver stores no empty data maps, so `data: {}` in git is the same as no data.
const configMapQuirk: Quirk = (o) => {
  dropIfEmpty(o, 'data');
  dropIfEmpty(o, 'binaryData');
};

// RBAC: `rules: []` round-trips through the apiserver as null (Argo CD's Role quirk).
const roleQuirk: Quirk = (o) => {
  if (Array.isArray(o['rules']) && o['rules'].length === 0) delete o['rules'];
};

const clusterRoleQuirk: Quirk = (o, opts) => {
  roleQuirk(o, opts);
  if (opts.ignoreAggregatedRoles === true && o['aggregationRule'] !== undefined) delete o['rules'];
};

function sortCanonically(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return (list as unknown[])
    .map((e) => ({ e, key: canonicalJson(e) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ e }) => e);
}

function normalizeSubset(s: unknown): unknown {
  if (!isObject(s)) return s;
  const out: JsonObject = { ...s };
  for (const f of ['addresses', 'notReadyAddresses']) {
    if (out[f] !== undefined) out[f] = sortCanonically(out[f]);
  }
  if (Array.isArray(out['ports'])) {
    // The endpoints controller writes protocol explicitly; a manifest may leave it to default.
    const ports = (out['ports'] as unknown[]).map((p) =>
      isObject(p) ? { protocol: 'TCP', ...p } : p,
    );
    out['ports'] = sortCanonically(ports);
  }
  return out;
}

// The endpoints controller orders subsets, addresses and ports as it likes; order is not meaning.
const endpointsQuirk: Quirk = (o) => {
  if (Array.isArray(o['subsets']))
    o['subsets'] = sortCanonically(o['subsets'].map(normalizeSubset));
};

/** Per-kind quirks from Argo CD's normalizers, keyed by "group/Kind". */
const quirks: Readonly<Record<string, Quirk>> = {
  '/Secret': (o) => foldStringData(o),
  '/ConfigMap': configMapQuirk,
  '/Endpoints': endpointsQuirk,
  'rbac.authorization.k8s.io/Role': roleQuirk,
  'rbac.authorization.k8s.io/ClusterRole': clusterRoleQuirk,
};

/**
 * The object with everything that is not intent removed: status (unless the options keep it),
 * server-written metadata,
 * client annotations, empty annotation/label maps, nulls; Secret stringData folded into data;
 * and the per-kind quirks of Argo CD (Role rules empty→null, Endpoints subsets sorted).
 */
export function normalizeObject(obj: KubeObject, opts: NormalizeOptions = {}): KubeObject {
  // dropNulls rebuilds every map and list, so the caller's object is never touched.
  const out = dropNulls(obj) as JsonObject;
  if (dropsStatus(out, opts.ignoreResourceStatusField)) delete out['status'];
  normalizeMetadata(out);
  const apiVersion = typeof out['apiVersion'] === 'string' ? out['apiVersion'] : '';
  quirks[`${groupOf(apiVersion)}/${String(out['kind'])}`]?.(out, opts);
  return out as KubeObject;
}
