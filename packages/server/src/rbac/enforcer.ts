/**
 * The RBAC decision for the API server, with Argo CD's semantics (util/rbac and
 * server/rbacpolicy), compiled once per settings change.
 *
 * Each evaluation is Argo CD's casbin model (evaluator.ts): `g(r.sub, p.sub)` plus a glob-or-regex
 * match on resource, action and object, effect "some allow and no deny". Around it, the order Argo
 * CD runs evaluations in, which decides what a deny can and cannot take away:
 * 1. `policy.default`, evaluated on its own: if the default role allows, the request is allowed,
 *    whatever denies the user's own lines carry.
 * 2. The subject itself (user name, or `proj:<project>:<role>`), with everything it inherits via `g`.
 * 3. Each of the user's groups that appears on the left of some `g` line, one at a time: a group
 *    whose lines allow wins even if another group's lines deny. Groups without a `g` line are not
 *    consulted (Argo CD's prefilter), so grant groups permissions through `g, <group>, <role>`.
 * A deny therefore only beats an allow within one of those evaluations.
 *
 * AppProject roles are runtime policy, as in Argo CD: when the object names a project
 * (`<project>/...` for applications, applicationsets, repositories, clusters, logs and exec; the
 * project name for projects), the evaluation uses the built-in and ConfigMap policy plus that one
 * project's roles, and no other project's. A project-role subject acting on another project is
 * denied outright.
 *
 * Anonymous requests get `policy.default` only, and only when `anonymousEnabled` is set.
 *
 * Where gitward departs from Argo CD, on purpose: a bad policy line is left out and reported
 * instead of rejecting the whole ConfigMap, and in regex mode the built-in roles keep working.
 */
import type { AppProject } from '@gitward/model';
import { own } from '../own.ts';
import { compilePolicySet, type PolicySet } from './evaluator.ts';
import {
  createPatternMatcher,
  starGlobToRegex,
  type MatchMode,
  type PatternMatcher,
} from './pattern.ts';
import {
  BUILTIN_POLICY,
  formatOrigin,
  formatRule,
  mergePolicies,
  parseRbacConfigMapPolicy,
  PROJECT_SCOPED_RESOURCES,
  type ParsedPolicy,
  type PolicyProblem,
  type PolicyRule,
  type RbacRequestAction,
  type RbacResource,
} from './policy.ts';
import { projectPolicy, projectRoleSubject } from './project-policy.ts';

/** Who is asking: the auth layer turns a session, API token or project token into one of these. */
export type RbacSubject =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'user'; readonly name: string; readonly groups: readonly string[] }
  | { readonly kind: 'project-role'; readonly project: string; readonly role: string };

export interface RbacSettings {
  /**
   * The argocd-rbac-cm `data`: `policy.csv`, `policy.<name>.csv`, `policy.default`,
   * `policy.matchMode` (`glob` | `regex`) and `scopes`.
   */
  readonly policyCsv: Readonly<Record<string, string>>;
  readonly projects: readonly AppProject[];
  /** argocd-cm `users.anonymous.enabled`: anonymous requests then get `policy.default`. */
  readonly anonymousEnabled?: boolean;
}

/** One casbin evaluation made while deciding. */
export interface RbacCheck {
  /** Why this subject was evaluated. */
  readonly via: 'default-role' | 'subject' | 'group';
  /** The casbin subject evaluated (`role:readonly`, `alice`, `proj:p:ci`, `my-org:team`). */
  readonly subject: string;
  readonly allowed: boolean;
  /** The rule that decided it: the allow that granted, or the deny that blocked. */
  readonly rule?: PolicyRule;
  /** Set when the evaluation failed (an invalid regex); it then counts as a deny. */
  readonly error?: string;
}

/** A decision with its reasons, for `account can-i`, audit logs and 403 messages. */
export interface RbacDecision {
  readonly allowed: boolean;
  /** The project whose roles took part, when the object names an existing project. */
  readonly project?: string;
  /** Every evaluation, in order; the last one decided when `allowed`. */
  readonly checks: readonly RbacCheck[];
  /** One line for humans. */
  readonly reason: string;
}

