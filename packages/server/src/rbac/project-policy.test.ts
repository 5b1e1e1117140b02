import { describe, expect, it } from 'vitest';
import type { AppProject } from '@gitward/model';
import { formatRule } from './policy.ts';
import { parseProjectRoleSubject, projectPolicy, projectRoleSubject } from './project-policy.ts';

function project(name: string, roles: NonNullable<AppProject['spec']['roles']>): AppProject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name },
    spec: { roles },
  };
}

describe('project role subjects', () => {
  it.each([
    ['proj:team-a:ci', { project: 'team-a', role: 'ci' }],
    ['proj:team-a', undefined],
    ['proj:team-a:ci:extra', undefined],
    ['role:admin', undefined],
    ['alice', undefined],
  ])('%s', (subject, expected) => {
    expect(parseProjectRoleSubject(subject)).toEqual(expected);
  });

  it('round-trips', () => {
    expect(parseProjectRoleSubject(projectRoleSubject('p', 'r'))).toEqual({
      project: 'p',
      role: 'r',
    });
  });
});

describe('projectPolicy', () => {
  it('renders roles as Argo CD does: get on the project, the policies, and group links', () => {
    const parsed = projectPolicy(
      project('team-a', [
        {
          name: 'ci',
          policies: [
            'p, proj:team-a:ci, applications, sync, team-a/*, allow',
            'p, proj:team-a:ci, applications, get, team-a/ns/web, deny',
          ],
          groups: ['ci-bots', '"quoted group"'],
        },
      ]),
    );
    expect(parsed.problems).toEqual([]);
    expect([...parsed.rules, ...parsed.links].map(formatRule)).toEqual([
      'p, proj:team-a:ci, projects, get, team-a, allow',
      'p, proj:team-a:ci, applications, sync, team-a/*, allow',
      'p, proj:team-a:ci, applications, get, team-a/ns/web, deny',
      'g, ci-bots, proj:team-a:ci',
      'g, quoted group, proj:team-a:ci',
    ]);
    expect(parsed.rules[1]).toMatchObject({
      source: 'AppProject/team-a spec.roles[0].policies',
      line: 1,
    });
  });

  it.each([
    ['p, proj:team-a:ci, applications, sync, team-b/*, allow', /object must be .*not "team-b\/\*"/],
    ['p, proj:team-a:ci, applications, sync, */*, allow', /object must be/],
    ['p, proj:team-a:ci, applications, sync, team-a*, allow', /object must be/],
    ['p, proj:team-a:ci, applications, sync, team-a/a/b/c, allow', /object must be/],
    ['p, proj:team-a:ci, applications, sync, team-a, allow', /object must be/],
    ['p, proj:team-b:ci, applications, sync, team-a/*, allow', /subject must be "proj:team-a:ci"/],
    ['p, alice, applications, sync, team-a/*, allow', /subject must be "proj:team-a:ci"/],
    ['p, proj:team-a:ci, clusters-admin, get, team-a/*, allow', /project resource must be one of/],
    ['p, proj:team-a:ci, projects, update, team-a/*, allow', /project resource must be one of/],
    ['p, proj:team-a:ci, applications, destroy, team-a/*, allow', /invalid action "destroy"/],
    ['g, alice, proj:team-a:ci', /must be a "p, proj/],
    ['p, proj:team-a:ci, applications, sync, team-a/*', /6 fields/],
    ['', /policy is empty/],
  ])('leaves out %s', (line, message) => {
    const parsed = projectPolicy(project('team-a', [{ name: 'ci', policies: [line] }]));
    expect(parsed.rules.map(formatRule)).toEqual([
      'p, proj:team-a:ci, projects, get, team-a, allow',
    ]);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({
      source: 'AppProject/team-a spec.roles[0].policies',
      line: 1,
      severity: 'error',
    });
    expect(parsed.problems[0]?.message).toMatch(message);
  });

  it.each([
    'p, proj:team-a:ci, applications, action/apps/Deployment/restart, team-a/*, allow',
    'p, proj:team-a:ci, applications, *, team-a/web, allow',
    'p, proj:team-a:ci, logs, get, team-a/*, allow',
    'p, proj:team-a:ci, exec, create, team-a/ns/web, allow',
    'p, proj:team-a:ci, repositories, get, team-a/*, allow',
  ])('accepts %s', (line) => {
    expect(projectPolicy(project('team-a', [{ name: 'ci', policies: [line] }])).problems).toEqual(
      [],
    );
  });

  it('ignores a role with an unusable name and reports empty groups', () => {
    const parsed = projectPolicy(
      project('p', [
        { name: 'bad:name', policies: ['p, proj:p:bad:name, applications, get, p/*, allow'] },
        { name: 'ok', groups: ['  '] },
      ]),
    );
    expect(parsed.rules.map((r) => r.subject)).toEqual(['proj:p:ok']);
    expect(parsed.links).toEqual([]);
    expect(parsed.problems.map((p) => [p.source, p.line])).toEqual([
      ['AppProject/p spec.roles[0]', 0],
      ['AppProject/p spec.roles[1].groups', 1],
    ]);
  });
});
