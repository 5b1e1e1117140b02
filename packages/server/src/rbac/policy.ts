/**
 * Argo CD's RBAC policy language: the resource and action names, the `policy.csv` syntax
 * (`p, subject, resource, action, object, allow|deny` and `g, user-or-group, role`), how the
 * argocd-rbac-cm keys combine, and the built-in roles. Parsing never throws: a line that cannot be
 * used is left out and reported with its source key and line number, so one typo does not take
 * the whole policy down (Argo CD rejects the whole ConfigMap instead; callers that want that can
 * refuse a policy with problems of severity `error`).
 */

import { own } from '../own.ts';

/** Every RBAC resource Argo CD enforces (util/rbac/rbac.go `Resources`). */
export const RBAC_RESOURCES = [
  'clusters',
  'projects',
  'applications',
  'applicationsets',
  'repositories',
  'write-repositories',
  'certificates',
  'accounts',
  'gpgkeys',
  'logs',
  'exec',
  'extensions',
] as const;
export type RbacResource = (typeof RBAC_RESOURCES)[number];

/**
 * Every RBAC action (Argo CD's `Actions`, plus `rollback` and `debug`, which its built-in policy
 * grants). `action`, `update` and `delete` also take sub-resource forms, see {@link RbacRequestAction}.
 */
export const RBAC_ACTIONS = [
  'get',
  'create',
  'update',
  'delete',
  'sync',
  'override',
  'action',
  'invoke',
  'rollback',
  'debug',
] as const;
export type RbacAction = (typeof RBAC_ACTIONS)[number];

/**
 * An action as requested: a plain action, a resource action (`action/<group>/<kind>/<name>`), or
 * an operation on one managed resource (`update/<group>/<kind>/<ns>/<name>`, `delete/...`).
 */
export type RbacRequestAction =
  RbacAction | `action/${string}` | `update/${string}` | `delete/${string}`;

/**
 * Resources whose object starts with the project (`<project>/<app>`, or `<project>/<ns>/<app>`
 * for apps in any namespace); only these may appear in an AppProject role's policies.
 */
export const PROJECT_SCOPED_RESOURCES = [
  'applications',
  'applicationsets',
  'repositories',
  'clusters',
  'logs',
  'exec',
] as const satisfies readonly RbacResource[];

export const POLICY_EFFECTS = ['allow', 'deny'] as const;
export type PolicyEffect = (typeof POLICY_EFFECTS)[number];

/** Where a policy line came from: a ConfigMap key, the built-in policy, or an AppProject role. */
export interface PolicyOrigin {
  readonly source: string;
  /** 1-based line within `source`; 0 for a rule gitward synthesizes (a project role's `get`). */
  readonly line: number;
}

/** A `p` line: `subject` may `action` on `resource` objects matching `object`. */
export interface PolicyRule extends PolicyOrigin {
  readonly kind: 'p';
  readonly subject: string;
  readonly resource: string;
  readonly action: string;
  readonly object: string;
  readonly effect: PolicyEffect;
}

/** A `g` line: `subject` (a user, group or role) inherits everything `role` may do. */
export interface RoleLink extends PolicyOrigin {
  readonly kind: 'g';
  readonly subject: string;
  readonly role: string;
}

/** A line that was left out (`error`) or kept but looks wrong (`warning`). */
export interface PolicyProblem extends PolicyOrigin {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** The offending text, trimmed (empty for problems that concern a setting, not a line). */
  readonly text: string;
}

export interface ParsedPolicy {
  readonly rules: readonly PolicyRule[];
  readonly links: readonly RoleLink[];
  readonly problems: readonly PolicyProblem[];
}

export const POLICY_CSV_KEY = 'policy.csv';
export const BUILTIN_POLICY_SOURCE = 'builtin-policy.csv';

