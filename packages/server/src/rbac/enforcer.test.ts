import { describe, expect, it } from 'vitest';
import type { AppProject } from '@gitward/model';
import { createRbac, readRbacConfig, type RbacSettings, type RbacSubject } from './enforcer.ts';
import type { RbacRequestAction, RbacResource } from './policy.ts';

const user = (name: string, ...groups: string[]): RbacSubject => ({ kind: 'user', name, groups });
const projectRole = (project: string, role: string): RbacSubject => ({
  kind: 'project-role',
  project,
  role,
});
const anonymous: RbacSubject = { kind: 'anonymous' };

function project(name: string, roles: NonNullable<AppProject['spec']['roles']> = []): AppProject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name },
    spec: { roles },
  };
}

type Case = [
  who: string,
  subject: RbacSubject,
  resource: RbacResource,
  action: RbacRequestAction,
  object: string,
  allowed: boolean,
];

const POLICY_CSV = `
# org admins: everything on applications, read clusters
p, role:org-admin, applications, *, */*, allow
p, role:org-admin, clusters, get, *, allow
g, my-org:admins, role:org-admin

# team a: everything in its project but deleting prod apps
p, role:team-a, applications, *, team-a/*, allow
p, role:team-a, applications, delete, team-a/prod-*, deny
g, my-org:team-a, role:team-a

p, role:guestbook-viewer, applications, get, */guestbook, allow
g, carol, role:guestbook-viewer

# a three-step inheritance chain
p, role:base, logs, get, */*, allow
g, role:mid, role:base
g, role:top, role:mid
g, dave, role:top

# a user's own allow and deny
p, erin, applications, sync, */*, allow
p, erin, applications, sync, prod/*, deny

# resource actions and per-resource updates
p, role:operator, applications, action/apps/Deployment/restart, */*, allow
p, role:operator, applications, update/apps/Deployment/*, */*, allow
g, frank, role:operator

# a group with p lines but no g line, and a group that only denies
p, direct-group, applications, get, */*, allow
p, role:no-sync-a, applications, sync, team-a/*, deny
g, deny-team-a, role:no-sync-a

# a role cycle must not hang
g, role:loop-a, role:loop-b
g, role:loop-b, role:loop-a
g, henry, role:loop-a

g, ivan, proj:team-a:ci
g, rita, role:readonly
p, ursula, applications, get, */*, deny
`;

const PROJECTS = [
  project('team-a', [
    {
      name: 'ci',
      policies: [
        'p, proj:team-a:ci, applications, sync, team-a/*, allow',
        'p, proj:team-a:ci, applications, get, team-a/*, allow',
        // Both out of bounds: left out, so they grant nothing.
        'p, proj:team-a:ci, applications, delete, */*, allow',
        'p, alice, applications, *, */*, allow',
      ],
      groups: ['ci-bots'],
    },
  ]),
  project('prod'),
];

const settings = (extra: Record<string, string> = {}): RbacSettings => ({
  policyCsv: {
    'policy.csv': POLICY_CSV,
    'policy.overlay.csv': 'g, gina, role:org-admin',
    ...extra,
  },
  projects: PROJECTS,
});

const noDefault = createRbac(settings());
const withDefault = createRbac(settings({ 'policy.default': 'role:readonly' }));

