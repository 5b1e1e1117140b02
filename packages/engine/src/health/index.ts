/**
 * @module health
 * Argo CD's health assessment: one rule per kind (as gitops-engine's health_*.go files and the
 * built-in CronJob Lua check) and the aggregation of resource health into application health.
 */
export { assessHealth } from './assess.ts';
export { aggregateHealth, healthOrder, isWorse, type HealthItem } from './aggregate.ts';
