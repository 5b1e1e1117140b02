/**
 * Which keys of outside input (request bodies, files the CLI reads) are refused, and a copy of
 * parsed JSON that no prototype can answer reads of. Pure, and shared by the server and the CLI
 * so both refuse the same keys.
 */

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