describe('built-in roles', () => {
  const adminCan: [RbacResource, RbacRequestAction, string][] = [
    ['applications', 'get', 'any/app'],
    ['applications', 'create', 'any/app'],
    ['applications', 'update', 'any/app'],
    ['applications', 'delete', 'any/app'],
    ['applications', 'sync', 'any/app'],
    ['applications', 'override', 'any/app'],
    ['applications', 'rollback', 'any/app'],
    ['applications', 'action/apps/Deployment/restart', 'any/app'],
    ['applications', 'update/apps/Deployment/ns/web', 'any/app'],
    ['applications', 'delete//Pod/ns/web-1', 'any/ns/app'],
    ['applicationsets', 'create', 'any/set'],
    ['exec', 'create', 'any/app'],
    ['logs', 'get', 'any/app'],
    ['clusters', 'delete', 'https://kubernetes.default.svc'],
    ['repositories', 'create', 'https://github.com/org/repo.git'],
    ['write-repositories', 'update', 'https://github.com/org/repo.git'],
    ['projects', 'create', 'new-project'],
    ['accounts', 'update', 'alice'],
    ['certificates', 'delete', 'example.com'],
    ['gpgkeys', 'create', 'ABCDEF'],
  ];

  it.each(adminCan)('admin may %s %s %s; a nobody may not', (resource, action, object) => {
    expect(noDefault.enforce(user('admin'), resource, action, object)).toBe(true);
    expect(noDefault.enforce(user('nobody'), resource, action, object)).toBe(false);
  });

  it.each<[RbacResource, string]>([
    ['applications', 'p/app'],
    ['applicationsets', 'p/set'],
    ['certificates', 'x'],
    ['clusters', 'https://c'],
    ['repositories', 'https://r'],
    ['write-repositories', 'https://r'],
    ['projects', 'p'],
    ['accounts', 'alice'],
    ['gpgkeys', 'k'],
    ['logs', 'p/app'],
  ])('role:readonly may get %s %s and nothing more', (resource, object) => {
    expect(noDefault.enforce(user('rita'), resource, 'get', object)).toBe(true);
    expect(noDefault.enforce(user('rita'), resource, 'create', object)).toBe(false);
    expect(noDefault.enforce(user('rita'), resource, 'delete', object)).toBe(false);
  });

  it('role:readonly may not exec or sync', () => {
    expect(noDefault.enforce(user('rita'), 'exec', 'create', 'p/app')).toBe(false);
    expect(noDefault.enforce(user('rita'), 'applications', 'sync', 'p/app')).toBe(false);
  });
});

describe('decisions', () => {
  const cases: Case[] = [
    // policy.default
    ['default readonly: any user may get', user('zed'), 'applications', 'get', 'x/y', true],
    ['default readonly: not sync', user('zed'), 'applications', 'sync', 'x/y', false],
    // Argo CD checks the default role first, on its own: a user's deny does not take it away.
    ['default beats own deny', user('ursula'), 'applications', 'get', 'x/y', true],
    // deny beats allow within one subject
    ['erin sync staging', user('erin'), 'applications', 'sync', 'staging/web', true],
    ['erin sync prod: denied', user('erin'), 'applications', 'sync', 'prod/web', false],
    ['team-a delete web', user('t', 'my-org:team-a'), 'applications', 'delete', 'team-a/web', true],
    [
      'team-a delete prod-db',
      user('t', 'my-org:team-a'),
      'applications',
      'delete',
      'team-a/prod-db',
      false,
    ],
    // globs
    [
      'my-proj/*: own project',
      user('t', 'my-org:team-a'),
      'applications',
      'sync',
      'team-a/x',
      true,
    ],
    [
      'my-proj/*: apps in any ns',
      user('t', 'my-org:team-a'),
      'applications',
      'sync',
      'team-a/ns/x',
      true,
    ],
    [
      'my-proj/*: other project',
      user('t', 'my-org:team-a'),
      'applications',
      'sync',
      'team-b/x',
      false,
    ],
    [
      'my-proj/*: prefix only',
      user('t', 'my-org:team-a'),
      'applications',
      'sync',
      'team-ab/x',
      false,
    ],
    ['*/guestbook', user('carol'), 'applications', 'get', 'any/guestbook', true],
    [
      '*/guestbook: not guestbook-2',
      user('carol'),
      'applications',
      'get',
      'any/guestbook-2',
      false,
    ],
    ['action glob', user('frank'), 'applications', 'action/apps/Deployment/restart', 'p/a', true],
    ['other action', user('frank'), 'applications', 'action/apps/Deployment/scale', 'p/a', false],
    [
      'update sub-resource',
      user('frank'),
      'applications',
      'update/apps/Deployment/ns/web',
      'p/a',
      true,
    ],
    ['update other kind', user('frank'), 'applications', 'update/batch/Job/ns/web', 'p/a', false],
    ['plain update', user('frank'), 'applications', 'update', 'p/a', false],
    // g chains
    ['chain of three', user('dave'), 'logs', 'get', 'p/app', true],
    ['chain grants only its rules', user('dave'), 'applications', 'get', 'p/app', false],
    ['a cycle grants nothing', user('henry'), 'applications', 'get', 'p/app', false],
    ['policy.<name>.csv overlay', user('gina'), 'clusters', 'get', 'https://c', true],
    // groups
    ['group to role', user('x', 'my-org:admins'), 'applications', 'delete', 'any/app', true],
    [
      'group to role: only its rules',
      user('x', 'my-org:admins'),
      'clusters',
      'delete',
      'https://c',
      false,
    ],
    ['later group', user('x', 'unknown', 'my-org:admins'), 'applications', 'sync', 'p/a', true],
    // Argo CD only consults groups that appear on the left of a g line.
    ['group without a g line', user('x', 'direct-group'), 'applications', 'get', 'p/a', false],
    ['user named like that group', user('direct-group'), 'applications', 'get', 'p/a', true],
    // Each group is evaluated on its own: one group's deny does not cancel another's allow.
    [
      'deny in another group',
      user('x', 'deny-team-a', 'my-org:team-a'),
      'applications',
      'sync',
      'team-a/x',
      true,
    ],
    ['groups of nobody', user('x'), 'applications', 'sync', 'team-a/x', false],
  ];

  it.each(cases)('%s', (_, subject, resource, action, object, allowed) => {
    const which = _.startsWith('default') ? withDefault : noDefault;
    expect(which.enforce(subject, resource, action, object)).toBe(allowed);
    expect(which.explain(subject, resource, action, object).allowed).toBe(allowed);
  });
});

