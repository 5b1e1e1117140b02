import {
  HealthStatusCode,
  type HealthStatus,
  type HealthStatusCode as Code,
  type ResourceKey,
} from '@gitward/model';
import { isApplicationKind } from './customizations.ts';

/** Health codes from best to worst, the order in which Argo CD picks an app's worst health. */
export const healthOrder = [
  HealthStatusCode.Healthy,
  HealthStatusCode.Suspended,
  HealthStatusCode.Progressing,
  HealthStatusCode.Missing,
  HealthStatusCode.Degraded,
  HealthStatusCode.Unknown,
] as const satisfies readonly Code[];

/** Whether `candidate` is worse than `current` in {@link healthOrder}. */
export function isWorse(current: Code, candidate: Code): boolean {
  return healthOrder.indexOf(candidate) > healthOrder.indexOf(current);
}

/** One managed resource as the aggregation sees it. */
export interface HealthItem {
  readonly key: ResourceKey;
  /** The assessed health; Missing means the resource does not exist; undefined means no rule. */
  readonly health: HealthStatus | undefined;
}

/** At most this many resources are named in the aggregate message. */
const maxCauses = 3;

/** `group/Kind:namespace/name`, the form of Argo CD's tracking ids (core group empty). */
function formatCause(key: ResourceKey): string {
  return `${key.group}/${key.kind}:${key.namespace}/${key.name}`;
}

function listCauses(keys: readonly ResourceKey[]): string {
  const named = keys.slice(0, maxCauses).map(formatCause).join(', ');
  return keys.length > maxCauses ? `${named} and ${keys.length - maxCauses} more` : named;
}

const isChildApp = (key: ResourceKey) => isApplicationKind(key.group, key.kind);

// A child Application that is Missing or Unknown says nothing about this app's resources.
function counts(item: HealthItem, status: Code): boolean {
  return !(
    isChildApp(item.key) &&
    (status === HealthStatusCode.Missing || status === HealthStatusCode.Unknown)
  );
}

// An absent resource is reported as Missing; a child Application can be Missing and exist.
const isAbsent = (item: HealthItem) =>
  item.health?.status === HealthStatusCode.Missing && !isChildApp(item.key);

function worstOf(items: readonly HealthItem[]): Code {
  let worst: Code = HealthStatusCode.Healthy;
  for (const item of items) {
    const status = item.health?.status;
    // Since Argo CD 3.4 an absent resource does not lower app health: OutOfSync already says it.
    if (status === undefined || isAbsent(item) || !counts(item, status)) continue;
    if (isWorse(worst, status)) worst = status;
  }
  return worst;
}

/**
 * The health of an Application from its resources' health, as Argo CD aggregates it: the worst
 * status, skipping resources without health (hooks never reach here: compare leaves them out of
 * the app's resources); absent resources only make the app
 * Missing when none of its expected resources exist. The message names up to three causes.
 */
export function aggregateHealth(resources: readonly HealthItem[]): HealthStatus {
  const absent = resources.filter(isAbsent);
  if (resources.length > 0 && absent.length === resources.length) {
    return {
      status: HealthStatusCode.Missing,
      message: `none of the expected resources exist: ${listCauses(absent.map((i) => i.key))}`,
    };
  }
  const worst = worstOf(resources);
  if (worst === HealthStatusCode.Healthy) return { status: worst };
  const causes = resources
    .filter((i) => i.health?.status === worst && !isAbsent(i) && counts(i, worst))
    .map((i) => i.key);
  return {
    status: worst,
    message: `${listCauses(causes)} ${causes.length === 1 ? 'is' : 'are'} ${worst}`,
  };
}
