import { groupOf, HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { noHealthOverrides, type HealthOverrides } from './customizations.ts';
import { annotation, fieldAt, health } from './fields.ts';
import { hasHookFinalizer } from './hook.ts';
import { apiServiceHealth } from './health-apiservice.ts';
import { argoWorkflowHealth } from './health-argo-workflow.ts';
import { cronJobHealth } from './health-cronjob.ts';
import { daemonSetHealth } from './health-daemonset.ts';
import { deploymentHealth } from './health-deployment.ts';
import { hpaHealth } from './health-hpa.ts';
import { ingressHealth } from './health-ingress.ts';
import { jobHealth } from './health-job.ts';
import { podHealth } from './health-pod.ts';
import { pvcHealth } from './health-pvc.ts';
import { replicaSetHealth } from './health-replicaset.ts';
import { serviceHealth } from './health-service.ts';
import { statefulSetHealth } from './health-statefulset.ts';
import { crdCheckFor } from './crd/index.ts';

/** With value "true", the object's health is neither assessed nor aggregated. */
export const ignoreHealthcheckAnnotation = 'argocd.argoproj.io/ignore-healthcheck';

interface HealthRule {
  readonly assess: (obj: KubeObject) => HealthStatus;
  /**
   * The API versions gitops-engine converts to a typed object; any other version of the kind is
   * an assessment error (Unknown). Absent: the rule reads any version.
   */
  readonly versions?: readonly string[];
  /** The kind's name in that error, as gitops-engine spells it. */
  readonly label?: string;
}

// Keyed by `group/Kind` (core group empty), one entry per gitops-engine health_*.go file plus the
// built-in Lua check for batch/CronJob.
const rules: ReadonlyMap<string, HealthRule> = new Map<string, HealthRule>([
  ['apps/Deployment', { assess: deploymentHealth, versions: ['v1'] }],
  ['apps/StatefulSet', { assess: statefulSetHealth, versions: ['v1'] }],
  ['apps/DaemonSet', { assess: daemonSetHealth, versions: ['v1'] }],
  ['apps/ReplicaSet', { assess: replicaSetHealth, versions: ['v1'] }],
  ['/Pod', { assess: podHealth, versions: ['v1'] }],
  ['/Service', { assess: serviceHealth, versions: ['v1'] }],
  ['/PersistentVolumeClaim', { assess: pvcHealth, versions: ['v1'] }],
  ['networking.k8s.io/Ingress', { assess: ingressHealth }],
  ['extensions/Ingress', { assess: ingressHealth }],
  ['batch/Job', { assess: jobHealth, versions: ['v1'] }],
  ['batch/CronJob', { assess: cronJobHealth }],
  [
    'autoscaling/HorizontalPodAutoscaler',
    // autoscaling/v2beta1 and v2beta2 are gone since Kubernetes 1.26; Argo CD says Unknown.
    { assess: hpaHealth, versions: ['v1', 'v2'], label: 'HPA' },
  ],
  ['apiregistration.k8s.io/APIService', { assess: apiServiceHealth, versions: ['v1', 'v1beta1'] }],
  ['argoproj.io/Workflow', { assess: argoWorkflowHealth }],
]);

function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.indexOf('/') + 1);
}

function applyRule(obj: KubeObject, group: string, rule: HealthRule): HealthStatus {
  const version = versionOf(obj.apiVersion);
  if (rule.versions && !rule.versions.includes(version)) {
    return health(
      HealthStatusCode.Unknown,
      `unsupported ${rule.label ?? obj.kind} GVK: ${group}/${version}, Kind=${obj.kind}`,
    );
  }
  return rule.assess(obj);
}

/** Whether a built-in rule or check judges the kind (for saying why an object has no health). */
export const hasBuiltInHealth = (group: string, kind: string): boolean =>
  rules.has(`${group}/${kind}`) || crdCheckFor(group, kind) !== undefined;

/**
 * The health of one live object as Argo CD assesses it, or undefined when no rule applies to its
 * kind or the object opts out with `argocd.argoproj.io/ignore-healthcheck: "true"`. A check the
 * settings configure for the kind (`overrides`, see customizations.ts) comes before the built-in
 * rule, as Argo CD's argocd-cm Lua does. Then the built-in rules: the kinds of Kubernetes itself,
 * then the custom resources' checks (./crd: by `group/Kind`, then by group wildcard), then the
 * settings' fallback for any other kind (the opt-in generic conditions check).
 */
export function assessHealth(
  obj: KubeObject,
  overrides: HealthOverrides = noHealthOverrides,
): HealthStatus | undefined {
  if (annotation(obj, ignoreHealthcheckAnnotation) === 'true') return undefined;
  // A running hook's deletion is driven by the sync itself, so its own rule still decides.
  if (fieldAt(obj, 'metadata', 'deletionTimestamp') && !hasHookFinalizer(obj)) {
    // As Argo CD (v3): the finalizers that hold the object are named.
    const finalizers = (obj.metadata as { finalizers?: unknown }).finalizers;
    const held = Array.isArray(finalizers) ? finalizers.filter((f) => typeof f === 'string') : [];
    return health(
      HealthStatusCode.Progressing,
      held.length
        ? `Pending deletion; blocked by finalizers: ${held.join(', ')}`
        : 'Pending deletion',
    );
  }
  const group = groupOf(obj.apiVersion);
  const custom = overrides.get(`${group}/${obj.kind}`);
  if (custom) return custom(obj);
  const rule = rules.get(`${group}/${obj.kind}`);
  if (rule) return applyRule(obj, group, rule);
  const builtIn = crdCheckFor(group, obj.kind);
  if (builtIn) return builtIn(obj);
  return overrides.fallback?.(obj);
}
