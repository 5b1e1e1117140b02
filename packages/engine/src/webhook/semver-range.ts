/**
 * Just enough semantic versioning to tell whether a pushed tag satisfies an Application's
 * semver-constraint targetRevision (`1.*`, `>=1.0.0 <2.0.0`, `~1.2`, `^0.3`, `1.0 - 1.4`,
 * `a || b`), with the constraint grammar Argo CD's semver library accepts. The engine is pure
 * and depends on no semver package, hence this small implementation.
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

type Test = (v: Version) => boolean;
interface Group {
  tests: Test[];
  /** A prerelease version only satisfies a group that mentions a prerelease itself. */
  allowsPrerelease: boolean;
}

const VERSION =
  /^[vV]?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$/;

/** Parses `1`, `1.2`, `v1.2.3`, `1.2.3-rc.1+build` (missing parts are 0); undefined otherwise. */
export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    patch: Number(m[3] ?? 0),
    prerelease: m[4] ? m[4].split('.') : [],
  };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function compareVersions(a: Version, b: Version): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    comparePre(a.prerelease, b.prerelease)
  );
}

/** A constraint operand: version parts may be wildcards (`x`, `X`, `*`) or absent. */
interface Operand {
  parts: (number | undefined)[];
  prerelease: string[];
}

const OPERAND =
  /^[vV]?([0-9]+|[xX*])(?:\.([0-9]+|[xX*]))?(?:\.([0-9]+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

function parseOperand(text: string): Operand | undefined {
  const m = OPERAND.exec(text);
  if (!m) return undefined;
  const parts: (number | undefined)[] = [];
  for (const p of [m[1], m[2], m[3]]) {
    // Everything after a wildcard is a wildcard too (`1.*.3` means `1.*`).
    if (p === undefined || /^[xX*]$/.test(p) || parts.includes(undefined)) parts.push(undefined);
    else parts.push(Number(p));
  }
  return { parts, prerelease: m[4] ? m[4].split('.') : [] };
}

function ver(major: number, minor = 0, patch = 0, prerelease: string[] = []): Version {
  return { major, minor, patch, prerelease };
}

const gte =
  (b: Version): Test =>
  (v) =>
    compareVersions(v, b) >= 0;
const gt =
  (b: Version): Test =>
  (v) =>
    compareVersions(v, b) > 0;
const lt =
  (b: Version): Test =>
  (v) =>
    compareVersions(v, b) < 0;
const lte =
  (b: Version): Test =>
  (v) =>
    compareVersions(v, b) <= 0;
const any: Test = () => true;

/** The half-open range [low, high) a partial version stands for (`1.2` = [1.2.0, 1.3.0)). */
function span(p: Operand): { low: Version; high: Version | undefined } {
  const [ma, mi, pa] = p.parts;
  if (ma === undefined) return { low: ver(0), high: undefined };
  if (mi === undefined) return { low: ver(ma), high: ver(ma + 1) };
  if (pa === undefined) return { low: ver(ma, mi), high: ver(ma, mi + 1) };
  return { low: ver(ma, mi, pa, p.prerelease), high: undefined };
}

function isExact(p: Operand): boolean {
  return p.parts.every((x) => x !== undefined);
}

function caret(p: Operand): Test[] {
  const [ma = 0, mi, pa] = p.parts;
  const low = ver(ma, mi ?? 0, pa ?? 0, p.prerelease);
  let high: Version;
  if (ma > 0 || mi === undefined) high = ver(ma + 1);
  else if (mi > 0 || pa === undefined) high = ver(0, mi + 1);
  else high = ver(0, 0, pa + 1);
  return [gte(low), lt(high)];
}

function tilde(p: Operand): Test[] {
  const [ma = 0, mi, pa] = p.parts;
  const low = ver(ma, mi ?? 0, pa ?? 0, p.prerelease);
  return [gte(low), lt(mi === undefined ? ver(ma + 1) : ver(ma, mi + 1))];
}

function equal(p: Operand): Test[] {
  const { low, high } = span(p);
  if (isExact(p)) return [(v) => compareVersions(v, low) === 0];
  return high ? [gte(low), lt(high)] : [any];
}

function notEqual(p: Operand): Test[] {
  const inside = equal(p);
  return [(v) => !inside.every((t) => t(v))];
}

/** `>1.2` means above every 1.2.x, i.e. from 1.3.0 on. */
function greater(p: Operand): Test[] {
  const { low, high } = span(p);
  if (isExact(p)) return [gt(low)];
  return [high ? gte(high) : () => false];
}

/** `<=1.2` means up to every 1.2.x, i.e. below 1.3.0. */
function lessOrEqual(p: Operand): Test[] {
  const { low, high } = span(p);
  if (isExact(p)) return [lte(low)];
  return [high ? lt(high) : any];
}

const atLeast = (p: Operand): Test[] => [gte(span(p).low)];
const below = (p: Operand): Test[] => [lt(span(p).low)];

const OPERATORS: Readonly<Record<string, (p: Operand) => Test[]>> = {
  '': equal,
  '=': equal,
  '!=': notEqual,
  '>': greater,
  '>=': atLeast,
  '=>': atLeast,
  '<': below,
  '<=': lessOrEqual,
  '=<': lessOrEqual,
  '~': tilde,
  '~>': tilde,
  '^': caret,
};

const TOKEN = /^(!=|>=|=>|<=|=<|~>|>|<|=|~|\^)?\s*(\S+)$/;

/** `1.0 - 1.4.5`: inclusive at both ends. */
function parseHyphen(fromText: string, toText: string): Group | undefined {
  const from = parseOperand(fromText);
  const to = parseOperand(toText);
  if (!from || !to) return undefined;
  return {
    tests: [...atLeast(from), ...lessOrEqual(to)],
    allowsPrerelease: from.prerelease.length + to.prerelease.length > 0,
  };
}

function addComparator(group: Group, token: string): boolean {
  const m = TOKEN.exec(token);
  const operand = parseOperand(m?.[2] ?? '');
  const op = OPERATORS[m?.[1] ?? ''];
  if (!operand || !op) return false;
  group.tests.push(...op(operand));
  group.allowsPrerelease ||= operand.prerelease.length > 0;
  return true;
}

function parseGroup(text: string): Group | undefined {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
  if (hyphen) return parseHyphen(hyphen[1] ?? '', hyphen[2] ?? '');
  // Operators may be followed by a space (`>= 1.0`); glue them to their operand first.
  const tokens = text
    .replace(/(!=|>=|=>|<=|=<|~>|>|<|=|~|\^)\s+/g, '$1')
    .split(/[\s,]+/)
    .filter((t) => t !== '');
  const group: Group = { tests: [], allowsPrerelease: false };
  for (const token of tokens) if (!addComparator(group, token)) return undefined;
  return group.tests.length > 0 ? group : undefined;
}

/** A parsed constraint (OR of AND groups), or undefined when the text is not one. */
export function parseConstraint(text: string): ((v: Version) => boolean) | undefined {
  const groups: Group[] = [];
  for (const part of text.trim().split('||')) {
    const group = parseGroup(part.trim());
    if (!group) return undefined;
    groups.push(group);
  }
  return (v) =>
    groups.some(
      (g) => (v.prerelease.length === 0 || g.allowsPrerelease) && g.tests.every((t) => t(v)),
    );
}

/** Whether a tag name (`v1.2.3`, `1.2.3`) is a version satisfying the constraint. */
export function tagSatisfies(tag: string, constraint: string): boolean {
  const version = parseVersion(tag);
  const check = parseConstraint(constraint);
  return version !== undefined && (check?.(version) ?? false);
}
