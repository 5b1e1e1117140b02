/**
 * AppProject roles as policy, the way Argo CD's `AppProject.ProjectPoliciesString` renders them:
 * each role `r` of project `p` is the subject `proj:p:r`, gets `get` on its own project, its
 * `policies` lines, and a `g, <group>, proj:p:r` line per entry of `groups`.
 *
 * Argo CD validates role policies when a project is written (`validatePolicy`): the subject must
 * be the role itself, the resource project-scoped, the object inside the project (`p/*`,
 * `p/<app>`, `p/<ns>/<app>`). gitward reads projects from the cluster, where nothing guarantees
 * that, so the same checks run here and a line that fails them is left out and reported: a
 * project role can never reach outside its project, whatever its spec says.
 */
import type { AppProject } from '@gitward/model';
import {
  PROJECT_SCOPED_RESOURCES,
  RBAC_ACTIONS,
  parsePolicyLine,
  type ParsedPolicy,
  type PolicyOrigin,
  type PolicyProblem,
  type PolicyRule,
  type RoleLink,
} from './policy.ts';

/** The RBAC subject of a project role, as in a project token's `sub` claim. */
export function projectRoleSubject(project: string, role: string): string {
  return `proj:${project}:${role}`;
}

/** The project and role of a `proj:<project>:<role>` subject, or undefined for any other subject. */
export function parseProjectRoleSubject(
  subject: string,
): { project: string; role: string } | undefined {
  const parts = subject.split(':');
  const [kind, project, role] = parts;
  if (parts.length !== 3 || kind !== 'proj' || project === undefined || role === undefined) {
    return undefined;
  }
  return { project, role };
}

// Argo CD's validateRoleName: a role name also ends up inside `proj:<p>:<r>` and CSV lines.
const ROLE_NAME = /^[a-zA-Z0-9]([-_a-zA-Z0-9]*[a-zA-Z0-9])?$/;

type AppProjectRole = NonNullable<AppProject['spec']['roles']>[number];

/** The policy contributed by one AppProject's roles, with every line it had to leave out. */
export function projectPolicy(project: AppProject): ParsedPolicy {
  const name = project.metadata.name;
  const rules: PolicyRule[] = [];
  const links: RoleLink[] = [];
  const problems: PolicyProblem[] = [];
  (project.spec.roles ?? []).forEach((role, index) => {
    const source = `AppProject/${name} spec.roles[${index}]`;
    if (!ROLE_NAME.test(role.name)) {
      problems.push({
        source,
        line: 0,
        severity: 'error',
        message: `role name "${role.name}" must be letters, digits, "-" or "_", starting and ending with a letter or digit; the role is ignored`,
        text: role.name,
      });
      return;
    }
    const subject = projectRoleSubject(name, role.name);
    // Argo CD lets every role read its own project.
    rules.push({
      kind: 'p',
      subject,
      resource: 'projects',
      action: 'get',
      object: name,
      effect: 'allow',
      source,
      line: 0,
    });
    addRolePolicies(
      role,
      { project: name, subject, source: `${source}.policies` },
      rules,
      problems,
    );
    addRoleGroups(role, { subject, source: `${source}.groups` }, links, problems);
  });
  return { rules, links, problems };
}

function addRolePolicies(
  role: AppProjectRole,
  ctx: { project: string; subject: string; source: string },
  rules: PolicyRule[],
  problems: PolicyProblem[],
): void {
  (role.policies ?? []).forEach((raw, index) => {
    const origin = { source: ctx.source, line: index + 1 };
    const text = raw.trim();
    const checked = checkRolePolicy(text, origin, ctx);
    if (typeof checked === 'string') {
      problems.push({ ...origin, severity: 'error', message: checked, text });
    } else {
      rules.push(checked);
    }
  });
}

function addRoleGroups(
  role: AppProjectRole,
  ctx: { subject: string; source: string },
  links: RoleLink[],
  problems: PolicyProblem[],
): void {
  (role.groups ?? []).forEach((raw, index) => {
    const origin = { source: ctx.source, line: index + 1 };
    const group = unquote(raw.trim());
    if (group === '') {
      problems.push({ ...origin, severity: 'error', message: 'group name is empty', text: raw });
      return;
    }
    links.push({ kind: 'g', subject: group, role: ctx.subject, ...origin });
  });
}

// Argo CD writes groups into CSV, where a quoted group name loses its quotes.
function unquote(group: string): string {
  return group.length > 1 && group.startsWith('"') && group.endsWith('"')
    ? group.slice(1, -1).replaceAll('""', '"')
    : group;
}

/** The rule, or why the line may not be one of this role's policies. */
function checkRolePolicy(
  text: string,
  origin: PolicyOrigin,
  ctx: { project: string; subject: string },
): PolicyRule | string {
  if (text === '') return 'policy is empty';
  const parsed = parsePolicyLine(text, origin);
  if (parsed.kind === 'problem') return parsed.message;
  if (parsed.line.kind !== 'p') {
    return 'a project role policy must be a "p, proj:<project>:<role>, resource, action, object, allow|deny" line';
  }
  const rule = parsed.line;
  if (rule.subject !== ctx.subject) {
    return `policy subject must be "${ctx.subject}", not "${rule.subject}"`;
  }
  if (!(PROJECT_SCOPED_RESOURCES as readonly string[]).includes(rule.resource)) {
    return `project resource must be one of ${PROJECT_SCOPED_RESOURCES.join(', ')}, not "${rule.resource}"`;
  }
  if (!validAction(rule.action)) return `invalid action "${rule.action}"`;
  if (!objectInProject(rule.object, ctx.project)) {
    const p = ctx.project;
    return `object must be "${p}/*", "${p}/<app>" or "${p}/<namespace>/<app>", not "${rule.object}": a project role only reaches its own project`;
  }
  return rule;
}

function validAction(action: string): boolean {
  return (
    action === '*' ||
    (RBAC_ACTIONS as readonly string[]).includes(action) ||
    /^(action|update|delete)\/.+/.test(action)
  );
}

// Argo CD's check, `^<project>(/[*\w.-]+){1,2}$`: the project part is literal, so neither a glob
// nor a regex in the object can match another project's objects.
function objectInProject(object: string, project: string): boolean {
  const literal = project.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${literal}(/[*\\w.-]+){1,2}$`).test(object);
}
