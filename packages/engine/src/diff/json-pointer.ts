import { isObject, type JsonPath } from './json.ts';

/** The reference tokens of an RFC 6901 pointer ("~1" is "/", "~0" is "~"); an error when malformed. */
export function parseJsonPointer(
  pointer: string,
): { ok: true; tokens: string[] } | { ok: false; error: string } {
  if (pointer === '') return { ok: false, error: 'the empty pointer selects the whole object' };
  if (!pointer.startsWith('/')) return { ok: false, error: `"${pointer}" must start with "/"` };
  if (/~[^01]|~$/.test(pointer)) {
    return { ok: false, error: `"${pointer}" has a "~" not followed by 0 or 1` };
  }
  const tokens = pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
  return { ok: true, tokens };
}

const arrayIndex = /^(0|[1-9][0-9]*)$/;

/**
 * The concrete path a pointer names in `doc` (array tokens become indices), or undefined when it
 * names nothing there.
 */
export function resolveJsonPointer(doc: unknown, tokens: readonly string[]): JsonPath | undefined {
  const path: (string | number)[] = [];
  let at: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(at) && arrayIndex.test(t) && Number(t) < at.length) {
      path.push(Number(t));
      at = at[Number(t)];
    } else if (isObject(at) && Object.hasOwn(at, t)) {
      path.push(t);
      at = at[t];
    } else {
      return undefined;
    }
  }
  return path;
}