export interface Rbac {
  /** `policy.default`, or '' when unset. */
  readonly defaultRole: string;
  readonly matchMode: MatchMode;
  /** The JWT claims that carry a user's groups (`scopes`, default `['groups']`). */
  readonly scopes: readonly string[];
  /** Everything wrong with the settings; lines with an `error` were left out. */
  readonly problems: readonly PolicyProblem[];
  /** Whether `subject` may `action` on `resource` object `object`. Synchronous. */
  enforce(
    subject: RbacSubject,
    resource: RbacResource,
    action: RbacRequestAction,
    object: string,
  ): boolean;
  /** The same decision as {@link Rbac.enforce}, with the rules that made it. */
  explain(
    subject: RbacSubject,
    resource: RbacResource,
    action: RbacRequestAction,
    object: string,
  ): RbacDecision;
}

export const POLICY_DEFAULT_KEY = 'policy.default';
export const POLICY_MATCH_MODE_KEY = 'policy.matchMode';
export const SCOPES_KEY = 'scopes';
export const DEFAULT_SCOPES: readonly string[] = ['groups'];

// The resources whose object starts with `<project>/` (Argo CD's getProjectFromRequest).
const PROJECT_PREFIXED: ReadonlySet<string> = new Set(PROJECT_SCOPED_RESOURCES);

/** What both enforce() and explain() run on. */
interface Compiled {
  readonly base: PolicySet;
  /** Every known project, with its own set or the base one when it has no roles. */
  readonly projects: ReadonlyMap<string, PolicySet>;
  readonly defaultRole: string;
  readonly anonymousEnabled: boolean;
}

/**
 * Compile the RBAC settings; the caller keeps the result until argocd-rbac-cm or an AppProject
 * changes. Never throws for bad settings: they are reported in `problems`.
 *
 * @example
 * const rbac = createRbac({ policyCsv: rbacConfigMap.data, projects, anonymousEnabled: false });
 * for (const p of rbac.problems) log.warn(p, 'RBAC policy problem');
 * rbac.enforce({ kind: 'user', name: 'alice', groups }, 'applications', 'sync', 'team-a/web');
 */
export function createRbac(settings: RbacSettings): Rbac {
  const config = readRbacConfig(settings.policyCsv);
  const matcher = createPatternMatcher(config.matchMode);
  const global = mergePolicies([
    builtinPolicyFor(config.matchMode),
    parseRbacConfigMapPolicy(settings.policyCsv),
  ]);
  const problems: PolicyProblem[] = [...config.problems, ...global.problems];
  problems.push(...patternProblems(global.rules, matcher));
  const base = compilePolicySet(global, matcher);
  const projects = new Map<string, PolicySet>();
  for (const project of settings.projects) {
    const own = projectPolicy(project);
    problems.push(...own.problems, ...patternProblems(own.rules, matcher));
    const hasRoles = own.rules.length > 0 || own.links.length > 0;
    // Argo CD adds a project's roles as runtime policy after the global policy.
    const set = hasRoles ? compilePolicySet(mergePolicies([global, own]), matcher) : base;
    projects.set(project.metadata.name, set);
  }
  problems.push(...defaultRoleProblems(config.defaultRole, global));
  const compiled: Compiled = {
    base,
    projects,
    defaultRole: config.defaultRole,
    anonymousEnabled: settings.anonymousEnabled ?? false,
  };
  return {
    defaultRole: config.defaultRole,
    matchMode: config.matchMode,
    scopes: config.scopes,
    problems,
    enforce: (subject, resource, action, object) =>
      enforce(compiled, subject, { resource, action, object }),
    explain: (subject, resource, action, object) =>
      explain(compiled, subject, { resource, action, object }),
  };
}

/**
 * The built-in roles in the active match mode. Argo CD feeds the built-in glob patterns (a bare `*`,
 * or `*` on both sides of a slash) to the regex matcher unchanged, where they do not compile, so
 * role:admin and role:readonly stop working in regex mode (argoproj/argo-cd#13127, an open bug).
 * gitward translates them instead.
 */
function builtinPolicyFor(mode: MatchMode): ParsedPolicy {
  if (mode === 'glob') return BUILTIN_POLICY;
  return {
    ...BUILTIN_POLICY,
    rules: BUILTIN_POLICY.rules.map((rule) => ({
      ...rule,
      resource: starGlobToRegex(rule.resource),
      action: starGlobToRegex(rule.action),
      object: starGlobToRegex(rule.object),
    })),
  };
}

interface RbacConfig {
  readonly defaultRole: string;
  readonly matchMode: MatchMode;
  readonly scopes: readonly string[];
  readonly problems: readonly PolicyProblem[];
}

