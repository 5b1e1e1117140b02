/**
 * Reading outside input by own property only. Settings maps (ConfigMap and Secret data, JWT
 * claims, request bodies) are plain JSON objects, and a plain object answers `map[key]` from
 * Object.prototype when it has no such key: if any code path ever polluted the prototype (as the
 * old JSON patch did with `policy.default`), every such read would see the planted value. These
 * helpers make that impossible at the read, whatever happened elsewhere.
 */
import { invalid } from './http/api-error.ts';

/** A string map that has no prototype, so a lookup can only ever find what the input held. */
export type OwnStringMap = Readonly<Record<string, string>>;

/**
 * A copy of `data` with only its own string-valued properties, on an object without a prototype
 * (`__proto__` included as a plain key, since it cannot reach anything there). Anything that is
 * not a plain object gives an empty map.
 */
export function ownStringMap(data: unknown): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  for (const [key, value] of Object.entries(data)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** `map[key]` only when `map` itself has the key; never a value inherited from a prototype. */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * Keys that a patch or other outside input may never name: `__proto__`, `constructor` and
 * `prototype`, which lead from a plain object to the objects every other object shares, and every
 * member of Object.prototype (`toString`, `hasOwnProperty`, ...), which a plain object answers
 * without owning. A key planted on Object.prototype by someone else is refused too (fail closed).
 */
export function isPrototypeKey(key: string): boolean {
  return (
    key === '__proto__' || key === 'constructor' || key === 'prototype' || key in Object.prototype
  );
}

/** Deeper than any Kubernetes object or Helm values file; bounds the walk below. */
export const MAX_INPUT_DEPTH = 100;

export type KeyProblem =
  { kind: 'prototype-key'; key: string; path: string } | { kind: 'too-deep'; path: string };

/**
 * The first key anywhere inside `value` that {@link isPrototypeKey} refuses, or the first place
 * nested deeper than {@link MAX_INPUT_DEPTH}. Iterative, so hostile nesting cannot overflow the
 * stack. `path` is a JSON pointer to the offending place.
 */
export function findKeyProblem(value: unknown, at = ''): KeyProblem | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: at, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth >= MAX_INPUT_DEPTH) return { kind: 'too-deep', path: item.path };
    const isList = Array.isArray(item.value);
    for (const [key, child] of Object.entries(item.value)) {
      const path = `${item.path}/${escapePointer(key)}`;
      if (!isList && isPrototypeKey(key)) return { kind: 'prototype-key', key, path };
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return undefined;
}

/** One JSON pointer segment (RFC 6901): `~` → `~0`, `/` → `~1`. */
export const escapePointer = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A deep copy of parsed JSON in which every object has no prototype, so no later read of it
 * (ours, or a schema library's) can pick up an inherited value. Deeper than
 * {@link MAX_INPUT_DEPTH} is refused (`ok: false`), for the caller to answer 400.
 */
export function ownJson(value: unknown, depth = 0): { ok: true; value: unknown } | { ok: false } {
  if (typeof value !== 'object' || value === null) return { ok: true, value };
  if (depth >= MAX_INPUT_DEPTH) return { ok: false };
  const out: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? []
    : (Object.create(null) as Record<string, unknown>);
  for (const [key, child] of Object.entries(value)) {
    const copy = ownJson(child, depth + 1);
    if (!copy.ok) return copy;
    // defineProperty, not assignment: `__proto__` stays a plain key on an array too.
    Object.defineProperty(out, key, {
      value: copy.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { ok: true, value: out };
}

/**
 * A request body (parsed JSON) as an object without a prototype, deeply, so neither a handler's
 * reads nor a schema library's can pick up an inherited value; anything but an object is an empty
 * one (handlers then report the missing fields). Too deep a body is a 400.
 */
export function ownBody(body: unknown): Record<string, unknown> {
  const copy = ownJson(body);
  if (!copy.ok) throw invalid('the request body is nested too deeply');
  const value = copy.value;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : (Object.create(null) as Record<string, unknown>);
}