describe('project roles', () => {
  const cases: Case[] = [
    ['own project', projectRole('team-a', 'ci'), 'applications', 'sync', 'team-a/web', true],
    [
      'own project, app in a namespace',
      projectRole('team-a', 'ci'),
      'applications',
      'sync',
      'team-a/ns/web',
      true,
    ],
    ['get its own project', projectRole('team-a', 'ci'), 'projects', 'get', 'team-a', true],
    ['not granted', projectRole('team-a', 'ci'), 'applications', 'delete', 'team-a/web', false],
    ['other project', projectRole('team-a', 'ci'), 'applications', 'sync', 'prod/web', false],
    [
      'out-of-project line left out',
      projectRole('team-a', 'ci'),
      'applications',
      'delete',
      'prod/web',
      false,
    ],
    ['unknown role', projectRole('team-a', 'deploy'), 'applications', 'sync', 'team-a/web', false],
    [
      'group in spec.roles[].groups',
      user('bot', 'ci-bots'),
      'applications',
      'sync',
      'team-a/web',
      true,
    ],
    [
      'that group, other project',
      user('bot', 'ci-bots'),
      'applications',
      'sync',
      'prod/web',
      false,
    ],
    [
      'that group, project-less resource',
      user('bot', 'ci-bots'),
      'clusters',
      'get',
      'https://c',
      false,
    ],
    ['g to a project role in policy.csv', user('ivan'), 'applications', 'sync', 'team-a/web', true],
    ['… still confined to its project', user('ivan'), 'applications', 'sync', 'prod/web', false],
    [
      'a foreign subject in a role policy',
      user('alice'),
      'applications',
      'sync',
      'team-a/web',
      false,
    ],
  ];

  it.each(cases)('%s', (_, subject, resource, action, object, allowed) => {
    expect(noDefault.enforce(subject, resource, action, object)).toBe(allowed);
  });

  it('reports the lines it left out', () => {
    const fromProjects = noDefault.problems.filter((p) => p.source.startsWith('AppProject/'));
    expect(fromProjects.map((p) => [p.source, p.line])).toEqual([
      ['AppProject/team-a spec.roles[0].policies', 3],
      ['AppProject/team-a spec.roles[0].policies', 4],
    ]);
  });

  it.each<[string, RbacResource, string, boolean]>([
    // Argo CD denies a project token on another project outright, default role or not.
    ['another project', 'projects', 'prod', false],
    ['another project app', 'applications', 'prod/web', false],
    // On requests that name no project, project tokens get policy.default like any subject.
    ['a project-less resource', 'clusters', 'https://c', true],
    ['an unknown project', 'applications', 'ghost/web', true],
  ])('with policy.default, a project role reading %s: %s', (_, resource, object, allowed) => {
    expect(withDefault.enforce(projectRole('team-a', 'ci'), resource, 'get', object)).toBe(allowed);
  });
});

