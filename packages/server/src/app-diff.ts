/**
 * What `manifests` and `managed-resources` answer, computed from objects already fetched: the
 * rendered objects as masked JSON, and per resource its target, live, normalized and predicted
 * states with the unified diff, as Argo CD's ResourceDiff. Secret values never leave this module
 * unmasked. Pure: no I/O.
 *
 * The comparison is the controller's: three-way against the apiserver's server-side-apply dry
 * run of each desired object (@gitward/control's predictor, run by the route against the app's
 * destination and passed in as `predicted`), so apiserver defaults never show as drift and a
 * field removed from Git does. An object without a prediction (the dry run was refused: no
 * `patch` rights, a missing namespace) is compared 2-way, desired laid over live, as the
 * controller falls back too.
 */
import {
  compareApplication,
  diffRulesFor,
  diffResource,
  isExcludedResource,
  maskSecrets,
  objectPermitted,
  type ObjectCluster,
  type ReconcileSettings,
} from '@gitward/engine';
import {
  formatResourceKey,
  groupOf,
  resourceKeyOf,
  type Application,
  type AppProject,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';

/** One resource of `GET /api/v1/applications/:name/managed-resources`. */
export interface ManagedResource {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly status: string;
  readonly health?: { readonly status: string; readonly message?: string };
  readonly requiresPruning?: true;
  readonly hook?: true;
  /** Live differs from target (or one of them is missing). */
  readonly modified: boolean;
  readonly resourceVersion?: string;
  /** JSON of the live object ("null" when missing). */
  readonly liveState: string;
  /** JSON of the rendered object, tracking set ("null" when Git no longer has it). */
  readonly targetState: string;
  /** JSON of live, normalized as the comparison saw it. */
  readonly normalizedLiveState: string;
  /** JSON of what live would be after a sync: target laid over live, normalized. */
  readonly predictedLiveState: string;
  /** Unified diff from normalized live to predicted live; "" when in sync. */
  readonly diff: string;
}

export interface ManagedResourcesInput {
  readonly app: Application;
  /** The app's project; without it nothing is marked as forbidden. */
  readonly project: AppProject | undefined;
  /** The destination cluster, whose project destinations and scope the objects must fit. */
  readonly cluster: ObjectCluster;
  /** The rendered objects (TargetSource's, tracking set). */
  readonly desired: readonly KubeObject[];
  /** Live objects by formatted ResourceKey: the desired ones and the recorded managed ones. */
  readonly live: ReadonlyMap<string, KubeObject>;
  /**
   * The apiserver's dry-run prediction of desired objects by formatted ResourceKey (the
   * controller's predictor); a desired object missing here is compared 2-way.
   */
  readonly predicted: ReadonlyMap<string, KubeObject>;
  /** Keys the controller recorded in status.resources: live ones not desired need pruning. */
  readonly managed: readonly ResourceKey[];
  /** Whether a kind is namespaced on the destination (undefined: unknown kind). */
  readonly namespaced: (group: string, kind: string) => boolean | undefined;
  /** argocd-cm `resource.sensitive.mask.annotations`. */
  readonly sensitiveAnnotations: readonly string[];
  /**
   * What the settings change in the comparison, as the controller reads them: system-wide
   * ignoreDifferences, compare options, excluded kinds. Absent: Argo CD's defaults.
   */
  readonly settings?: Pick<
    ReconcileSettings,
    'ignoreDifferences' | 'compareOptions' | 'resourceFilter'
  >;
}

const excluded = (
  s: Pick<ReconcileSettings, 'resourceFilter'>,
  group: string,
  kind: string,
  server: string,
) => isExcludedResource(s.resourceFilter, group, kind, server);

const json = (o: KubeObject | undefined): string => JSON.stringify(o ?? null);

const isSecret = (o: KubeObject | undefined) =>
  o?.kind === 'Secret' && groupOf(o.apiVersion) === '';

/** argocd-cm's comma-separated list of Secret annotations to mask like data. */
export function sensitiveAnnotationsOf(cm: Readonly<Record<string, string>>): string[] {
  return (cm['resource.sensitive.mask.annotations'] ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** Rendered objects as Argo CD's GetManifests sends them: one JSON each, Secret data masked. */
export function maskedManifests(
  objects: readonly KubeObject[],
  sensitiveAnnotations: readonly string[] = [],
): string[] {
  return objects.map((o) => json(maskSecrets(o, undefined, sensitiveAnnotations)[0]));
}

/**
 * Every desired resource (missing live or not) and every recorded managed one Git no longer has,
 * compared as compareApplication compares them, with their states as JSON strings.
 */
export function managedResourceDiffs(input: ManagedResourcesInput): ManagedResource[] {
  const { app, project, settings } = input;
  const ignoreDifferences = diffRulesFor(
    app.spec.ignoreDifferences,
    settings?.ignoreDifferences ?? [],
  );
  const compareOptions = settings?.compareOptions;
  // Excluded kinds are neither compared, synced nor pruned by the controller, so never shown here.
  const desired = settings
    ? input.desired.filter(
        (o) => !excluded(settings, groupOf(o.apiVersion), o.kind, input.cluster.server),
      )
    : input.desired;
  const desiredById = new Map(desired.map((o) => [formatResourceKey(resourceKeyOf(o)), o]));
  const managed = input.managed.flatMap((k) => {
    const o = input.live.get(formatResourceKey(k));
    return o && !(settings && excluded(settings, k.group, k.kind, input.cluster.server)) ? [o] : [];
  });
  const result = compareApplication({
    desired,
    live: input.live,
    managed,
    predicted: input.predicted,
    ignoreDifferences,
    ...(compareOptions && { compareOptions }),
    appName: app.metadata.name,
    ...(project
      ? {
          forbidden: (o: KubeObject) =>
            objectPermitted(
              project,
              input.cluster,
              o,
              input.namespaced(groupOf(o.apiVersion), o.kind),
            ),
        }
      : {}),
  });
  return result.resources.map((r) => {
    const id = formatResourceKey(r.key);
    const desired = desiredById.get(id);
    const live = input.live.get(id);
    // compareApplication masks Secret data only; sensitive annotations need the diff again.
    const d =
      input.sensitiveAnnotations.length > 0 && (isSecret(desired) || isSecret(live))
        ? diffResource(desired, live, input.predicted.get(id), {
            ignoreDifferences,
            ...compareOptions,
            sensitiveAnnotations: input.sensitiveAnnotations,
          })
        : r.diff;
    const [target, liveMasked] = maskSecrets(desired, live, input.sensitiveAnnotations);
    const resourceVersion = (live?.metadata as { resourceVersion?: string } | undefined)
      ?.resourceVersion;
    return {
      ...r.key,
      status: r.status,
      ...(r.health ? { health: r.health } : {}),
      ...(r.requiresPruning ? { requiresPruning: true as const } : {}),
      modified: d.modified,
      ...(resourceVersion ? { resourceVersion } : {}),
      liveState: json(liveMasked),
      targetState: json(target),
      normalizedLiveState: json(d.normalizedLive),
      predictedLiveState: json(d.normalizedTarget),
      diff: d.diff,
    };
  });
}
