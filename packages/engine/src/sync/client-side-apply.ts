/**
 * kubectl's client-side apply as pure functions (`ServerSideApply=false`): the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation written on every apply, and the
 * three-way JSON merge patch (RFC 7386) computed from it, the new manifest and the live object, as
 * apimachinery's CreateThreeWayJSONMergePatch does. The controller sends what these return.
 */
import type { KubeObject } from '@gitward/model';
import {
  canonicalJson,
  cloneJson,
  deepEqual,
  isObject,
  setKey,
  type JsonObject,
} from '../diff/json.ts';
import { lastAppliedAnnotation } from '../diff/normalize.ts';

export { lastAppliedAnnotation };

/** The RFC 7386 merge patch that turns `from` into `to`: removed keys are null, lists replace. */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!Object.hasOwn(to, key)) setKey(patch, key, null);
  for (const [key, value] of Object.entries(to)) {
    const old = Object.hasOwn(from, key) ? from[key] : undefined;
    if (Object.hasOwn(from, key) && deepEqual(old, value)) continue;
    setKey(
      patch,
      key,
      isObject(old) && isObject(value) ? createMergePatch(old, value) : cloneJson(value),
    );
  }
  return patch;
}

/** Applies an RFC 7386 merge patch: null deletes, objects merge, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? cloneJson(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else setKey(out, key, applyMergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value));
  }
  return out;
}

/**
 * apimachinery's keepOrDeleteNullInObj: with `keepNull` only the deletions (nulls) of a patch,
 * without it everything but them. A sub-patch left empty is dropped; an empty object the patch
 * sets on purpose is a value, kept among the changes.
 */
function keepOrDeleteNull(patch: JsonObject, keepNull: boolean): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      if (keepNull) out[key] = null;
    } else if (isObject(value) && Object.keys(value).length > 0) {
      const sub = keepOrDeleteNull(value, keepNull);
      if (Object.keys(sub).length > 0) out[key] = sub;
    } else if (!keepNull) {
      out[key] = value;
    }
  }
  return out;
}

/**
 * The patch kubectl apply sends: additions and changes from live (`current`) to the new manifest
 * (`modified`), plus deletions of what the last apply (`original`) had and the manifest no longer
 * has. Fields only live has (defaults, other writers) are left alone. `{}` means unchanged.
 */
export function threeWayMergePatch(
  original: JsonObject | undefined,
  modified: JsonObject,
  current: JsonObject,
): JsonObject {
  const changes = keepOrDeleteNull(createMergePatch(current, modified), false);
  const deletions = original ? keepOrDeleteNull(createMergePatch(original, modified), true) : {};
  return applyMergePatch(deletions, changes) as JsonObject;
}

/**
 * The object with its last-applied-configuration annotation: the manifest itself (without that
 * annotation) as JSON with sorted keys and kubectl's trailing newline, so the same manifest
 * always yields the same annotation.
 */
export function withLastApplied(obj: KubeObject): KubeObject {
  const { [lastAppliedAnnotation]: _previous, ...annotations } = obj.metadata.annotations ?? {};
  void _previous;
  const { annotations: _all, ...metadata } = obj.metadata;
  void _all;
  const bare: KubeObject = {
    ...obj,
    metadata: Object.keys(annotations).length > 0 ? { ...metadata, annotations } : metadata,
  };
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...annotations, [lastAppliedAnnotation]: `${canonicalJson(bare)}\n` },
    },
  };
}

/** The configuration a live object was last applied with, if it carries a readable one. */
export function lastAppliedOf(live: KubeObject): JsonObject | undefined {
  const text = live.metadata.annotations?.[lastAppliedAnnotation];
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** What a client-side apply sends: the object to create, or the patch for the live one. */
export type ClientSideApply =
  | { readonly kind: 'create'; readonly object: KubeObject }
  /** `{}`: nothing to change (kubectl's "unchanged", no request is needed). */
  | { readonly kind: 'patch'; readonly patch: JsonObject };

/**
 * `kubectl apply` without `--server-side`: a missing object is created with the annotation; a live
 * one gets the three-way merge patch from its last-applied configuration (none: nothing is
 * deleted), the annotated manifest and itself.
 */
export function clientSideApply(target: KubeObject, live: KubeObject | undefined): ClientSideApply {
  const modified = withLastApplied(target);
  if (!live) return { kind: 'create', object: modified };
  return {
    kind: 'patch',
    patch: threeWayMergePatch(lastAppliedOf(live), modified, live),
  };
}