describe('anonymous', () => {
  it.each<[string, RbacSettings, RbacRequestAction, boolean]>([
    ['disabled', { ...settings({ 'policy.default': 'role:readonly' }) }, 'get', false],
    [
      'enabled, default readonly',
      { ...settings({ 'policy.default': 'role:readonly' }), anonymousEnabled: true },
      'get',
      true,
    ],
    [
      'enabled, default readonly, sync',
      { ...settings({ 'policy.default': 'role:readonly' }), anonymousEnabled: true },
      'sync',
      false,
    ],
    ['enabled, no default', { ...settings(), anonymousEnabled: true }, 'get', false],
    [
      'enabled, default admin',
      { ...settings({ 'policy.default': 'role:admin' }), anonymousEnabled: true },
      'sync',
      true,
    ],
  ])('%s', (_, s, action, allowed) => {
    const rbac = createRbac(s);
    expect(rbac.enforce(anonymous, 'applications', action, 'team-a/web')).toBe(allowed);
  });

  it('gets nothing from a user or group with an empty name', () => {
    const rbac = createRbac({
      policyCsv: { 'policy.csv': 'p, "", applications, get, */*, allow\ng, "", role:admin' },
      projects: [],
      anonymousEnabled: true,
    });
    expect(rbac.enforce(anonymous, 'applications', 'get', 'p/a')).toBe(false);
    expect(rbac.problems.map((p) => p.line)).toEqual([1, 2]);
  });
});

const regex = createRbac({
  policyCsv: {
    'policy.matchMode': 'regex',
    'policy.csv': [
      'p, role:re, applications, get, ^team-(a|b)/.*$, allow',
      'g, rex, role:re',
      'p, role:loose, applications, sync, guestbook, allow',
      'g, lou, role:loose',
      'p, role:broken, applications, get, team-(/x, allow',
      'g, bob, role:broken',
      'g, bob, role:re',
      'p, role:globby, applications, get, team-a/*, allow',
      'g, gus, role:globby',
    ].join('\n'),
  },
  projects: [],
});

describe('regex match mode', () => {
  it.each<[string, RbacSubject, RbacRequestAction, string, boolean]>([
    ['anchored regex', user('rex'), 'get', 'team-a/web', true],
    ['anchored regex, other project', user('rex'), 'get', 'team-c/web', false],
    // casbin's RegexMatch is unanchored, as in Argo CD.
    ['unanchored regex', user('lou'), 'sync', 'proj/guestbook-2', true],
    // "team-a/*" is a regex here: "team-a" followed by any number of "/".
    ['a glob read as a regex', user('gus'), 'get', 'team-a', true],
    // A regex that does not compile fails the whole evaluation of a subject that reaches it.
    ['invalid regex fails closed', user('bob'), 'get', 'team-a/web', false],
    ['built-in admin still works', user('admin'), 'sync', 'any/app', true],
    ['built-in admin, action', user('admin'), 'action/apps/Deployment/restart', 'any/app', true],
    ['built-in patterns stay strict', user('admin'), 'sync', 'no-slash', false],
  ])('%s', (_, subject, action, object, allowed) => {
    expect(regex.enforce(subject, 'applications', action, object)).toBe(allowed);
  });

  it('reports the invalid regex and explains the failure', () => {
    expect(regex.matchMode).toBe('regex');
    expect(regex.problems).toEqual([
      expect.objectContaining({ source: 'policy.csv', line: 5, severity: 'error' }),
    ]);
    const decision = regex.explain(user('bob'), 'applications', 'get', 'team-a/web');
    expect(decision.checks[0]?.error).toMatch(/invalid regular expression/);
    expect(decision.reason).toMatch(/failed/);
  });
});

