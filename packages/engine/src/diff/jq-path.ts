/**
 * The jq subset of Argo CD's `ignoreDifferences.jqPathExpressions`. There is no jq in the pure
 * engine, so this is a small parser and evaluator for the path expressions people write there;
 * anything else is rejected with a message (never silently ignored), so the controller can report
 * a ComparisonError.
 *
 * Supported:
 * - field paths `.a.b`, quoted keys `."a/b"` and `.["a/b"]`, `.a["b"]`
 * - array index `[0]` / `.[0]` (negative counts from the end), iteration `[]` / `.[]` (arrays
 *   and object values), the optional marker `?` (`.webhooks[]?.clientConfig`)
 * - pipes `|` between path terms: `.spec.containers[] | select(.name == "x") | .image`
 * - `select(COND)`, COND being `OPERAND == OPERAND`, `OPERAND != OPERAND`, a bare OPERAND
 *   (truthiness), combined with `and` / `or` and parentheses; an OPERAND is a relative path
 *   without iteration (`.name`, `.a.b`, `.`) or a string/number/true/false/null literal
 *
 * Not supported (rejected): functions other than select (`test`, `startswith`, `map`, ...),
 * recursive descent `..`, slices, arithmetic, comparisons other than ==/!=, variables, string
 * interpolation, `,` alternatives, and the bare `.` (it would ignore the whole object).
 *
 * Evaluation is lenient where jq would raise an error for a shape mismatch (`.a` on a list,
 * `[]` on a string): such a branch selects nothing, as `?` would make it in jq.
 */
import { deepEqual, isObject, removeAll, type JsonPath } from './json.ts';

/** One step of a path expression. */
export type JqStep =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'iterate' }
  | { readonly kind: 'select'; readonly condition: JqCondition };

/** A literal value in a select condition. */
export type JqLiteral = string | number | boolean | null;

/** A side of a comparison: a path relative to the selected value, or a literal. */
export type JqOperand =
  | { readonly kind: 'path'; readonly steps: readonly JqStep[] }
  | { readonly kind: 'literal'; readonly value: JqLiteral };

/** The condition inside `select(...)`. */
export type JqCondition =
  | {
      readonly kind: 'compare';
      readonly op: '==' | '!=';
      readonly left: JqOperand;
      readonly right: JqOperand;
    }
  | { readonly kind: 'truthy'; readonly operand: JqOperand }
  | { readonly kind: 'and' | 'or'; readonly left: JqCondition; readonly right: JqCondition };

/** A parsed path expression: its pipes flattened into one sequence of steps. */
export type JqPath = readonly JqStep[];

/** The outcome of parsing: the path, or why the expression is outside the supported subset. */
export type JqParseResult = { ok: true; path: JqPath } | { ok: false; error: string };

type Punct = '[' | ']' | '|' | '(' | ')' | '?' | '==' | '!=';

type Token =
  | { readonly t: 'field'; readonly name: string; readonly pos: number }
  | { readonly t: 'dot'; readonly pos: number }
  | { readonly t: 'str'; readonly value: string; readonly pos: number }
  | { readonly t: 'num'; readonly value: number; readonly pos: number }
  | { readonly t: 'ident'; readonly name: string; readonly pos: number }
  | { readonly t: 'punct'; readonly value: Punct; readonly pos: number }
  | { readonly t: 'end'; readonly pos: number };

class JqSyntaxError extends Error {}

const lexemes = {
  space: /^\s+/,
  field: /^\.[A-Za-z_][A-Za-z0-9_]*/,
  ident: /^[A-Za-z_][A-Za-z0-9_]*/,
  str: /^"(?:[^"\\]|\\.)*"/,
  num: /^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
  punct: /^(?:==|!=|[[\]|()?])/,
} as const;

function fail(pos: number, message: string): never {
  throw new JqSyntaxError(`at offset ${pos}: ${message}`);
}

function parseString(raw: string, pos: number): string {
  if (raw.includes('\\(')) fail(pos, 'string interpolation is not supported');
  try {
    return JSON.parse(raw) as string;
  } catch {
    return fail(pos, `bad string literal ${raw}`);
  }
}

/** One token at `pos` and its length. */
function lexOne(src: string, pos: number): [Token, number] {
  const rest = src.slice(pos);
  if (rest.startsWith('..')) fail(pos, 'recursive descent ".." is not supported');
  let m = lexemes.field.exec(rest);
  if (m) return [{ t: 'field', name: m[0].slice(1), pos }, m[0].length];
  if (rest.startsWith('.')) return [{ t: 'dot', pos }, 1];
  if ((m = lexemes.str.exec(rest)))
    return [{ t: 'str', value: parseString(m[0], pos), pos }, m[0].length];
  if ((m = lexemes.num.exec(rest))) return [{ t: 'num', value: Number(m[0]), pos }, m[0].length];
  if ((m = lexemes.ident.exec(rest))) return [{ t: 'ident', name: m[0], pos }, m[0].length];
  if ((m = lexemes.punct.exec(rest)))
    return [{ t: 'punct', value: m[0] as Punct, pos }, m[0].length];
  return fail(pos, `unsupported character "${rest.charAt(0)}"`);
}

