/**
 * Argo CD's project globs: `*` matches any run of characters (slashes included), `?` one
 * character; a leading `!` (handled by callers) denies.
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = '^';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(value);
}

/** Permitted when some allow pattern matches and no `!deny` pattern does. */
export function permittedBy(patterns: readonly string[], value: string): boolean {
  const deny = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const allow = patterns.filter((p) => !p.startsWith('!'));
  return allow.some((p) => globMatch(p, value)) && !deny.some((p) => globMatch(p, value));
}