describe('explain', () => {
  it('names the rule and the evaluation that allowed', () => {
    const decision = noDefault.explain(
      user('t', 'my-org:team-a'),
      'applications',
      'sync',
      'team-a/x',
    );
    expect(decision).toMatchObject({
      allowed: true,
      project: 'team-a',
      checks: [
        { via: 'subject', subject: 't', allowed: false },
        {
          via: 'group',
          subject: 'my-org:team-a',
          allowed: true,
          rule: { subject: 'role:team-a', object: 'team-a/*', source: 'policy.csv', line: 8 },
        },
      ],
    });
    expect(decision.reason).toBe(
      'allowed for group "my-org:team-a": p, role:team-a, applications, *, team-a/*, allow (policy.csv:8)',
    );
  });

  it('names the deny that blocked', () => {
    const decision = noDefault.explain(user('erin'), 'applications', 'sync', 'prod/web');
    expect(decision.allowed).toBe(false);
    expect(decision.checks.at(-1)?.rule).toMatchObject({ effect: 'deny', line: 23 });
    expect(decision.reason).toMatch(
      /hit p, erin, applications, sync, prod\/\*, deny \(policy\.csv:23\)/,
    );
  });

  it('points at built-in rules and the default role', () => {
    const decision = withDefault.explain(user('zed'), 'clusters', 'get', 'https://c');
    expect(decision.checks).toHaveLength(1);
    expect(decision.reason).toBe(
      'allowed for default role "role:readonly": p, role:readonly, clusters, get, *, allow (builtin-policy.csv:6)',
    );
  });

  it('says when nothing matched', () => {
    const decision = noDefault.explain(user('nobody', 'ci-bots'), 'applications', 'sync', 'x/y');
    expect(decision.allowed).toBe(false);
    expect(decision.checks).toEqual([{ via: 'subject', subject: 'nobody', allowed: false }]);
    expect(decision.reason).toBe(
      'denied sync on applications "x/y": subject "nobody" has no matching allow',
    );
  });

  it('explains a project role refused on another project', () => {
    expect(noDefault.explain(projectRole('team-a', 'ci'), 'applications', 'get', 'prod/x')).toEqual(
      {
        allowed: false,
        project: 'prod',
        checks: [],
        reason: 'denied: a role of project "team-a" cannot act on project "prod"',
      },
    );
  });
});

describe('settings', () => {
  it.each<[Record<string, string>, string, string, readonly string[], number]>([
    [{}, '', 'glob', ['groups'], 0],
    [
      { 'policy.default': ' role:readonly ', 'policy.matchMode': 'regex' },
      'role:readonly',
      'regex',
      ['groups'],
      0,
    ],
    [{ 'policy.matchMode': 'Regex' }, '', 'glob', ['groups'], 1],
    [{ scopes: '[groups, email]' }, '', 'glob', ['groups', 'email'], 0],
    [{ scopes: '["groups", \'orgs\']' }, '', 'glob', ['groups', 'orgs'], 0],
    [{ scopes: '- groups\n- email' }, '', 'glob', ['groups', 'email'], 0],
    [{ scopes: 'email' }, '', 'glob', ['email'], 0],
    [{ scopes: '[groups, email' }, '', 'glob', ['groups'], 1],
  ])('%j', (data, defaultRole, matchMode, scopes, problems) => {
    const config = readRbacConfig(data);
    expect(config).toMatchObject({ defaultRole, matchMode, scopes });
    expect(config.problems).toHaveLength(problems);
  });

  it('warns about a default role that grants nothing', () => {
    const rbac = createRbac({ policyCsv: { 'policy.default': 'role:ghost' }, projects: [] });
    expect(rbac.problems).toEqual([
      expect.objectContaining({
        source: 'policy.default',
        severity: 'warning',
        text: 'role:ghost',
      }),
    ]);
  });

  it('survives a policy that is nothing but problems', () => {
    const rbac = createRbac({
      policyCsv: { 'policy.csv': 'garbage\n"unterminated\np,,,,,\ng', 'policy.matchMode': 'regex' },
      projects: [project('weird', [{ name: '', policies: ['p'] }])],
    });
    expect(rbac.problems.length).toBeGreaterThanOrEqual(5);
    expect(rbac.enforce(user('admin'), 'applications', 'get', 'p/a')).toBe(true);
  });
});
