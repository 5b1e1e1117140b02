import { describe, expect, it } from 'vitest';
import {
  BUILTIN_POLICY,
  RBAC_RESOURCES,
  formatOrigin,
  formatRule,
  parsePolicyCsv,
  parseRbacConfigMapPolicy,
  policyCsvKeys,
  splitCsvLine,
} from './policy.ts';

describe('splitCsvLine', () => {
  it.each([
    [
      'p, alice, applications, get, */*, allow',
      ['p', 'alice', 'applications', 'get', '*/*', 'allow'],
    ],
    ['g,alice,role:admin', ['g', 'alice', 'role:admin']],
    ['g,\talice ,  role:admin  ', ['g', 'alice', 'role:admin']],
    ['g, "my-org:team, with comma", role:x', ['g', 'my-org:team, with comma', 'role:x']],
    ['g, "say ""hi""", role:x', ['g', 'say "hi"', 'role:x']],
    ['g, "quoted" , role:x', ['g', 'quoted', 'role:x']],
    ['g, a,', ['g', 'a', '']],
    ['g, "", role:x', ['g', '', 'role:x']],
  ])('%s', (line, fields) => {
    expect(splitCsvLine(line)).toEqual({ ok: true, fields });
  });

  it.each([
    ['g, al"ice, role:x', 'bare " in an unquoted field'],
    ['g, "alice, role:x', 'quoted field is not closed'],
    ['g, "alice"x, role:x', 'unexpected text after a closing quote'],
  ])('rejects %s', (line, reason) => {
    expect(splitCsvLine(line)).toEqual({ ok: false, reason });
  });
});

describe('parsePolicyCsv', () => {
  const csv = [
    '# a comment',
    '',
    '   p, role:dev, applications, sync, dev/*, allow   ',
    '\t# an indented comment',
    'p, role:dev, applications, delete, dev/*, deny',
    'g, "my-org:devs", role:dev',
  ].join('\r\n');

  it('reads p and g lines with their line numbers, skipping comments and blank lines', () => {
    const parsed = parsePolicyCsv(csv, 'policy.csv');
    expect(parsed.problems).toEqual([]);
    expect(parsed.rules).toEqual([
      {
        kind: 'p',
        subject: 'role:dev',
        resource: 'applications',
        action: 'sync',
        object: 'dev/*',
        effect: 'allow',
        source: 'policy.csv',
        line: 3,
      },
      {
        kind: 'p',
        subject: 'role:dev',
        resource: 'applications',
        action: 'delete',
        object: 'dev/*',
        effect: 'deny',
        source: 'policy.csv',
        line: 5,
      },
    ]);
    expect(parsed.links).toEqual([
      { kind: 'g', subject: 'my-org:devs', role: 'role:dev', source: 'policy.csv', line: 6 },
    ]);
  });

  it.each([
    ['p, alice, applications, get, */*', /6 fields.*has 5/],
    ['p, alice, applications, get, */*, allow, extra', /6 fields.*has 7/],
    ['g, alice', /3 fields.*has 2/],
    ['g, alice, role:a, role:b', /3 fields.*has 4/],
    ['x, alice, role:a', /unknown line type "x"/],
    ['P, alice, applications, get, */*, allow', /unknown line type "P"/],
    ['p, alice, applications, get, */*, Allow', /effect must be "allow" or "deny", not "Allow"/],
    ['p, alice, applications, get, */*, permit', /effect must be "allow" or "deny"/],
    ['p, , applications, get, */*, allow', /the subject field is empty/],
    ['p, alice, applications, get, "", allow', /the object field is empty/],
    ['g, alice, ', /the role field is empty/],
    ['p, alice, applications, get, "*/*, allow', /not valid CSV: quoted field is not closed/],
  ])('reports %s as an error on its line and keeps the good lines', (bad, message) => {
    const text = `p, ok, applications, get, */*, allow\n\n${bad}\ng, ok, role:x\n`;
    const parsed = parsePolicyCsv(text, 'policy.team.csv');
    expect(parsed.rules.map((rule) => rule.subject)).toEqual(['ok']);
    expect(parsed.links.map((link) => link.subject)).toEqual(['ok']);
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0]).toMatchObject({
      source: 'policy.team.csv',
      line: 3,
      severity: 'error',
      text: bad.trim(),
    });
    expect(parsed.problems[0]?.message).toMatch(message);
  });

  it.each([
    ['p, alice, application, get, */*, allow', true],
    ['p, alice, Applications, get, */*, allow', true],
    ['p, alice, applications, get, */*, allow', false],
    ['p, alice, *, get, */*, allow', false],
    ['p, alice, app*, get, */*, allow', false],
    ['p, alice, (applications|logs), get, .*, allow', false],
  ])('%s: unknown-resource warning %s, line kept', (line, warned) => {
    const parsed = parsePolicyCsv(line, 'policy.csv');
    expect(parsed.rules).toHaveLength(1);
    expect(parsed.problems.map((p) => p.severity)).toEqual(warned ? ['warning'] : []);
  });
});

