/**
 * One evaluation of Argo CD's casbin model ({@link CASBIN_MODEL_CONF}) for one subject, on a
 * policy compiled once into indexes.
 *
 * casbin-node evaluates that model by scanning every rule and building a fresh context object per
 * rule: about 4-6 µs per rule, so 1-6 ms per evaluation for a few hundred to a thousand lines, and
 * one request can need several evaluations (default role, user, each group). The evaluator
 * computes the same thing from indexes: the subject's role closure (casbin's DefaultRoleManager:
 * at most 10 `g` hops), then only the rules of subjects in it, in policy order, with the same
 * short-circuits (a deny ends the scan; resource, then action, then object). enforcer.test.ts checks
 * it against casbin's own `enforceSync` on the same policy.
 */
import type { PatternMatcher } from './pattern.ts';
import type { ParsedPolicy, PolicyRule } from './policy.ts';

/** Argo CD's assets/model.conf: the semantics {@link compilePolicySet} implements. */
export const CASBIN_MODEL_CONF = `
[request_definition]
r = sub, res, act, obj

[policy_definition]
p = sub, res, act, obj, eft

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow)) && !some(where (p.eft == deny))

[matchers]
m = g(r.sub, p.sub) && globOrRegexMatch(r.res, p.res) && globOrRegexMatch(r.act, p.act) && globOrRegexMatch(r.obj, p.obj)
`;

// casbin's DefaultRoleManager(10): a role more than 10 `g` hops away is not inherited.
const MAX_HIERARCHY_LEVEL = 10;

export interface Evaluation {
  readonly allowed: boolean;
  /** The deny that ended the scan, else the first allow that matched. */
  readonly rule?: PolicyRule;
  /** A pattern that does not compile was reached (regex mode); casbin fails, Argo CD denies. */
  readonly error?: string;
}

/** A policy compiled for evaluation. */
export interface PolicySet {
  /** Subjects on the left of a `g` line: the only groups Argo CD evaluates. */
  readonly linkedSubjects: ReadonlySet<string>;
  /** casbin's `enforce(subject, resource, action, object)` on this policy. */
  evaluate(subject: string, resource: string, action: string, object: string): Evaluation;
}

/** Index `policy` for evaluation with `matcher`'s pattern language. */
export function compilePolicySet(policy: ParsedPolicy, matcher: PatternMatcher): PolicySet {
  // Rule positions per subject, ascending: the scan must follow policy order to stop where casbin
  // stops. Duplicates are harmless (casbin drops them; a second copy matches the same way).
  const rulesBySubject = new Map<string, number[]>();
  policy.rules.forEach((rule, index) => {
    push(rulesBySubject, rule.subject, index);
  });
  const rolesOf = new Map<string, string[]>();
  for (const link of policy.links) push(rolesOf, link.subject, link.role);
  const rules = policy.rules;

  const closure = (subject: string): string[] => {
    const seen = new Set([subject]);
    let frontier = [subject];
    for (let level = 0; level < MAX_HIERARCHY_LEVEL && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const name of frontier) {
        for (const role of rolesOf.get(name) ?? []) {
          if (!seen.has(role)) {
            seen.add(role);
            next.push(role);
          }
        }
      }
      frontier = next;
    }
    return [...seen];
  };

  const candidates = (subject: string): number[] => {
    const lists = closure(subject)
      .map((name) => rulesBySubject.get(name))
      .filter((list) => list !== undefined);
    if (lists.length === 1) return lists[0] ?? [];
    return lists.flat().sort((a, b) => a - b);
  };

  const matches = (rule: PolicyRule, resource: string, action: string, object: string) =>
    matcher.match(resource, rule.resource) &&
    matcher.match(action, rule.action) &&
    matcher.match(object, rule.object);

  return {
    linkedSubjects: new Set(rolesOf.keys()),
    evaluate(subject, resource, action, object) {
      let allow: PolicyRule | undefined;
      try {
        for (const index of candidates(subject)) {
          const rule = rules[index];
          if (rule === undefined || !matches(rule, resource, action, object)) continue;
          if (rule.effect === 'deny') return { allowed: false, rule };
          allow ??= rule;
        }
      } catch (err) {
        return { allowed: false, error: err instanceof Error ? err.message : String(err) };
      }
      return allow === undefined ? { allowed: false } : { allowed: true, rule: allow };
    },
  };
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
