// Property tests for the RBAC settings parsers, which read argocd-rbac-cm as anyone with write
// access to it left it: they never throw, never touch a prototype, account for every line, and a
// rule printed back as CSV parses to itself.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRbac } from './enforcer.ts';
import {
  formatRule,
  parsePolicyCsv,
  parsePolicyLine,
  type PolicyRule,
  type RoleLink,
} from './policy.ts';

const prototypeNames = Object.getOwnPropertyNames(Object.prototype).sort();
function expectPrototypeUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNames);
  const inherited: string[] = [];
  for (const k in {}) inherited.push(k);
  expect(inherited).toEqual([]);
}

/** Fragments that make CSV lines interesting: separators, quotes, comments, prototype names. */
const token = fc.constantFrom(
  'p',
  'g',
  ',',
  ', ',
  '"',
  '""',
  ' ',
  '#',
  '*',
  'allow',
  'deny',
  'role:admin',
  'applications',
  'get',
  '*/*',
  '__proto__',
  'constructor',
  'alice',
  '\t',
  '\r',
);
const line = fc.array(token, { maxLength: 12 }).map((t) => t.join(''));
const csv = fc.array(fc.oneof(line, fc.string()), { maxLength: 8 }).map((l) => l.join('\n'));

const isPolicyLine = (raw: string) => raw.trim() !== '' && !raw.trim().startsWith('#');

describe('parsePolicyCsv', () => {
  it('never throws, touches no prototype, and accounts for every line', () => {
    fc.assert(
      fc.property(csv, (text) => {
        const parsed = parsePolicyCsv(text, 'policy.csv');
        expectPrototypeUntouched();
        const errors = parsed.problems.filter((p) => p.severity === 'error');
        const lines = text.split(/\r?\n/).filter(isPolicyLine).length;
        expect(parsed.rules.length + parsed.links.length + errors.length).toBe(lines);
        for (const rule of parsed.rules) {
          expect([rule.subject, rule.resource, rule.action, rule.object]).not.toContain('');
          expect(['allow', 'deny']).toContain(rule.effect);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('parses a rule or link printed by formatRule back to itself', () => {
    const field = fc
      .string({ minLength: 1, maxLength: 12 })
      .map((s) => s.replace(/[\r\n]/g, '').trim())
      .filter((s) => s !== '');
    const rule = fc.record({
      subject: field,
      resource: field,
      action: field,
      object: field,
      effect: fc.constantFrom('allow' as const, 'deny' as const),
    });
    const link = fc.record({ subject: field, role: field });
    const origin = { source: 'policy.csv', line: 1 };
    fc.assert(
      fc.property(
        fc.oneof(
          rule.map((r): PolicyRule => ({ kind: 'p', ...r, ...origin })),
          link.map((l): RoleLink => ({ kind: 'g', ...l, ...origin })),
        ),
        (written) => {
          expect(parsePolicyLine(formatRule(written), origin)).toEqual({
            kind: 'line',
            line: written,
          });
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('createRbac on any argocd-rbac-cm data', () => {
  const key = fc.constantFrom(
    'policy.csv',
    'policy.extra.csv',
    'policy.default',
    'policy.matchMode',
    'scopes',
    '__proto__',
    'constructor',
  );
  // As JSON.parse makes ConfigMap data: `__proto__` is then an own key, not the prototype.
  const data = fc
    .array(fc.tuple(key, fc.oneof(csv, fc.constantFrom('regex', 'glob', 'role:admin', '[x'))), {
      maxLength: 5,
    })
    .map(
      (entries) =>
        JSON.parse(JSON.stringify(Object.fromEntries(entries))) as Record<string, string>,
    );

  it('never throws, touches no prototype, and never lets anonymous in unless enabled', () => {
    fc.assert(
      fc.property(data, (policyCsv) => {
        const rbac = createRbac({ policyCsv, projects: [] });
        expectPrototypeUntouched();
        const anonymous = { kind: 'anonymous' } as const;
        expect(rbac.enforce(anonymous, 'applications', 'get', 'default/app')).toBe(false);
        expect(rbac.defaultRole).toBe(
          Object.hasOwn(policyCsv, 'policy.default')
            ? (policyCsv['policy.default'] ?? '').trim()
            : '',
        );
      }),
      { numRuns: 1000 },
    );
  });
});