describe('argocd-rbac-cm keys', () => {
  it('orders policy.csv first, then policy.<name>.csv keys by byte order, ignoring other keys', () => {
    const data = {
      'policy.z.csv': '',
      'policy.default': 'role:readonly',
      'policy.B.csv': '',
      'policy.a.csv': '',
      'policy.matchMode': 'glob',
      'policy.csv': '',
      scopes: '[groups]',
      'other.csv': '',
    };
    expect(policyCsvKeys(data)).toEqual([
      'policy.csv',
      'policy.B.csv',
      'policy.a.csv',
      'policy.z.csv',
    ]);
    expect(policyCsvKeys({ 'policy.x.csv': '' })).toEqual(['policy.x.csv']);
  });

  it('concatenates the keys in that order, numbering lines within each key', () => {
    const parsed = parseRbacConfigMapPolicy({
      'policy.team-b.csv': 'g, bob, role:b\nbroken',
      'policy.csv': '\ng, alice, role:a',
      'policy.team-a.csv': '# team a\ng, carol, role:a',
    });
    expect(parsed.links.map((l) => `${l.subject}@${formatOrigin(l)}`)).toEqual([
      'alice@policy.csv:2',
      'carol@policy.team-a.csv:2',
      'bob@policy.team-b.csv:1',
    ]);
    expect(parsed.problems.map((p) => formatOrigin(p))).toEqual(['policy.team-b.csv:2']);
  });
});

describe('built-in policy', () => {
  const rulesOf = (subject: string) => BUILTIN_POLICY.rules.filter((r) => r.subject === subject);

  it('parses cleanly and uses only known resources', () => {
    expect(BUILTIN_POLICY.problems).toEqual([]);
    for (const rule of BUILTIN_POLICY.rules) {
      expect(RBAC_RESOURCES).toContain(rule.resource);
      expect(rule.effect).toBe('allow');
    }
  });

  it('gives role:readonly get on every read resource', () => {
    expect(rulesOf('role:readonly').map((r) => `${r.resource} ${r.action} ${r.object}`)).toEqual([
      'applications get */*',
      'applicationsets get */*',
      'certificates get *',
      'clusters get *',
      'repositories get *',
      'write-repositories get *',
      'projects get *',
      'accounts get *',
      'gpgkeys get *',
      'logs get */*',
    ]);
  });

  it('gives role:admin the write actions, inherits role:readonly, and makes admin an admin', () => {
    const admin = rulesOf('role:admin').map((r) => `${r.resource} ${r.action}`);
    expect(admin).toEqual(
      expect.arrayContaining([
        'applications create',
        'applications update/*',
        'applications delete/*',
        'applications sync',
        'applications override',
        'applications action/*',
        'exec create',
        'clusters delete',
        'accounts update',
      ]),
    );
    expect(BUILTIN_POLICY.links.map((l) => formatRule(l))).toEqual([
      'g, role:admin, role:readonly',
      'g, admin, role:admin',
    ]);
  });
});

describe('formatRule', () => {
  it.each([
    'p, role:x, applications, get, */*, allow',
    'g, "org:team, a", role:x',
    'g, "say ""hi""", role:x',
  ])('round-trips %s', (line) => {
    const parsed = parsePolicyCsv(line, 'policy.csv');
    const [only] = [...parsed.rules, ...parsed.links];
    expect(only).toBeDefined();
    if (only !== undefined) expect(formatRule(only)).toBe(line);
  });
});