/** The non-policy keys of argocd-rbac-cm, read as own properties only. */
export function readRbacConfig(data: Readonly<Record<string, string>>): RbacConfig {
  const problems: PolicyProblem[] = [];
  const setting = (key: string, message: string, text: string): void => {
    problems.push({ source: key, line: 0, severity: 'warning', message, text });
  };
  const rawMode = (own(data, POLICY_MATCH_MODE_KEY) ?? '').trim();
  if (rawMode !== '' && rawMode !== 'glob' && rawMode !== 'regex') {
    setting(POLICY_MATCH_MODE_KEY, `unknown match mode "${rawMode}"; using glob`, rawMode);
  }
  const rawScopes = own(data, SCOPES_KEY);
  let scopes = DEFAULT_SCOPES;
  if (rawScopes !== undefined && rawScopes.trim() !== '') {
    const parsed = parseScopes(rawScopes);
    if (parsed === undefined) {
      setting(
        SCOPES_KEY,
        'scopes must be a list such as "[groups, email]"; using [groups]',
        rawScopes,
      );
    } else {
      scopes = parsed;
    }
  }
  return {
    defaultRole: (own(data, POLICY_DEFAULT_KEY) ?? '').trim(),
    matchMode: rawMode === 'regex' ? 'regex' : 'glob',
    scopes,
    problems,
  };
}

