/**
 * The 2-way comparison used when no server-predicted object exists: desired laid over live, so
 * that a live field counts only where desired sets it and server defaults are never drift.
 *
 * - maps merge key by key; a key desired lacks keeps its live value
 * - lists whose elements all have a string `name` (containers, env, volumes, ports...) match by
 *   name: live elements desired does not name stay (server-side apply would keep them too), live
 *   order is kept, desired's new elements come last
 * - other lists of objects match by index and take desired's length: a live element beyond it is
 *   drift, as an apply would remove it
 * - lists of scalars, and any type mismatch, take desired's value as it is
 * - an empty list in desired for a field live lacks is no drift (the apiserver omits empty lists)
 */
import { isObject, type JsonObject } from './json.ts';

type Named = JsonObject & { name: string };

function isNamed(v: unknown): v is Named {
  return isObject(v) && typeof v['name'] === 'string';
}

function overlayNamed(live: readonly Named[], desired: readonly Named[]): unknown[] {
  const byName = new Map(desired.map((d) => [d.name, d]));
  const liveNames = new Set(live.map((l) => l.name));
  const merged = live.map((l) => {
    const d = byName.get(l.name);
    return d === undefined ? l : overlayDesired(l, d);
  });
  return [...merged, ...desired.filter((d) => !liveNames.has(d.name))];
}

function overlayList(live: readonly unknown[], desired: readonly unknown[]): unknown[] {
  if (desired.length > 0 && desired.every(isNamed) && live.every(isNamed)) {
    return overlayNamed(live, desired);
  }
  if (desired.every(isObject)) {
    return desired.map((d, i) => (i < live.length ? overlayDesired(live[i], d) : d));
  }
  return [...desired];
}

function overlayObject(live: JsonObject, desired: JsonObject): JsonObject {
  const out: JsonObject = { ...live };
  for (const [k, d] of Object.entries(desired)) {
    if (!Object.hasOwn(live, k)) {
      if (!(Array.isArray(d) && d.length === 0)) out[k] = d;
    } else {
      out[k] = overlayDesired(live[k], d);
    }
  }
  return out;
}

/** `desired` laid over `live` (see the module comment); neither argument is modified. */
export function overlayDesired(live: unknown, desired: unknown): unknown {
  if (isObject(live) && isObject(desired)) return overlayObject(live, desired);
  if (Array.isArray(live) && Array.isArray(desired)) return overlayList(live, desired);
  return desired;
}
