/**
 * The pattern language of policy fields (resource, action, object), in Argo CD's two match modes.
 *
 * - `glob` (default): gobwas/glob compiled without separators, as Argo CD's `util/glob.Match`
 *   does. `*` matches any run of characters, slashes included (so `my-proj/*` covers
 *   `my-proj/ns/app` and `action/*` covers `action/apps/Deployment/restart`), `?` one character,
 *   `[abc]`, `[a-z]`, `[!abc]` classes, `{a,b}` alternatives, `\` escapes. A pattern that does not
 *   compile never matches (Argo CD logs and returns false).
 * - `regex`: the field is a regular expression searched for in the value, unanchored, like
 *   casbin's `RegexMatch` (`regexp.MatchString(pattern, value)`); write `^...$` to anchor. A
 *   pattern that does not compile makes the casbin evaluation fail, which Argo CD treats as deny,
 *   so the matcher throws in that case and the enforcer fails closed. JavaScript regex syntax is
 *   used; it differs from Go's RE2 only at the edges (lookarounds, `(?i)` flags).
 */

export const MATCH_MODES = ['glob', 'regex'] as const;
export type MatchMode = (typeof MATCH_MODES)[number];

/** A compiled matcher for one mode. Compiled patterns are cached: they come from the policy. */
export interface PatternMatcher {
  readonly mode: MatchMode;
  /** Whether `value` matches `pattern`. Throws only in regex mode, for an invalid pattern. */
  match(value: string, pattern: string): boolean;
  /** Why `pattern` does not compile in this mode, or undefined when it does. */
  problem(pattern: string): string | undefined;
}

type Compiled = { ok: true; re: RegExp | null } | { ok: false; reason: string };

/** Create a matcher for `mode`. */
export function createPatternMatcher(mode: MatchMode): PatternMatcher {
  const cache = new Map<string, Compiled>();
  const compile = (pattern: string): Compiled => {
    let compiled = cache.get(pattern);
    if (compiled === undefined) {
      compiled = mode === 'glob' ? compileGlob(pattern) : compileRegex(pattern);
      cache.set(pattern, compiled);
    }
    return compiled;
  };
  return {
    mode,
    match(value, pattern) {
      const compiled = compile(pattern);
      if (!compiled.ok) {
        if (mode === 'regex') throw new Error(compiled.reason);
        return false;
      }
      // A literal glob (no metacharacters) compiles to null: plain equality is enough.
      return compiled.re === null ? value === pattern : compiled.re.test(value);
    },
    problem(pattern) {
      const compiled = compile(pattern);
      return compiled.ok ? undefined : compiled.reason;
    },
  };
}

function compileRegex(pattern: string): Compiled {
  try {
    return { ok: true, re: new RegExp(pattern) };
  } catch (err) {
    return { ok: false, reason: `invalid regular expression: ${(err as Error).message}` };
  }
}

const GLOB_META = /[*?[{\\]/;

function compileGlob(pattern: string): Compiled {
  if (!GLOB_META.test(pattern)) return { ok: true, re: null };
  const parser = new GlobParser(pattern);
  const source = parser.sequence(false);
  if (parser.error !== undefined) return { ok: false, reason: parser.error };
  try {
    return { ok: true, re: new RegExp(`^(?:${source})$`, 'su') };
  } catch (err) {
    return { ok: false, reason: `invalid glob: ${(err as Error).message}` };
  }
}

// Under the `u` flag only syntax characters may be escaped, and `-` only inside a class.
const escapeRegex = (ch: string): string => ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const escapeClass = (ch: string): string => ch.replace(/[\\\][^-]/g, '\\$&');

/** Recursive-descent translation of a gobwas glob to a regular expression source. */
class GlobParser {
  readonly chars: string[];
  pos = 0;
  error: string | undefined;

  constructor(pattern: string) {
    this.chars = Array.from(pattern);
  }

  /** A run of glob terms; inside `{}` it stops at `,` or `}` (left for the caller). */
  sequence(inBraces: boolean): string {
    let out = '';
    while (this.pos < this.chars.length && this.error === undefined) {
      const ch = this.chars[this.pos] ?? '';
      if (inBraces && (ch === ',' || ch === '}')) break;
      this.pos++;
      out += this.term(ch);
    }
    return out;
  }

  term(ch: string): string {
    switch (ch) {
      case '*':
        return '.*';
      case '?':
        return '.';
      case '[':
        return this.charClass();
      case '{':
        return this.alternatives();
      case '\\':
        return this.escaped();
      default:
        return escapeRegex(ch);
    }
  }

  escaped(): string {
    const next = this.chars[this.pos];
    if (next === undefined) return this.fail('pattern ends with an unfinished escape "\\"');
    this.pos++;
    return escapeRegex(next);
  }

  alternatives(): string {
    const options: string[] = [];
    for (;;) {
      options.push(this.sequence(true));
      const stop = this.chars[this.pos];
      if (this.error !== undefined) return '';
      if (stop === undefined) return this.fail('unclosed "{" in pattern');
      this.pos++;
      if (stop === '}') return `(?:${options.join('|')})`;
    }
  }

  charClass(): string {
    let negate = false;
    if (this.chars[this.pos] === '!') {
      negate = true;
      this.pos++;
    }
    let body = '';
    for (;;) {
      const ch = this.chars[this.pos];
      if (ch === undefined) return this.fail('unclosed "[" in pattern');
      this.pos++;
      if (ch === ']') break;
      const lo = ch === '\\' ? this.chars[this.pos++] : ch;
      if (lo === undefined) return this.fail('unclosed "[" in pattern');
      body += this.rangeFrom(lo);
    }
    if (body === '') return this.fail('empty "[]" in pattern');
    return `[${negate ? '^' : ''}${body}]`;
  }

  rangeFrom(lo: string): string {
    const hi = this.chars[this.pos + 1];
    if (this.chars[this.pos] !== '-' || hi === undefined || hi === ']') return escapeClass(lo);
    this.pos += 2;
    if ((hi.codePointAt(0) ?? 0) < (lo.codePointAt(0) ?? 0)) {
      return this.fail(`bad range "${lo}-${hi}" in pattern`);
    }
    return `${escapeClass(lo)}-${escapeClass(hi)}`;
  }

  fail(message: string): string {
    this.error ??= message;
    return '';
  }
}

/**
 * The regex-mode equivalent of a glob that uses only `*` (all the built-in policy needs): anchored,
 * with everything else literal.
 */
export function starGlobToRegex(pattern: string): string {
  return `^${pattern.split('*').map(escapeRegex).join('.*')}$`;
}
