import type { KubeObject, ResourceKey } from '@gitward/model';

/**
 * One item of Argo CD's `spec.ignoreDifferences` (or of argocd-cm's
 * `resource.customizations.ignoreDifferences.*`): which objects, and which of their fields do not
 * count as drift. `group` and `kind` are globs (`*` matches all); `group` absent is the core group.
 */
export interface IgnoreDifference {
  group?: string | undefined;
  kind: string;
  name?: string | undefined;
  namespace?: string | undefined;
  jsonPointers?: readonly string[] | undefined;
  jqPathExpressions?: readonly string[] | undefined;
  managedFieldsManagers?: readonly string[] | undefined;
}

/**
 * Whose `status` is left out of the comparison: every object's (Argo CD's default), only
 * CustomResourceDefinitions', or none.
 */
export type IgnoreResourceStatus = 'all' | 'crd' | 'none';

/** How to compare; everything optional, the defaults are Argo CD's. */
export interface DiffOptions {
  ignoreDifferences?: readonly IgnoreDifference[] | undefined;
  /** argocd-cm `resource.compareoptions.ignoreAggregatedRoles`. */
  ignoreAggregatedRoles?: boolean | undefined;
  /** argocd-cm `resource.compareoptions.ignoreResourceStatusField`; default `all`. */
  ignoreResourceStatusField?: IgnoreResourceStatus | undefined;
  /** argocd-cm `resource.sensitive.mask.annotations`: Secret annotations masked like data. */
  sensitiveAnnotations?: readonly string[] | undefined;
}

/** The comparison of one resource, ready to show: Secret values are masked everywhere. */
export interface ResourceDiff {
  readonly key: ResourceKey;
  /** Live differs from target, or one of them is missing. */
  readonly modified: boolean;
  /** What the comparison used as target (predicted, or desired laid over live), normalized. */
  readonly normalizedTarget?: KubeObject;
  /** The live object, normalized. */
  readonly normalizedLive?: KubeObject;
  /** Unified diff from live to target of the two YAML renderings; "" when equal. */
  readonly diff: string;
}
