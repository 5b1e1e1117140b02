/**
 * Crossplane: the check for every kind of a `*.crossplane.io` group (Argo CD's `_.crossplane.io/_`
 * wildcard) and its narrower variant for the Upbound providers' `*.upbound.io` groups
 * (`_.upbound.io/_`), and the kinds with a check of their own, which comes first:
 * pkg.crossplane.io Provider, stacks.crossplane.io ClusterStackInstall and the provider-aws
 * managed resources.
 */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field } from './conditions.ts';
import {
  concat,
  get,
  ipairs,
  isEmptyTable,
  truthy,
  verdict,
  type Check,
  type Verdict,
} from './lua.ts';

interface Variant {
  /** Kinds that never get conditions: Healthy without any rather than Progressing for ever. */
  readonly withoutConditions: ReadonlySet<unknown>;
  /** Condition types whose True means Healthy. */
  readonly succeeding: ReadonlySet<unknown>;
  /** Whether an inactive ManagedResourceDefinition (never Established) is Healthy. */
  readonly inactiveDefinitions: boolean;
}

const crossplaneWithout: ReadonlySet<unknown> = new Set([
  'Composition',
  'CompositionRevision',
  'DeploymentRuntimeConfig',
  'EnvironmentConfig',
  'ImageConfig',
  'ProviderConfig',
  'ProviderConfigUsage',
  'ControllerConfig',
  'StoreConfig',
  'ClusterProviderConfig',
  'ClusterProviderConfigUsage',
]);
const failing: ReadonlySet<unknown> = new Set(['LastAsyncOperation', 'Synced']);
const crossplane: Variant = {
  withoutConditions: crossplaneWithout,
  succeeding: new Set([
    'Ready',
    'Healthy',
    'Offered',
    'Established',
    'ValidPipeline',
    'RevisionHealthy',
  ]),
  inactiveDefinitions: true,
};
const upbound: Variant = {
  withoutConditions: new Set([
    'ProviderConfig',
    'ProviderConfigUsage',
    'StoreConfig',
    'ClusterProviderConfig',
    'ClusterProviderConfigUsage',
  ]),
  succeeding: new Set(['Ready']),
  inactiveDefinitions: false,
};
const upToDate = 'Resource is up-to-date.';

/** No conditions: Healthy for the kinds that never get any, else still provisioning. */
function withoutAny(obj: KubeObject, status: unknown, variant: Variant): Verdict {
  if (!variant.withoutConditions.has(get(obj, 'kind')))
    return verdict('Progressing', 'Provisioning ...');
  // status.users changes the message only.
  const inUse = status !== undefined && get(status, 'users') !== undefined;
  return verdict('Healthy', inUse ? 'Resource is in use.' : upToDate);
}

function managedHealth(obj: KubeObject, variant: Variant): Verdict {
  const status = get(obj, 'status');
  const conditions = status === undefined ? undefined : get(status, 'conditions');
  if (conditions === undefined || isEmptyTable(conditions)) return withoutAny(obj, status, variant);
  let out = verdict('Progressing', 'Provisioning ...');
  for (const c of ipairs(conditions)) {
    const type = field(c, 'type');
    const state = field(c, 'status');
    if (failing.has(type) && state === 'False') return verdict('Degraded', field(c, 'message'));
    if (variant.succeeding.has(type) && state === 'True') out = verdict('Healthy', upToDate);
    if (!variant.inactiveDefinitions) continue;
    // An inactive ManagedResourceDefinition never gets its CRD, so stays Established=False.
    const spec = get(obj, 'spec');
    const inactive = spec === undefined || get(spec, 'state') !== 'Active';
    if (type === 'Established' && field(c, 'reason') === 'InactiveManagedResource' && inactive)
      out = verdict('Healthy', upToDate);
  }
  return out;
}

/** Any kind of a `*.crossplane.io` group without a check of its own. */
export const crossplaneHealth: Check = (obj) => managedHealth(obj, crossplane);

/** Any kind of a `*.upbound.io` group. */
export const upboundHealth: Check = (obj) => managedHealth(obj, upbound);

