/**
 * @module health
 * Argo CD's health assessment: one rule per kind (as gitops-engine's health_*.go files and the
 * built-in CronJob Lua check), the health customizations gitward honours from the settings
 * ConfigMap (app-of-apps, until Lua lands), and the aggregation of resource health into
 * application health.
 */
export { assessHealth } from './assess.ts';
export {
  applicationHealth,
  healthOverridesOf,
  isApplicationKind,
  noHealthOverrides,
  type HealthOverrides,
} from './customizations.ts';
export { aggregateHealth, healthOrder, isWorse, type HealthItem } from './aggregate.ts';