/** Argo CD's assets/builtin-policy.csv: `role:readonly`, `role:admin`, and `admin` as admin. */
export const BUILTIN_POLICY_CSV = `# Built-in policy: role:readonly and role:admin, and the admin user as role:admin.
# Applications, applicationsets, logs and exec objects are <project>/<name>; others are <name>.
p, role:readonly, applications, get, */*, allow
p, role:readonly, applicationsets, get, */*, allow
p, role:readonly, certificates, get, *, allow
p, role:readonly, clusters, get, *, allow
p, role:readonly, repositories, get, *, allow
p, role:readonly, write-repositories, get, *, allow
p, role:readonly, projects, get, *, allow
p, role:readonly, accounts, get, *, allow
p, role:readonly, gpgkeys, get, *, allow
p, role:readonly, logs, get, */*, allow

p, role:admin, applications, create, */*, allow
p, role:admin, applications, update, */*, allow
p, role:admin, applications, update/*, */*, allow
p, role:admin, applications, delete, */*, allow
p, role:admin, applications, delete/*, */*, allow
p, role:admin, applications, sync, */*, allow
p, role:admin, applications, rollback, */*, allow
p, role:admin, applications, override, */*, allow
p, role:admin, applications, action/*, */*, allow
p, role:admin, applicationsets, get, */*, allow
p, role:admin, applicationsets, create, */*, allow
p, role:admin, applicationsets, update, */*, allow
p, role:admin, applicationsets, delete, */*, allow
p, role:admin, certificates, create, *, allow
p, role:admin, certificates, update, *, allow
p, role:admin, certificates, delete, *, allow
p, role:admin, clusters, create, *, allow
p, role:admin, clusters, update, *, allow
p, role:admin, clusters, delete, *, allow
p, role:admin, repositories, create, *, allow
p, role:admin, repositories, update, *, allow
p, role:admin, repositories, delete, *, allow
p, role:admin, write-repositories, create, *, allow
p, role:admin, write-repositories, update, *, allow
p, role:admin, write-repositories, delete, *, allow
p, role:admin, projects, create, *, allow
p, role:admin, projects, update, *, allow
p, role:admin, projects, delete, *, allow
p, role:admin, accounts, update, *, allow
p, role:admin, gpgkeys, create, *, allow
p, role:admin, gpgkeys, delete, *, allow
p, role:admin, exec, create, */*, allow
p, role:admin, exec, debug, */*, allow

g, role:admin, role:readonly
g, admin, role:admin
`;

export type CsvFields = { ok: true; fields: string[] } | { ok: false; reason: string };

/**
 * Split one CSV line as Go's encoding/csv does with `TrimLeadingSpace` (Argo CD's reader):
 * commas separate fields, a field may be double-quoted with `""` for a literal quote, and a bare
 * quote inside an unquoted field is an error. Unlike Go, trailing spaces are trimmed too: a field
 * like `alice ` could never match anything useful.
 */
export function splitCsvLine(line: string): CsvFields {
  const fields: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < line.length && isSpace(line[pos])) pos++;
    const field = line[pos] === '"' ? quotedField(line, pos + 1) : plainField(line, pos);
    if (!field.ok) return field;
    fields.push(field.value);
    pos = field.end;
    if (pos >= line.length) return { ok: true, fields };
    pos++; // past the comma
  }
}

type Field = { ok: true; value: string; end: number } | { ok: false; reason: string };

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);

function plainField(line: string, start: number): Field {
  const comma = line.indexOf(',', start);
  const end = comma === -1 ? line.length : comma;
  const value = line.slice(start, end).trim();
  if (value.includes('"')) return { ok: false, reason: 'bare " in an unquoted field' };
  return { ok: true, value, end };
}

function quotedField(line: string, start: number): Field {
  let value = '';
  let pos = start;
  for (;;) {
    const quote = line.indexOf('"', pos);
    if (quote === -1) return { ok: false, reason: 'quoted field is not closed' };
    value += line.slice(pos, quote);
    if (line[quote + 1] === '"') {
      value += '"';
      pos = quote + 2;
      continue;
    }
    pos = quote + 1;
    while (pos < line.length && isSpace(line[pos])) pos++;
    if (pos < line.length && line[pos] !== ',') {
      return { ok: false, reason: 'unexpected text after a closing quote' };
    }
    return { ok: true, value, end: pos };
  }
}

export type PolicyLineResult =
  { kind: 'line'; line: PolicyRule | RoleLink } | { kind: 'problem'; message: string };

/**
 * Parse one policy line (already known to be neither blank nor a comment) into a rule or link.
 * Exported for AppProject role policies, which are one line each.
 */
export function parsePolicyLine(text: string, origin: PolicyOrigin): PolicyLineResult {
  const split = splitCsvLine(text);
  if (!split.ok) return { kind: 'problem', message: `not valid CSV: ${split.reason}` };
  const [kind, ...rest] = split.fields;
  if (kind === 'p') return ruleFrom(rest, origin);
  if (kind === 'g') return linkFrom(rest, origin);
  return {
    kind: 'problem',
    message: `unknown line type "${kind ?? ''}": expected "p, subject, resource, action, object, allow|deny" or "g, subject, role"`,
  };
}

function ruleFrom(fields: string[], origin: PolicyOrigin): PolicyLineResult {
  const [subject, resource, action, object, effect] = fields;
  if (
    fields.length !== 5 ||
    subject === undefined ||
    resource === undefined ||
    action === undefined ||
    object === undefined ||
    effect === undefined
  ) {
    return {
      kind: 'problem',
      message: `a p line has 6 fields (p, subject, resource, action, object, allow|deny), this one has ${fields.length + 1}`,
    };
  }
  const empty = emptyField({ subject, resource, action, object });
  if (empty !== undefined) return { kind: 'problem', message: `the ${empty} field is empty` };
  if (effect !== 'allow' && effect !== 'deny') {
    return { kind: 'problem', message: `effect must be "allow" or "deny", not "${effect}"` };
  }
  return {
    kind: 'line',
    line: { kind: 'p', subject, resource, action, object, effect, ...origin },
  };
}

