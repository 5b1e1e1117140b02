/**
 * `RespectIgnoreDifferences=true`: before an apply, the fields the app's `spec.ignoreDifferences`
 * names take their live values, so a sync does not reset what another writer owns (an HPA's
 * `spec.replicas`, an injected sidecar). As Argo CD's normalizeTargetResources: normalize target
 * and live with the same rules the diff uses, then lay over the normalized target what the
 * normalization took out of live.
 */
import type { KubeObject } from '@gitward/model';
import { applyIgnoreDifferences } from '../diff/ignore-differences.ts';
import { cloneJson, deepEqual, isObject, type JsonObject } from '../diff/json.ts';
import type { IgnoreDifference } from '../diff/types.ts';

// Strategic merge keys lists of most kinds by `name` (containers, env, ports, volumes); matching
// on it keeps a restored element with its counterpart even when the target orders them otherwise.
const nameOf = (v: unknown): string | undefined =>
  isObject(v) && typeof v['name'] === 'string' ? v['name'] : undefined;

function counterpart(list: readonly unknown[], element: unknown, index: number): number {
  const name = nameOf(element);
  if (name === undefined) return index < list.length ? index : -1;
  return list.findIndex((e) => nameOf(e) === name);
}

function restoreList(target: unknown, normalized: unknown[], live: unknown[]): unknown[] {
  if (!Array.isArray(target)) return cloneJson(live);
  const out: unknown[] = [...(target as unknown[])];
  const sameLength = normalized.length === live.length;
  // Whole elements were ignored: without names to match them, a merge patch replaces the list.
  if (!sameLength && !live.every((e) => nameOf(e) !== undefined)) return cloneJson(live);
  live.forEach((element, i) => {
    const before = sameLength
      ? normalized[i]
      : normalized.find((e) => nameOf(e) === nameOf(element));
    if (deepEqual(before, element)) return;
    const j = counterpart(out, element, i);
    if (before === undefined) {
      if (j === -1) out.push(cloneJson(element));
      return;
    }
    if (j === -1) return;
    out[j] = restoreValue(out[j], before, element);
  });
  return out;
}

function restoreValue(target: unknown, normalized: unknown, live: unknown): unknown {
  if (isObject(normalized) && isObject(live)) {
    const out: JsonObject = isObject(target) ? { ...target } : {};
    restoreObject(out, normalized, live);
    return out;
  }
  if (Array.isArray(normalized) && Array.isArray(live)) {
    return restoreList(target, normalized, live);
  }
  return cloneJson(live);
}

/** Writes into `target` every part of `live` that `normalized` (live minus the ignored) lacks. */
function restoreObject(target: JsonObject, normalized: JsonObject, live: JsonObject): void {
  for (const [key, value] of Object.entries(live)) {
    if (!Object.hasOwn(normalized, key)) {
      target[key] = cloneJson(value);
    } else if (!deepEqual(normalized[key], value)) {
      target[key] = restoreValue(target[key], normalized[key], value);
    }
  }
}

/**
 * The target to apply under RespectIgnoreDifferences: at every path the matching rules ignore
 * (jsonPointers, jqPathExpressions, managedFieldsManagers), the live value, or nothing when live
 * has none there. Without a live object, or a matching rule, the target is returned as it is.
 */
export function respectIgnoreDifferences(
  target: KubeObject,
  live: KubeObject | undefined,
  rules: readonly IgnoreDifference[],
): KubeObject {
  if (!live) return target;
  const normalizedTarget = applyIgnoreDifferences(target, rules, live);
  if (normalizedTarget === target) return target;
  const normalizedLive = applyIgnoreDifferences(live, rules, live);
  const out = cloneJson(normalizedTarget) as unknown as JsonObject;
  restoreObject(out, normalizedLive, live);
  return out as unknown as KubeObject;
}
