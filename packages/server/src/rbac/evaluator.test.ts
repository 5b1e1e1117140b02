// The evaluator must answer exactly as casbin does with Argo CD's model: every case below runs
// through both and compares.
import { Enforcer, newModelFromString } from 'casbin';
import { describe, expect, it } from 'vitest';
import { CASBIN_MODEL_CONF, compilePolicySet } from './evaluator.ts';
import { createPatternMatcher, type MatchMode } from './pattern.ts';
import { BUILTIN_POLICY, mergePolicies, parsePolicyCsv, type ParsedPolicy } from './policy.ts';

async function casbinOracle(policy: ParsedPolicy, mode: MatchMode) {
  const model = newModelFromString(CASBIN_MODEL_CONF);
  const p = policy.rules.map((r) => [r.subject, r.resource, r.action, r.object, r.effect]);
  const g = policy.links.map((l) => [l.subject, l.role]);
  if (p.length > 0) model.addPolicies('p', 'p', p);
  if (g.length > 0) model.addPolicies('g', 'g', g);
  const enforcer = new Enforcer();
  await enforcer.initWithModelAndAdapter(model);
  const matcher = createPatternMatcher(mode);
  await enforcer.addFunction('globOrRegexMatch', (value: string, pattern: string) =>
    matcher.match(value, pattern),
  );
  await enforcer.buildRoleLinks();
  return (sub: string, res: string, act: string, obj: string): boolean => {
    try {
      return enforcer.enforceSync(sub, res, act, obj);
    } catch {
      return false; // Argo CD: a casbin error is a deny
    }
  };
}

const chain = Array.from({ length: 12 }, (_, i) => `g, ${i === 0 ? 'deep' : `r${i}`}, r${i + 1}`);

const GLOB_POLICY = `
p, role:dev, applications, *, dev/*, allow
p, role:dev, applications, delete, dev/prod-*, deny
p, role:dev, applications, action/*, dev/*, allow
p, role:dev, applications, update/apps/*, dev/*, deny
g, devs, role:dev
g, role:lead, role:dev
p, role:lead, applications, delete, dev/prod-*, allow
g, lead, role:lead
p, carol, applications, get, */guestbook, allow
p, carol, *, get, {dev,qa}/*, allow
p, carol, logs, get, qa/?, deny
g, loop-a, loop-b
g, loop-b, loop-a
p, loop-b, clusters, get, *, allow
${chain.join('\n')}
p, r10, clusters, get, *, allow
p, r11, clusters, update, *, allow
p, r12, clusters, delete, *, allow
p, broken, applications, get, [dev, allow
g, admin, broken
`;

const REGEX_POLICY = `
p, role:re, applications, get, ^team-(a|b)/.*$, allow
p, role:re, applications, .*, team-a/secret, deny
g, rex, role:re
# A deny ends the scan before the invalid regex is reached; an allow does not.
p, first-deny, applications, get, x, deny
p, first-deny, applications, get, team-(, allow
p, late-bad, applications, get, x, allow
p, late-bad, applications, get, team-(, allow
p, loose, applications, sync, guestbook, allow
`;

const SUBJECTS = [
  'admin',
  'role:readonly',
  'role:admin',
  'devs',
  'lead',
  'carol',
  'loop-a',
  'deep',
  'rex',
  'first-deny',
  'late-bad',
  'loose',
  'nobody',
];
const RESOURCES = ['applications', 'logs', 'clusters', 'exec', 'projects'];
const ACTIONS = [
  'get',
  'sync',
  'delete',
  'update',
  'create',
  'action/apps/Deployment/restart',
  'update/apps/Deployment/ns/web',
];
const OBJECTS = [
  'dev/web',
  'dev/prod-db',
  'dev/ns/web',
  'qa/x',
  'qa/guestbook',
  'prod/guestbook',
  'team-a/web',
  'team-a/secret',
  'team-c/web',
  'https://kubernetes.default.svc',
  'x',
];

describe.each<[MatchMode, string, string[]]>([
  ['glob', GLOB_POLICY, ['admin', 'devs', 'lead', 'carol', 'loop-a', 'deep']],
  ['regex', REGEX_POLICY, ['rex', 'loose']],
])('%s mode agrees with casbin enforceSync', async (mode, csv, granted) => {
  const user = parsePolicyCsv(csv, 'policy.csv');
  // The regex case leaves the built-in policy out: its glob patterns are not regexes.
  const policy = mode === 'glob' ? mergePolicies([BUILTIN_POLICY, user]) : user;
  const oracle = await casbinOracle(policy, mode);
  const set = compilePolicySet(policy, createPatternMatcher(mode));

  it.each(SUBJECTS)('for %s on every resource, action and object', (subject) => {
    const disagreements: string[] = [];
    let allowed = 0;
    for (const res of RESOURCES) {
      for (const act of ACTIONS) {
        for (const obj of OBJECTS) {
          const ours = set.evaluate(subject, res, act, obj).allowed;
          if (ours) allowed++;
          if (ours !== oracle(subject, res, act, obj)) disagreements.push(`${res} ${act} ${obj}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    // Guard against a vacuous pass (everything denied on both sides).
    if (granted.includes(subject)) expect(allowed).toBeGreaterThan(0);
  });
});

describe('evaluate details', () => {
  const policy = mergePolicies([BUILTIN_POLICY, parsePolicyCsv(GLOB_POLICY, 'policy.csv')]);
  const set = compilePolicySet(policy, createPatternMatcher('glob'));

  it.each([
    // casbin's DefaultRoleManager stops 10 hops from the subject.
    ['deep', 'clusters', 'get', true],
    ['deep', 'clusters', 'update', false],
    ['deep', 'clusters', 'delete', false],
  ])('role chains: %s %s %s -> %s', (subject, res, act, allowed) => {
    expect(set.evaluate(subject, res, act, 'https://c').allowed).toBe(allowed);
  });

  it('returns the deny that decided, and the first allow that matched', () => {
    expect(set.evaluate('devs', 'applications', 'delete', 'dev/prod-db').rule).toMatchObject({
      effect: 'deny',
      line: 3,
    });
    // lead inherits role:dev's deny: a deny anywhere in the closure wins.
    expect(set.evaluate('lead', 'applications', 'delete', 'dev/prod-db')).toMatchObject({
      allowed: false,
      rule: { subject: 'role:dev', effect: 'deny' },
    });
    expect(set.evaluate('devs', 'applications', 'sync', 'dev/web').rule).toMatchObject({
      effect: 'allow',
      line: 2,
    });
  });

  it('lists the subjects that have g lines', () => {
    expect(set.linkedSubjects.has('devs')).toBe(true);
    expect(set.linkedSubjects.has('carol')).toBe(false);
  });
});
