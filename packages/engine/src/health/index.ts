/**
 * @module health
 * Argo CD's health assessment: one rule per kind (as gitops-engine's health_*.go files and the
 * built-in CronJob Lua check), the Lua health customizations of the settings ConfigMap (run by
 * the caller's script runner), and the aggregation of resource health into
 * application health.
 */
export { assessHealth, hasBuiltInHealth } from './assess.ts';
export { genericConditionsHealth } from './generic-conditions.ts';
export { crdCheckKeys } from './crd/index.ts';
export {
  genericConditionsKey,
  genericConditionsOn,
  healthChecksOf,
  withGenericConditions,
  healthFromScript,
  healthOverridesFrom,
  healthOverridesOf,
  isApplicationKind,
  noHealthOverrides,
  overrideFor,
  overrideKeyOf,
  resourceOverridesOf,
  type HealthOverrides,
  type ResourceOverride,
  type ResourceOverrides,
  type ScriptRunner,
} from './customizations.ts';
export { aggregateHealth, healthOrder, isWorse, type HealthItem } from './aggregate.ts';