function lex(src: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < src.length) {
    const space = lexemes.space.exec(src.slice(pos));
    if (space) {
      pos += space[0].length;
      continue;
    }
    const [token, length] = lexOne(src, pos);
    tokens.push(token);
    pos += length;
  }
  tokens.push({ t: 'end', pos });
  return tokens;
}

/** A cursor over the tokens. */
class Cursor {
  private i = 0;
  private readonly tokens: readonly Token[];
  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }
  peek(ahead = 0): Token {
    const last = this.tokens[this.tokens.length - 1] ?? { t: 'end', pos: 0 };
    return this.tokens[this.i + ahead] ?? last;
  }
  next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }
  isPunct(value: Punct, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.t === 'punct' && t.value === value;
  }
  isIdent(name: string): boolean {
    const t = this.peek();
    return t.t === 'ident' && t.name === name;
  }
  expect(value: Punct): void {
    const t = this.next();
    if (t.t !== 'punct' || t.value !== value) fail(t.pos, `expected "${value}"`);
  }
}

function describeToken(t: Token): string {
  switch (t.t) {
    case 'end':
      return 'end of expression';
    case 'punct':
      return `"${t.value}"`;
    case 'ident':
      return `"${t.name}"`;
    case 'field':
      return `".${t.name}"`;
    case 'dot':
      return '"."';
    case 'str':
      return JSON.stringify(t.value);
    case 'num':
      return String(t.value);
  }
}

function takeString(c: Cursor): string {
  const t = c.next();
  return t.t === 'str' ? t.value : fail(t.pos, `expected a quoted key, got ${describeToken(t)}`);
}

/** `[...]` after its opening bracket was seen: iteration, an index or a quoted key. */
function parseBracket(c: Cursor): JqStep {
  c.expect('[');
  const t = c.next();
  if (t.t === 'punct' && t.value === ']') return { kind: 'iterate' };
  let step: JqStep;
  if (t.t === 'num' && Number.isInteger(t.value)) step = { kind: 'index', index: t.value };
  else if (t.t === 'str') step = { kind: 'field', name: t.value };
  else
    return fail(
      t.pos,
      `unsupported ${describeToken(t)} inside [] (only an index, a quoted key or nothing)`,
    );
  c.expect(']');
  return step;
}

/** The steps following a term: `.a`, `."a"`, `[..]`, `.[..]` and `?` markers. */
function parseSuffixes(c: Cursor, steps: JqStep[]): void {
  for (;;) {
    const t = c.peek();
    if (t.t === 'field') {
      c.next();
      steps.push({ kind: 'field', name: t.name });
    } else if (t.t === 'dot' && c.peek(1).t === 'str') {
      c.next();
      steps.push({ kind: 'field', name: takeString(c) });
    } else if (t.t === 'dot' && c.isPunct('[', 1)) {
      c.next();
      steps.push(parseBracket(c));
    } else if (c.isPunct('[')) {
      steps.push(parseBracket(c));
    } else if (c.isPunct('?')) {
      // Evaluation is already lenient, which is what `?` asks for.
      c.next();
    } else {
      return;
    }
  }
}

/** A path starting at `.`: `.`, `.a...`, `."a"...`, `.[..]...`. */
function parsePath(c: Cursor): JqStep[] {
  const t = c.peek();
  if (t.t !== 'field' && t.t !== 'dot')
    fail(t.pos, `expected a path starting with ".", got ${describeToken(t)}`);
  const steps: JqStep[] = [];
  if (t.t === 'dot') {
    c.next();
    if (c.isPunct('[')) steps.push(parseBracket(c));
    else if (c.peek().t === 'str') steps.push({ kind: 'field', name: takeString(c) });
  }
  parseSuffixes(c, steps);
  return steps;
}

function parseOperand(c: Cursor): JqOperand {
  const t = c.peek();
  if (t.t === 'str' || t.t === 'num') {
    c.next();
    return { kind: 'literal', value: t.value };
  }
  if (t.t === 'ident' && ['true', 'false', 'null'].includes(t.name)) {
    c.next();
    return { kind: 'literal', value: JSON.parse(t.name) as JqLiteral };
  }
  if (t.t === 'ident') fail(t.pos, `unsupported function or keyword "${t.name}" (only select)`);
  const steps = parsePath(c);
  const iterating = steps.find((s) => s.kind === 'iterate' || s.kind === 'select');
  if (iterating) fail(t.pos, 'a select condition may not iterate ([]) or nest select');
  return { kind: 'path', steps };
}