/** pkg.crossplane.io/Provider: Installed and Healthy, with both reasons as the message. */
export function providerHealth(obj: KubeObject): Verdict {
  const conditions = conditionsIfAny(obj);
  if (conditions !== undefined) {
    let installed = false;
    let healthy = false;
    let installedReason: unknown;
    let healthyReason: unknown;
    for (const c of conditions) {
      const type = field(c, 'type');
      if (type === 'Installed') {
        installed = field(c, 'status') === 'True';
        installedReason = field(c, 'reason');
      } else if (type === 'Healthy') {
        healthy = field(c, 'status') === 'True';
        healthyReason = field(c, 'reason');
      }
    }
    if (installedReason !== undefined || healthyReason !== undefined) {
      const message =
        installedReason !== undefined && healthyReason !== undefined
          ? concat(installedReason, ' ', healthyReason)
          : truthy(installedReason)
            ? installedReason
            : healthyReason;
      return verdict(installed && healthy ? 'Healthy' : 'Degraded', message);
    }
  }
  return verdict('Progressing', 'Waiting for provider to be installed');
}

/** stacks.crossplane.io/ClusterStackInstall: the Ready condition under status.conditionedStatus. */
export function clusterStackInstallHealth(obj: KubeObject): Verdict {
  let out = verdict('Progressing', 'Waiting for stack to be installed');
  const status = get(obj, 'status');
  const conditioned = status === undefined ? undefined : get(status, 'conditionedStatus');
  const conditions = conditioned === undefined ? undefined : get(conditioned, 'conditions');
  for (const c of conditions === undefined ? [] : ipairs(conditions)) {
    if (field(c, 'type') !== 'Ready') continue;
    out = verdict(out.status, field(c, 'reason'));
    if (field(c, 'status') === 'True') return verdict('Healthy', out.message);
  }
  return out;
}

/**
 * A provider-aws managed resource: Ready and Synced; a paused reconcile is Suspended; the noun
 * names the resource in the waiting messages.
 */
function awsManagedHealth(obj: KubeObject, noun: string): Verdict {
  const conditions = conditionsIfAny(obj);
  if (conditions === undefined) return verdict('Progressing', `Waiting for ${noun} to be created`);
  let ready = false;
  let synced = false;
  let suspended = false;
  let readyReason: unknown;
  let syncedMessage: unknown;
  let suspendedReason: unknown;
  for (const c of conditions) {
    const type = field(c, 'type');
    if (type === 'Ready') {
      ready = field(c, 'status') === 'True';
      readyReason = field(c, 'reason');
    } else if (type === 'Synced') {
      synced = field(c, 'status') === 'True';
      const reason = field(c, 'reason');
      if (reason === 'ReconcileError') syncedMessage = field(c, 'message');
      else if (reason === 'ReconcilePaused') {
        suspended = true;
        suspendedReason = reason;
      }
    }
  }
  if (ready && synced) return verdict('Healthy', readyReason);
  if (!synced && suspended) return verdict('Suspended', suspendedReason);
  if (!ready && synced && !suspended)
    return verdict('Progressing', `Waiting for ${noun} to be available`);
  return verdict('Degraded', syncedMessage);
}

const aws =
  (noun: string): Check =>
  (o) =>
    awsManagedHealth(o, noun);

export const crossplaneChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['pkg.crossplane.io/Provider', providerHealth],
  ['stacks.crossplane.io/ClusterStackInstall', clusterStackInstallHealth],
  ['cloudfront.aws.crossplane.io/Distribution', aws('distribution')],
  ['iam.aws.crossplane.io/Policy', aws('Policy')],
  ['iam.aws.crossplane.io/Role', aws('Role')],
  ['iam.aws.crossplane.io/RolePolicyAttachment', aws('RolePolicyAttachment')],
  ['rds.aws.crossplane.io/DBCluster', aws('DBCluster')],
  ['rds.aws.crossplane.io/DBInstance', aws('DBInstance')],
  // Argo CD's message spells it so.
  ['route53.aws.crossplane.io/ResourceRecordSet', aws('resourcrecordset')],
  ['s3.aws.crossplane.io/Bucket', aws('Bucket')],
]);
