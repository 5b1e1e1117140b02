/** A JSON object as the diff code walks it. */
export type JsonObject = Record<string, unknown>;

/** A path into a JSON document: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

/** True for plain objects (not arrays, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sets `key` on `o` as data: a key named `__proto__` (JSON and YAML parsers hand it over as an
 * own property) stays a key and never becomes the object's prototype.
 */
export function setKey(o: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/** A deep copy of a JSON value; the diff never mutates what callers pass in. */
export function cloneJson<T>(v: T): T {
  if (Array.isArray(v)) return v.map((e: unknown) => cloneJson(e)) as T;
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, e] of Object.entries(v)) setKey(out, k, cloneJson(e));
  return out as T;
}

/** Structural equality of JSON values, ignoring object key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((e, i) => deepEqual(e, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  );
}

/**
 * Whether two values are stored as the same JSON: deepEqual, except that an object member set to
 * undefined counts as absent and an undefined array element as null, as JSON.stringify writes
 * them. For values read back from the apiserver against values about to be written; it walks
 * both without serializing them, and stops at the first shared reference.
 */
export function storedEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return (
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((e, i) => storedEqual(e ?? null, b[i] ?? null))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a).filter((k) => a[k] !== undefined);
  let inB = 0;
  for (const k in b) if (Object.hasOwn(b, k) && b[k] !== undefined) inB++;
  return keys.length === inB && keys.every((k) => storedEqual(a[k], b[k]));
}

/** JSON with sorted object keys: a canonical string for sorting and set membership. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObject(v)) {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Removes whatever a path points at (a missing path is not an error: there is nothing to ignore). */
export function removeAt(root: unknown, path: JsonPath): void {
  if (path.length === 0) return;
  let parent: unknown = root;
  for (const step of path.slice(0, -1)) {
    parent = childOf(parent, step);
    if (parent === undefined) return;
  }
  const last = path[path.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') {
    if (last >= 0 && last < parent.length) parent.splice(last, 1);
  } else if (isObject(parent) && typeof last === 'string') {
    delete parent[last];
  }
}

function childOf(v: unknown, step: string | number): unknown {
  if (Array.isArray(v) && typeof step === 'number') return v[step];
  if (isObject(v) && typeof step === 'string') return v[step];
  return undefined;
}

/**
 * Orders paths so that removing them one by one never shifts an index another path still needs:
 * higher indices and deeper paths first.
 */
export function comparePathsForRemoval(a: JsonPath, b: JsonPath): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return y - x;
    return String(y) < String(x) ? -1 : 1;
  }
  return b.length - a.length;
}

/** Removes every path, in an order that keeps array indices valid. */
export function removeAll(root: unknown, paths: readonly JsonPath[]): void {
  for (const p of [...paths].sort(comparePathsForRemoval)) removeAt(root, p);
}
