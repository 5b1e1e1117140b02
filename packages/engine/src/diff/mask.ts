import { groupOf, type KubeObject } from '@gitward/model';
import { cloneJson, isObject, type JsonObject } from './json.ts';
import { foldStringData, lastAppliedAnnotation } from './normalize.ts';

/** The first replacement; each further distinct value of the same key gets 4 more '+'. */
const firstRun = '++++++++';
const runStep = '++++';

function isSecret(o: KubeObject | undefined): o is KubeObject {
  return o?.kind === 'Secret' && groupOf(o.apiVersion) === '';
}

function annotationsOf(o: JsonObject): JsonObject | undefined {
  const meta = o['metadata'];
  if (!isObject(meta)) return undefined;
  const a = meta['annotations'];
  return isObject(a) ? a : undefined;
}

/** The last-applied copy inside an object, parsed; undefined when absent or not JSON. */
function lastAppliedOf(o: JsonObject): JsonObject | undefined {
  const raw = annotationsOf(o)?.[lastAppliedAnnotation];
  if (typeof raw !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replaces the values of `keys` in every map, key by key: equal values get equal runs of '+',
 * each new distinct value a longer run, so a change stays visible without showing the value.
 */
function maskMaps(maps: readonly JsonObject[], keys: Iterable<string>): void {
  for (const key of keys) {
    const runs = new Map<string, string>();
    let next = firstRun;
    for (const m of maps) {
      if (!Object.hasOwn(m, key)) continue;
      const value = JSON.stringify(m[key]) ?? 'undefined';
      let run = runs.get(value);
      if (run === undefined) {
        run = next;
        next += runStep;
        runs.set(value, run);
      }
      m[key] = run;
    }
  }
}

function dataOf(o: JsonObject): JsonObject | undefined {
  const d = o['data'];
  return isObject(d) ? d : undefined;
}

function present<T>(v: T | undefined): v is T {
  return v !== undefined;
}

/** Masks one family (data or sensitive annotations) across all the maps that carry it. */
function maskFamily(maps: readonly JsonObject[], onlyKeys?: readonly string[]): void {
  const keys = new Set<string>(maps.flatMap((m) => Object.keys(m)));
  const chosen = onlyKeys === undefined ? keys : onlyKeys.filter((k) => keys.has(k));
  maskMaps(maps, chosen);
}

/**
 * Argo CD's Secret masking: the `data` values of target, live and their last-applied copies
 * become runs of '+', equal values equal runs and different values different lengths, across
 * all of them. stringData is folded into data first so no plaintext survives; annotations named
 * in `sensitiveAnnotations` are masked the same way. Objects that are not Secrets pass through.
 */
export function maskSecrets(
  target: KubeObject | undefined,
  live: KubeObject | undefined,
  sensitiveAnnotations: readonly string[] = [],
): [KubeObject | undefined, KubeObject | undefined] {
  if (!isSecret(target) && !isSecret(live)) return [target, live];
  const objects = [target, live].map((o) => (o === undefined ? undefined : cloneJson(o)));
  const owners: JsonObject[] = objects.filter(present);
  const applied = owners.map((owner) => ({ owner, copy: lastAppliedOf(owner) }));
  const all = [...owners, ...applied.map((a) => a.copy).filter(present)];
  for (const o of all) foldStringData(o);
  maskFamily(all.map(dataOf).filter(present));
  maskFamily(all.map(annotationsOf).filter(present), sensitiveAnnotations);
  for (const { owner, copy } of applied) {
    const annotations = annotationsOf(owner);
    if (annotations?.[lastAppliedAnnotation] === undefined) continue;
    // A copy that is not JSON cannot be masked value by value, so none of it is shown.
    annotations[lastAppliedAnnotation] = copy === undefined ? firstRun : JSON.stringify(copy);
  }
  return [objects[0], objects[1]];
}