function parseComparison(c: Cursor): JqCondition {
  if (c.isPunct('(')) {
    c.next();
    const inner = parseOr(c);
    c.expect(')');
    return inner;
  }
  const left = parseOperand(c);
  const op = c.peek();
  if (op.t === 'punct' && (op.value === '==' || op.value === '!=')) {
    c.next();
    return { kind: 'compare', op: op.value, left, right: parseOperand(c) };
  }
  return { kind: 'truthy', operand: left };
}

function parseAnd(c: Cursor): JqCondition {
  let left = parseComparison(c);
  while (c.isIdent('and')) {
    c.next();
    left = { kind: 'and', left, right: parseComparison(c) };
  }
  return left;
}

function parseOr(c: Cursor): JqCondition {
  let left = parseAnd(c);
  while (c.isIdent('or')) {
    c.next();
    left = { kind: 'or', left, right: parseAnd(c) };
  }
  return left;
}

/** One term of a pipeline: a path, or `select(...)` with optional suffixes. */
function parseTerm(c: Cursor): JqStep[] {
  const t = c.peek();
  if (t.t === 'ident' && t.name === 'select') {
    c.next();
    c.expect('(');
    const condition = parseOr(c);
    c.expect(')');
    const steps: JqStep[] = [{ kind: 'select', condition }];
    parseSuffixes(c, steps);
    return steps;
  }
  if (t.t === 'ident') fail(t.pos, `unsupported function "${t.name}" (only select)`);
  return parsePath(c);
}

function parsePipeline(c: Cursor): JqStep[] {
  const steps = parseTerm(c);
  while (c.isPunct('|')) {
    c.next();
    steps.push(...parseTerm(c));
  }
  const t = c.peek();
  if (t.t !== 'end') fail(t.pos, `unexpected ${describeToken(t)}`);
  return steps;
}

/** Parses a jqPathExpressions entry, or says why it is outside the supported subset. */
export function parseJqPath(expr: string): JqParseResult {
  try {
    const steps = parsePipeline(new Cursor(lex(expr)));
    if (steps.length === 0) return { ok: false, error: `"${expr}": selects the whole object` };
    return { ok: true, path: steps };
  } catch (e) {
    if (e instanceof JqSyntaxError) return { ok: false, error: `"${expr}": ${e.message}` };
    throw e;
  }
}

interface Located {
  readonly path: JsonPath;
  readonly value: unknown;
}

function at(loc: Located, key: string | number, value: unknown): Located {
  return { path: [...loc.path, key], value };
}

function stepField(loc: Located, name: string): Located[] {
  if (isObject(loc.value)) return [at(loc, name, loc.value[name])];
  return loc.value === undefined || loc.value === null ? [at(loc, name, undefined)] : [];
}

function stepIndex(loc: Located, index: number): Located[] {
  if (!Array.isArray(loc.value)) return [];
  const i = index < 0 ? loc.value.length + index : index;
  return i >= 0 && i < loc.value.length ? [at(loc, i, loc.value[i])] : [];
}

function stepIterate(loc: Located): Located[] {
  if (Array.isArray(loc.value)) return loc.value.map((v, i) => at(loc, i, v));
  if (isObject(loc.value)) return Object.entries(loc.value).map(([k, v]) => at(loc, k, v));
  return [];
}

function applyStep(step: JqStep, loc: Located): Located[] {
  switch (step.kind) {
    case 'field':
      return stepField(loc, step.name);
    case 'index':
      return stepIndex(loc, step.index);
    case 'iterate':
      return stepIterate(loc);
    case 'select':
      return holds(step.condition, loc.value) ? [loc] : [];
  }
}

function operandValue(op: JqOperand, value: unknown): unknown {
  if (op.kind === 'literal') return op.value;
  let locs: Located[] = [{ path: [], value }];
  for (const s of op.steps) locs = locs.flatMap((l) => applyStep(s, l));
  return locs[0]?.value ?? null;
}

function holds(cond: JqCondition, value: unknown): boolean {
  switch (cond.kind) {
    case 'and':
      return holds(cond.left, value) && holds(cond.right, value);
    case 'or':
      return holds(cond.left, value) || holds(cond.right, value);
    case 'truthy': {
      const v = operandValue(cond.operand, value);
      return v !== null && v !== false;
    }
    case 'compare': {
      const same = deepEqual(operandValue(cond.left, value), operandValue(cond.right, value));
      return cond.op === '==' ? same : !same;
    }
  }
}

/** The concrete paths a parsed expression selects in `doc` (as jq's `path(...)`). */
export function jqPaths(path: JqPath, doc: unknown): JsonPath[] {
  let locs: Located[] = [{ path: [], value: doc }];
  for (const step of path) locs = locs.flatMap((l) => applyStep(step, l));
  return locs.filter((l) => l.value !== undefined).map((l) => l.path);
}

/** Deletes what a parsed expression selects, in place (as jq's `del(...)`). */
export function deleteJqPath(doc: unknown, path: JqPath): void {
  removeAll(doc, jqPaths(path, doc));
}
