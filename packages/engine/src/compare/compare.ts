import {
  ApplicationConditionType,
  formatResourceKey,
  HealthStatusCode,
  resourceKeyOf,
  SyncStatusCode,
  type HealthStatus,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import {
  diffResource,
  type DiffOptions,
  type DiffResource,
  type IgnoreDifference,
  type ResourceDiff,
} from '../diff/index.ts';
import { aggregateHealth, assessHealth, type HealthOverrides } from '../health/index.ts';
import { isUnmanagedHook, syncWaveAnnotation } from '../sync/hooks.ts';
import { externalUrlsOf } from './external-urls.ts';

export const compareOptionsAnnotation = 'argocd.argoproj.io/compare-options';

/** Everything the comparison of one Application needs; all of it already fetched. */
export interface CompareInput {
  /** Rendered objects, with namespace defaulted and the tracking annotation set. */
  readonly desired: readonly KubeObject[];
  /** Live objects by formatted ResourceKey, for the desired keys. */
  readonly live: ReadonlyMap<string, KubeObject>;
  /** Live objects that track this Application (found by tracking id). */
  readonly managed: readonly KubeObject[];
  /** Server-side dry-run results by formatted ResourceKey (missing: compare two-way). */
  readonly predicted: ReadonlyMap<string, KubeObject>;
  /** The app's rules and the system-wide ones (settings' diffRulesFor). */
  readonly ignoreDifferences: readonly IgnoreDifference[];
  /** argocd-cm `resource.compareoptions` (settings' compareOptionsOf); Argo CD's defaults without. */
  readonly compareOptions?: Pick<
    DiffOptions,
    'ignoreAggregatedRoles' | 'ignoreResourceStatusField'
  >;
  /** This Application's name and the tracking annotation, to spot objects another app owns. */
  readonly appName?: string;
  readonly trackingAnnotation?: string;
  /** Why the project forbids an object, if it does (it is then Unknown and never synced). */
  readonly forbidden?: (obj: KubeObject) => string | undefined;
  /** Health checks the settings ConfigMap configures (healthOverridesOf). */
  readonly healthOverrides?: HealthOverrides;
  /** diffResource, or a memo of it kept from pass to pass (createDiffMemo). */
  readonly diff?: DiffResource;
}

/** The comparison of one resource: what `status.resources[]` and the diff view show. */
export interface ResourceComparison {
  readonly key: ResourceKey;
  readonly version: string;
  readonly status: SyncStatusCode;
  readonly health?: HealthStatus;
  readonly requiresPruning: boolean;
  readonly syncWave: number;
  readonly diff: ResourceDiff;
}

export interface CompareResult {
  readonly syncStatus: SyncStatusCode;
  /** SharedResourceWarning, RepeatedResourceWarning and project violations, as conditions. */
  readonly warnings: readonly { readonly type: string; readonly message: string }[];
  readonly resources: readonly ResourceComparison[];
  readonly health: HealthStatus;
  /** Container images of the desired workloads, for status.summary.images. */
  readonly images: readonly string[];
  /** Ingress hosts, LoadBalancer addresses and link annotations of the live objects. */
  readonly externalURLs: readonly string[];
}

function versionOf(obj: KubeObject): string {
  const slash = obj.apiVersion.indexOf('/');
  return slash === -1 ? obj.apiVersion : obj.apiVersion.slice(slash + 1);
}

function syncWave(obj: KubeObject): number {
  const n = Number.parseInt(obj.metadata.annotations?.[syncWaveAnnotation] ?? '0', 10);
  return Number.isNaN(n) ? 0 : n;
}

const ignoresExtraneous = (obj: KubeObject) =>
  (obj.metadata.annotations?.[compareOptionsAnnotation] ?? '')
    .split(',')
    .some((o) => o.trim() === 'IgnoreExtraneous');

const diffOptionsOf = (input: CompareInput): DiffOptions => ({
  ignoreDifferences: input.ignoreDifferences,
  ...input.compareOptions,
});

function compareDesired(obj: KubeObject, input: CompareInput): ResourceComparison {
  const id = formatResourceKey(resourceKeyOf(obj));
  const live = input.live.get(id);
  if (input.forbidden?.(obj)) {
    const diff = (input.diff ?? diffResource)(obj, live, undefined, diffOptionsOf(input));
    return {
      key: resourceKeyOf(obj),
      version: versionOf(obj),
      status: SyncStatusCode.Unknown,
      requiresPruning: false,
      syncWave: syncWave(obj),
      diff,
    };
  }
  const diff = (input.diff ?? diffResource)(
    obj,
    live,
    input.predicted.get(id),
    diffOptionsOf(input),
  );
  const health = live
    ? assessHealth(live, input.healthOverrides)
    : { status: HealthStatusCode.Missing };
  return {
    key: resourceKeyOf(obj),
    version: versionOf(obj),
    status: diff.modified ? SyncStatusCode.OutOfSync : SyncStatusCode.Synced,
    ...(health ? { health } : {}),
    requiresPruning: false,
    syncWave: syncWave(obj),
    diff,
  };
}

function compareExtraneous(live: KubeObject, input: CompareInput): ResourceComparison {
  const diff = diffResource(undefined, live, undefined, diffOptionsOf(input));
  const health = assessHealth(live, input.healthOverrides);
  const ignored = ignoresExtraneous(live);
  return {
    key: resourceKeyOf(live),
    version: versionOf(live),
    status: ignored ? SyncStatusCode.Synced : SyncStatusCode.OutOfSync,
    ...(health ? { health } : {}),
    requiresPruning: !ignored,
    syncWave: syncWave(live),
    diff,
  };
}

function imagesOf(objects: readonly KubeObject[]): string[] {
  const images = new Set<string>();
  const visit = (v: unknown, key: string): void => {
    if (Array.isArray(v)) v.forEach((x) => visit(x, key));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (
          k === 'image' &&
          typeof x === 'string' &&
          (key === 'containers' || key === 'initContainers')
        )
          images.add(x);
        else visit(x, k);
      }
    }
  };
  objects.forEach((o) => visit(o['spec'], 'spec'));
  return [...images].sort();
}

