/**
 * The built-in health checks of custom resources: Argo CD's built-in Lua scripts for the kinds its
 * users meet most, written in TypeScript with the scripts' semantics (./lua.ts), and checked
 * against Argo CD itself fixture by fixture (test/e2e/crd-health-oracle.test.ts).
 *
 * A kind's own check comes first, then a wildcard over a group suffix, as Argo CD looks up its
 * built-in scripts by `group/Kind` and then its `_` directories (`_.crossplane.io/_`).
 */
import type { HealthStatus, KubeObject } from '@gitward/model';
import { argoRolloutsChecks } from './argo-rollouts.ts';
import { argoChecks } from './argo.ts';
import { certManagerChecks } from './cert-manager.ts';
import { cloudNativePgChecks } from './cloudnative-pg.ts';
import { clusterApiChecks } from './cluster-api.ts';
import { ackHealth, configConnectorHealth } from './cloud-controllers.ts';
import { crossplaneChecks, crossplaneHealth, upboundHealth } from './crossplane.ts';
import { externalSecretsChecks } from './external-secrets.ts';
import { fluxChecks } from './flux.ts';
import { istioChecks } from './istio.ts';
import { kedaChecks } from './keda.ts';
import { knativeChecks } from './knative.ts';
import { kyvernoKarpenterChecks } from './kyverno-karpenter.ts';
import { runCheck, type Check } from './lua.ts';
import { prometheusOperatorChecks } from './prometheus-operator.ts';
import { strimziChecks } from './strimzi.ts';
import { tektonVeleroChecks } from './tekton-velero.ts';

const exact: ReadonlyMap<string, Check> = new Map<string, Check>([
  ...argoRolloutsChecks,
  ...argoChecks,
  ...certManagerChecks,
  ...externalSecretsChecks,
  ...fluxChecks,
  ...crossplaneChecks,
  ...kedaChecks,
  ...strimziChecks,
  ...knativeChecks,
  ...istioChecks,
  ...clusterApiChecks,
  ...prometheusOperatorChecks,
  ...cloudNativePgChecks,
  ...kyvernoKarpenterChecks,
  ...tektonVeleroChecks,
]);

/**
 * `*.<suffix>/*`: any kind of a group that ends with the suffix (after at least one letter). In
 * Argo CD's order (its directories' names, sorted), though no group matches two.
 */
const wildcards: readonly { readonly groupSuffix: string; readonly check: Check }[] = [
  { groupSuffix: '.cnrm.cloud.google.com', check: configConnectorHealth },
  { groupSuffix: '.crossplane.io', check: crossplaneHealth },
  { groupSuffix: '.services.k8s.aws', check: ackHealth },
  { groupSuffix: '.upbound.io', check: upboundHealth },
];

/** The built-in check of a kind (`group/Kind`), its own or by wildcard, or undefined. */
export function crdCheckFor(
  group: string,
  kind: string,
): ((obj: KubeObject) => HealthStatus | undefined) | undefined {
  const check =
    exact.get(`${group}/${kind}`) ??
    wildcards.find((w) => group.length > w.groupSuffix.length && group.endsWith(w.groupSuffix))
      ?.check;
  return check && ((obj) => runCheck(check, obj));
}

/** The `group/Kind` keys with a check of their own, and the wildcards as `*.suffix/*`. */
export const crdCheckKeys: readonly string[] = [
  ...exact.keys(),
  ...wildcards.map((w) => `*${w.groupSuffix}/*`),
];
