/**
 * Argo CD-compatible RBAC for the API server: the policy.csv language, the built-in roles,
 * AppProject roles, and a synchronous `enforce`/`explain` over a casbin enforcer that the caller
 * rebuilds with `createRbac` whenever argocd-rbac-cm or the AppProjects change.
 */
export {
  createRbac,
  readRbacConfig,
  DEFAULT_SCOPES,
  POLICY_DEFAULT_KEY,
  POLICY_MATCH_MODE_KEY,
  SCOPES_KEY,
  type Rbac,
  type RbacCheck,
  type RbacDecision,
  type RbacSettings,
  type RbacSubject,
} from './enforcer.ts';
export {
  BUILTIN_POLICY,
  BUILTIN_POLICY_CSV,
  BUILTIN_POLICY_SOURCE,
  POLICY_CSV_KEY,
  POLICY_EFFECTS,
  PROJECT_SCOPED_RESOURCES,
  RBAC_ACTIONS,
  RBAC_RESOURCES,
  formatOrigin,
  formatRule,
  mergePolicies,
  parsePolicyCsv,
  parsePolicyLine,
  parseRbacConfigMapPolicy,
  policyCsvKeys,
  splitCsvLine,
  type CsvFields,
  type ParsedPolicy,
  type PolicyEffect,
  type PolicyLineResult,
  type PolicyOrigin,
  type PolicyProblem,
  type PolicyRule,
  type RbacAction,
  type RbacRequestAction,
  type RbacResource,
  type RoleLink,
} from './policy.ts';
export { parseProjectRoleSubject, projectPolicy, projectRoleSubject } from './project-policy.ts';
export {
  MATCH_MODES,
  createPatternMatcher,
  type MatchMode,
  type PatternMatcher,
} from './pattern.ts';