function warningsOf(input: CompareInput): { type: string; message: string }[] {
  const warnings: { type: string; message: string }[] = [];
  const seen = new Set<string>();
  for (const obj of input.desired) {
    const id = formatResourceKey(resourceKeyOf(obj));
    if (seen.has(id))
      warnings.push({
        type: ApplicationConditionType.RepeatedResourceWarning,
        message: `Resource ${id} appeared more than once`,
      });
    seen.add(id);
    const reason = input.forbidden?.(obj);
    if (reason) warnings.push({ type: ApplicationConditionType.ComparisonError, message: reason });
    const owner =
      input.trackingAnnotation &&
      input.live.get(id)?.metadata.annotations?.[input.trackingAnnotation]?.split(':')[0];
    if (owner && input.appName && owner !== input.appName) {
      warnings.push({
        type: ApplicationConditionType.SharedResourceWarning,
        message: `${id} is part of applications ${input.appName} and ${owner}`,
      });
    }
  }
  return warnings;
}

/**
 * Compares an Application's target with the live state: each desired resource is Synced or
 * OutOfSync (missing counts as OutOfSync), each tracked object no longer in Git is OutOfSync and
 * requires pruning, hooks (desired or live) are not among the resources at all, and health is
 * aggregated in Argo CD's order. Pure: the caller fetched everything beforehand.
 */
export function compareApplication(input: CompareInput): CompareResult {
  const desiredIds = new Set(input.desired.map((o) => formatResourceKey(resourceKeyOf(o))));
  // One rule for what a hook is, the sync's: Argo CD's annotation or Helm's (a `helm.sh/hook` Job
  // is a hook here just as in the sync that runs it). Hooks are run by syncs and app deletion,
  // never managed: as in Argo CD they are left out of the app's resources altogether (a
  // generateName hook has no name to show, and a finished hook that was deleted is not "Missing").
  const resources = [
    ...input.desired.filter((o) => !isUnmanagedHook(o)).map((o) => compareDesired(o, input)),
    ...input.managed
      .filter((o) => !desiredIds.has(formatResourceKey(resourceKeyOf(o))) && !isUnmanagedHook(o))
      .map((o) => compareExtraneous(o, input)),
  ].sort((a, b) => formatResourceKey(a.key).localeCompare(formatResourceKey(b.key)));
  const outOfSync = resources.some((r) => r.status === SyncStatusCode.OutOfSync);
  const health = aggregateHealth(
    resources.filter((r) => !r.requiresPruning).map((r) => ({ key: r.key, health: r.health })),
  );
  return {
    syncStatus: outOfSync ? SyncStatusCode.OutOfSync : SyncStatusCode.Synced,
    warnings: warningsOf(input),
    resources,
    health,
    images: imagesOf(input.desired),
    externalURLs: externalUrlsOf([...input.live.values()]),
  };
}