/** A YAML flow list (`[groups, email]`), a block list (`- groups`), or one bare name. */
function parseScopes(raw: string): string[] | undefined {
  const text = raw.trim();
  let items: string[];
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return undefined;
    items = text.slice(1, -1).split(',');
  } else if (text.startsWith('-')) {
    items = text.split(/\r?\n/).map((line) => line.trim().replace(/^-\s*/, ''));
  } else {
    items = [text];
  }
  const scopes = items.map((item) => item.trim().replace(/^(["'])(.*)\1$/, '$2')).filter(Boolean);
  return scopes.every((scope) => /^[^\s,[\]{}]+$/.test(scope)) ? scopes : undefined;
}

function patternProblems(rules: readonly PolicyRule[], matcher: PatternMatcher): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const rule of rules) {
    const reasons = [rule.resource, rule.action, rule.object]
      .map((pattern) => matcher.problem(pattern))
      .filter((reason) => reason !== undefined);
    if (reasons.length === 0) continue;
    const effect =
      matcher.mode === 'glob'
        ? 'the line never matches'
        : 'any evaluation reaching this line is denied';
    problems.push({
      source: rule.source,
      line: rule.line,
      severity: 'error',
      message: `${reasons.join('; ')}; ${effect}`,
      text: formatRule(rule),
    });
  }
  return problems;
}

function defaultRoleProblems(defaultRole: string, policy: ParsedPolicy): PolicyProblem[] {
  if (defaultRole === '') return [];
  const known =
    policy.rules.some((rule) => rule.subject === defaultRole) ||
    policy.links.some((link) => link.subject === defaultRole);
  if (known) return [];
  return [
    {
      source: POLICY_DEFAULT_KEY,
      line: 0,
      severity: 'warning',
      message: `default role "${defaultRole}" has no policy lines, so it grants nothing`,
      text: defaultRole,
    },
  ];
}

interface RbacRequest {
  readonly resource: string;
  readonly action: string;
  readonly object: string;
}

/** The project an object belongs to, by Argo CD's rule; undefined when it names none. */
function projectOfRequest(request: RbacRequest): string | undefined {
  if (request.resource === 'projects') return request.object;
  if (!PROJECT_PREFIXED.has(request.resource)) return undefined;
  const slash = request.object.indexOf('/');
  return slash === -1 ? undefined : request.object.slice(0, slash);
}

/** One evaluation still to run: the casbin subject and why it is evaluated. */
interface PlannedCheck {
  readonly via: RbacCheck['via'];
  readonly subject: string;
}

/** What a request comes down to: an outright denial, or evaluations to run until one allows. */
type Plan =
  | { readonly kind: 'denied'; readonly reason: string; readonly project?: string }
  | {
      readonly kind: 'evaluate';
      readonly set: PolicySet;
      readonly project: string | undefined;
      readonly checks: readonly PlannedCheck[];
    };

function plan(c: Compiled, subject: RbacSubject, request: RbacRequest): Plan {
  if (subject.kind === 'anonymous') {
    if (!c.anonymousEnabled) return { kind: 'denied', reason: 'anonymous access is disabled' };
    if (c.defaultRole === '') {
      return { kind: 'denied', reason: 'anonymous requests get policy.default, which is unset' };
    }
    // Argo CD evaluates anonymous requests on the global policy only, with the default role.
    return { kind: 'evaluate', set: c.base, project: undefined, checks: defaultRoleCheck(c) };
  }
  const projectName = projectOfRequest(request);
  const projectSet = projectName === undefined ? undefined : c.projects.get(projectName);
  const project = projectSet === undefined ? undefined : projectName;
  const set = projectSet ?? c.base;
  if (subject.kind === 'project-role') {
    if (project !== undefined && project !== subject.project) {
      const reason = `a role of project "${subject.project}" cannot act on project "${project}"`;
      return { kind: 'denied', reason, project };
    }
    const own: PlannedCheck = {
      via: 'subject',
      subject: projectRoleSubject(subject.project, subject.role),
    };
    return { kind: 'evaluate', set, project, checks: [...defaultRoleCheck(c), own] };
  }
  const groups = subject.groups
    .filter((group) => set.linkedSubjects.has(group))
    .map((group): PlannedCheck => ({ via: 'group', subject: group }));
  const checks: PlannedCheck[] = [
    ...defaultRoleCheck(c),
    { via: 'subject', subject: subject.name },
    ...groups,
  ];
  return { kind: 'evaluate', set, project, checks };
}

/** The hot path: the same evaluations as {@link explain}, without building explanations. */
function enforce(c: Compiled, subject: RbacSubject, request: RbacRequest): boolean {
  const p = plan(c, subject, request);
  if (p.kind === 'denied') return false;
  return p.checks.some(
    (step) =>
      p.set.evaluate(step.subject, request.resource, request.action, request.object).allowed,
  );
}

function explain(c: Compiled, subject: RbacSubject, request: RbacRequest): RbacDecision {
  const p = plan(c, subject, request);
  if (p.kind === 'denied') {
    const denied = { allowed: false, checks: [], reason: `denied: ${p.reason}` };
    return withProject(denied, p.project);
  }
  return runChecks(p.set, p.project, p.checks, request);
}

function defaultRoleCheck(c: Compiled): PlannedCheck[] {
  return c.defaultRole === '' ? [] : [{ via: 'default-role', subject: c.defaultRole }];
}

function runChecks(
  set: PolicySet,
  project: string | undefined,
  planned: readonly PlannedCheck[],
  request: RbacRequest,
): RbacDecision {
  const checks: RbacCheck[] = [];
  for (const step of planned) {
    const check = evaluate(set, step, request);
    checks.push(check);
    if (check.allowed) {
      return withProject({ allowed: true, checks, reason: allowedReason(check) }, project);
    }
  }
  return withProject({ allowed: false, checks, reason: deniedReason(checks, request) }, project);
}

function withProject(decision: RbacDecision, project: string | undefined): RbacDecision {
  return project === undefined ? decision : { ...decision, project };
}

function evaluate(set: PolicySet, step: PlannedCheck, request: RbacRequest): RbacCheck {
  return {
    ...step,
    ...set.evaluate(step.subject, request.resource, request.action, request.object),
  };
}

function describeCheck(check: RbacCheck): string {
  const who = {
    'default-role': 'default role',
    subject: 'subject',
    group: 'group',
  }[check.via];
  return `${who} "${check.subject}"`;
}

function describeRule(rule: PolicyRule): string {
  return `${formatRule(rule)} (${formatOrigin(rule)})`;
}

function allowedReason(check: RbacCheck): string {
  const by = check.rule === undefined ? '' : `: ${describeRule(check.rule)}`;
  return `allowed for ${describeCheck(check)}${by}`;
}

function deniedReason(checks: readonly RbacCheck[], request: RbacRequest): string {
  const what = `${request.action} on ${request.resource} "${request.object}"`;
  if (checks.length === 0) return `denied: no subject to evaluate for ${what}`;
  const parts = checks.map((check) => {
    if (check.error !== undefined) return `${describeCheck(check)} failed: ${check.error}`;
    if (check.rule !== undefined) return `${describeCheck(check)} hit ${describeRule(check.rule)}`;
    return `${describeCheck(check)} has no matching allow`;
  });
  return `denied ${what}: ${parts.join('; ')}`;
}