function linkFrom(fields: string[], origin: PolicyOrigin): PolicyLineResult {
  const [subject, role] = fields;
  if (fields.length !== 2 || subject === undefined || role === undefined) {
    return {
      kind: 'problem',
      message: `a g line has 3 fields (g, subject, role), this one has ${fields.length + 1}`,
    };
  }
  const empty = emptyField({ subject, role });
  if (empty !== undefined) return { kind: 'problem', message: `the ${empty} field is empty` };
  return { kind: 'line', line: { kind: 'g', subject, role, ...origin } };
}

function emptyField(fields: Record<string, string>): string | undefined {
  return Object.entries(fields).find(([, value]) => value === '')?.[0];
}

/** Parse a whole policy CSV. `source` names it in problems (a ConfigMap key, usually). */
export function parsePolicyCsv(text: string, source: string): ParsedPolicy {
  const rules: PolicyRule[] = [];
  const links: RoleLink[] = [];
  const problems: PolicyProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const origin = { source, line: index + 1 };
    const parsed = parsePolicyLine(trimmed, origin);
    if (parsed.kind === 'problem') {
      problems.push({ ...origin, severity: 'error', message: parsed.message, text: trimmed });
    } else if (parsed.line.kind === 'p') {
      rules.push(parsed.line);
      const warning = unknownResourceWarning(parsed.line);
      if (warning !== undefined) problems.push(warning);
    } else {
      links.push(parsed.line);
    }
  });
  return { rules, links, problems };
}

const GLOB_OR_REGEX_META = /[*?[\]{}\\.^$+()|]/;

/** A literal resource Argo CD does not know can never match a request: likely a typo. */
function unknownResourceWarning(rule: PolicyRule): PolicyProblem | undefined {
  const known = (RBAC_RESOURCES as readonly string[]).includes(rule.resource);
  if (known || GLOB_OR_REGEX_META.test(rule.resource)) return undefined;
  return {
    source: rule.source,
    line: rule.line,
    severity: 'warning',
    message: `unknown resource "${rule.resource}" (known: ${RBAC_RESOURCES.join(', ')}); this line never matches`,
    text: formatRule(rule),
  };
}

/**
 * The keys of an argocd-rbac-cm `data` that hold policy, in Argo CD's order: `policy.csv` first,
 * then every other `policy.<name>.csv` sorted by key (byte order, as Go's sort.Strings).
 */
export function policyCsvKeys(data: Readonly<Record<string, string>>): string[] {
  const overlays = Object.keys(data)
    .filter((key) => key.startsWith('policy.') && key.endsWith('.csv') && key !== POLICY_CSV_KEY)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.hasOwn(data, POLICY_CSV_KEY) ? [POLICY_CSV_KEY, ...overlays] : overlays;
}

/**
 * Parse every policy key of an argocd-rbac-cm `data`, concatenated in Argo CD's order. Line
 * numbers stay relative to each key, which is what a user editing the ConfigMap sees.
 */
export function parseRbacConfigMapPolicy(data: Readonly<Record<string, string>>): ParsedPolicy {
  return mergePolicies(policyCsvKeys(data).map((key) => parsePolicyCsv(own(data, key) ?? '', key)));
}

/** Concatenate parsed policies, keeping their order. */
export function mergePolicies(parts: readonly ParsedPolicy[]): ParsedPolicy {
  return {
    rules: parts.flatMap((part) => part.rules),
    links: parts.flatMap((part) => part.links),
    problems: parts.flatMap((part) => part.problems),
  };
}

/** Render a rule or link back as a policy.csv line (for explanations and logs). */
export function formatRule(line: PolicyRule | RoleLink): string {
  const fields =
    line.kind === 'p'
      ? ['p', line.subject, line.resource, line.action, line.object, line.effect]
      : ['g', line.subject, line.role];
  return fields.map(quoteField).join(', ');
}

function quoteField(field: string): string {
  return /[",]|^\s|\s$/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** `source:line`, or just `source` for synthesized rules. */
export function formatOrigin(origin: PolicyOrigin): string {
  return origin.line > 0 ? `${origin.source}:${origin.line}` : origin.source;
}

// Last: parsing at module load needs every helper above to be initialized.
/** The built-in policy, parsed once. */
export const BUILTIN_POLICY: ParsedPolicy = parsePolicyCsv(
  BUILTIN_POLICY_CSV,
  BUILTIN_POLICY_SOURCE,
);
