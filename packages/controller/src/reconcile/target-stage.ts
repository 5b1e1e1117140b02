/**
 * Stages 1–3 of a reconcile: resolve (project, destination, validation) → render → compare. Their
 * output is a ReconcileReport (what status shows) and, when the app compared, the CompareContext a
 * sync step needs. Nothing here writes: the only side effects are the renderer's (cached by
 * commit), the cache's watches for new kinds and the destination's dry runs.
 */
import {
  applyDefaultNamespace,
  compareApplication,
  createDiffMemo,
  diffRulesFor,
  isExcludedResource,
  objectPermitted,
  orphanedResources,
  parseManifests,
  repoCredentialsFor,
  requiresSignature,
  resolveDestination,
  signatureProblem,
  syncSourceToRender,
  validateApplication,
  type Condition,
  type ReconcileReport,
  type ReconcileSettings,
  type ScopeLookup,
} from '@gitward/engine';
import type { ApiResourceIndex, ClusterCache } from '@gitward/infra';
import {
  ApplicationConditionType,
  appProjectSchema,
  errorMessage,
  formatResourceKey,
  groupOf,
  isTracked,
  resourceKeyOf,
  secretTypeLabel,
  withTracking,
  type Application,
  type ApplicationSource,
  type AppProject,
  type KubeObject,
} from '@gitward/model';
import type { RenderOutcome } from '@gitward/target';
import type { DestinationCluster } from '../destinations.ts';
import type { CompareContext, Compared, OperationState, StageDeps } from './types.ts';

// Kinds watched for every app so the resource tree (Deployment → ReplicaSet → Pod) is complete.
const treeKinds = [
  { group: 'apps', kind: 'ReplicaSet' },
  { group: '', kind: 'Pod' },
];

const failed = (message: string): Compared => ({
  rep: {
    kind: 'failed',
    conditions: [{ type: ApplicationConditionType.ComparisonError, message }],
  },
});

/**
 * The desired objects the settings' `resource.exclusions`/`inclusions` leave to gitward, and an
 * ExcludedResourceWarning (Argo CD's words) for each one they drop: it is neither compared nor
 * synced, and never pruned, since its kind is never watched.
 */
function withoutExcluded(
  objects: readonly KubeObject[],
  s: ReconcileSettings,
  server: string,
): { readonly kept: readonly KubeObject[]; readonly warnings: readonly Condition[] } {
  const warnings: Condition[] = [];
  const kept = objects.filter((o) => {
    const group = groupOf(o.apiVersion);
    if (!isExcludedResource(s.resourceFilter, group, o.kind, server)) return true;
    warnings.push({
      type: ApplicationConditionType.ExcludedResourceWarning,
      message: `Resource ${group}/${o.kind} ${o.metadata.name ?? ''} is excluded in the settings`,
    });
    return false;
  });
  return { kept, warnings };
}

/** The app's project from the cache (undefined when it does not exist; throws when malformed). */
export function projectOf(cache: ClusterCache, d: StageDeps, app: Application) {
  const project = cache.get({
    group: d.group,
    kind: 'AppProject',
    namespace: d.namespace,
    name: app.spec.project,
  });
  return project ? appProjectSchema.parse(project) : undefined;
}

/** What an operation syncs: a comparison, or why there is none (the operation errs with it). */
export type OperationTarget = { readonly ctx: CompareContext } | { readonly reason: string };

export function createTargetStage(d: StageDeps) {
  // Diffs of unchanged predictions against unchanged live objects are not made again (diff-memo.ts).
  const diff = createDiffMemo();
  async function render(
    app: Application,
    hard: boolean,
    index: ApiResourceIndex,
    cluster: DestinationCluster,
    freshAfter: number | undefined,
  ): Promise<RenderOutcome> {
    const source = app.spec.source ?? app.spec.sources?.[0];
    if (!source) throw new Error('no source');
    const scope: ScopeLookup = (g, k) => index.lookup(g, k)?.namespaced;
    const secrets = d.repoSecrets();
    const trust = d.repoTrust?.();
    const settings = d.settings();
    const credentialsFor = (url: string) =>
      repoCredentialsFor(url, app.spec.project, secrets, secretTypeLabel(d.group), trust);
    const credentials = credentialsFor(source.repoURL);
    return d.renderer.render({
      appName: app.metadata.name,
      project: app.spec.project,
      source,
      destinationNamespace: app.spec.destination.namespace,
      kubeVersion: await cluster.kubeVersion(),
      apiVersions: index.apiVersions(),
      scope,
      hard,
      kustomize: settings.kustomize,
      helmValuesFileSchemes: settings.helmValuesFileSchemes,
      credentialsFor,
      ...(credentials ? { credentials } : {}),
      ...(freshAfter !== undefined ? { freshAfter } : {}),
    });
  }

  /**
   * Why the rendered `revision` may not be synced under the project's `signatureKeys` (Argo CD's
   * GnuPG verification), or undefined when the project asks for no signature or the commit is
   * signed by an allowed key. Only git sources carry signatures: a Helm chart is not checked, as
   * in Argo CD. Without a verifier (a process not wired for it) a signed project fails closed.
   */
  async function signatureCheck(
    app: Application,
    project: AppProject,
    source: ApplicationSource,
    revision: string,
  ): Promise<string | undefined> {
    if (!requiresSignature(project) || source.chart) return undefined;
    if (!d.verifyCommit)
      return `Target revision ${revision} cannot be verified: GnuPG verification is not available in this process`;
    const credentials = repoCredentialsFor(
      source.repoURL,
      app.spec.project,
      d.repoSecrets(),
      secretTypeLabel(d.group),
      d.repoTrust?.(),
    );
    const sig = await d.verifyCommit(source.repoURL, revision, credentials);
    return signatureProblem(project, revision, sig);
  }

  /**
   * Desired objects against the destination's live ones, through its dry-run predictor. The
   * settings' excluded kinds are dropped first (their warnings join the result's).
   */
  async function compare(
    app: Application,
    project: AppProject,
    objects: readonly KubeObject[],
    index: ApiResourceIndex,
    cluster: DestinationCluster,
  ): Promise<Omit<CompareContext, 'revision'>> {
    const name = app.metadata.name;
    const cache = cluster.cache;
    const s = d.settings();
    const { kept, warnings: excluded } = withoutExcluded(objects, s, cluster.server);
    const desired = kept.map((o) =>
      withTracking(o, name, s.trackingMethod, d.trackingAnnotation, s.instanceLabelKey),
    );
    // Excluded kinds are never watched: neither shown in the tree nor ever pruned.
    const kinds = new Map<string, { group: string; kind: string }>();
    const watch = (group: string, kind: string) => {
      if (!isExcludedResource(s.resourceFilter, group, kind, cluster.server))
        kinds.set(`${group}/${kind}`, { group, kind });
    };
    for (const o of desired) watch(groupOf(o.apiVersion), o.kind);
    for (const k of treeKinds) watch(k.group, k.kind);
    await cache.watchKinds([...kinds.values()]);
    // One snapshot of the cache, taken before the dry runs' await: the watch may deliver an
    // applied object meanwhile, and a compare that missed it must not sit beside an operation
    // view that saw it (the sync would end with its own table showing the object Missing).
    const live = new Map<string, KubeObject>();
    for (const o of desired) {
      const found = cache.get(resourceKeyOf(o));
      if (found) live.set(formatResourceKey(resourceKeyOf(o)), found);
    }
    // An object of a kind excluded since the cache began watching it is still in the cache:
    // it is left alone (never shown, never pruned), as if it were not watched.
    const managed = cache
      .managedBy(name)
      .filter(
        (o) => !isExcludedResource(s.resourceFilter, groupOf(o.apiVersion), o.kind, cluster.server),
      );
    const predicted = await cluster.predictor.predictAll(desired, live, index);
    // The rule the API server applies to what it shows of live state (engine's objectPermitted).
    const permits = (o: KubeObject) =>
      objectPermitted(project, cluster, o, index.lookup(groupOf(o.apiVersion), o.kind)?.namespaced);
    const healthOverrides = s.healthOverrides;
    const ignoreDifferences = diffRulesFor(app.spec.ignoreDifferences, s.ignoreDifferences);
    const compared = compareApplication({
      desired,
      live,
      managed,
      predicted,
      ignoreDifferences,
      compareOptions: s.compareOptions,
      appName: name,
      trackingAnnotation: d.trackingAnnotation,
      forbidden: permits,
      healthOverrides,
      diff,
    });
    const result = excluded.length
      ? { ...compared, warnings: [...excluded, ...compared.warnings] }
      : compared;
    const forbidden = desired.map(permits).filter((m) => m !== undefined);
    return {
      result,
      desired,
      live,
      managed,
      index,
      forbidden,
      cluster,
      healthOverrides,
      ignoreDifferences,
      instanceLabelKey: s.instanceLabelKey,
    };
  }

  /**
   * OrphanedResourceWarning when the project asks (`orphanedResources.warn`): untracked top-level
   * objects in the destination namespace. Only kinds the cache watches are seen (those of the
   * apps and their trees), where Argo CD watches every kind.
   */
  function orphanWarnings(
    app: Application,
    project: AppProject,
    cluster: DestinationCluster,
  ): Condition[] {
    const ns = app.spec.destination.namespace;
    if (!ns || !project.spec.orphanedResources?.warn) return [];
    const { trackingMethod, instanceLabelKey } = d.settings();
    const tracked = (o: KubeObject) =>
      isTracked(o, d.trackingAnnotation, trackingMethod, instanceLabelKey);
    const orphans = orphanedResources(project, cluster.cache.inNamespace(ns), tracked);
    return orphans.length
      ? [
          {
            type: ApplicationConditionType.OrphanedResourceWarning,
            message: `Application has ${orphans.length} orphaned resources`,
          },
        ]
      : [];
  }

  /**
   * resolve → render → compare, for one app as it is. `freshAfter` (when the pass was asked for)
   * lets the git layer answer from a read of the server's refs shared with other apps, if it
   * started no earlier.
   */
  async function report(
    app: Application,
    hard: boolean,
    freshAfter: number | undefined,
  ): Promise<Compared> {
    // Stage 1, resolve: the project, the destination and the app's own validity.
    const project = projectOf(d.cache, d, app);
    const projects: AppProject[] = project ? [project] : [];
    const clusters = await d.destinations.known();
    const problems = validateApplication(app, projects, clusters);
    const cluster = resolveDestination(app.spec.destination, clusters);
    if (problems.length || !project || !cluster)
      return { rep: { kind: 'failed', conditions: problems } };
    // Stage 2, render: the target state at the revision the source resolves to.
    const index = await cluster.discovery();
    const out = await render(app, hard, index, cluster, freshAfter);
    if (out.kind === 'failed') return failed(out.error.message);
    // What is not signed as the project demands is neither compared nor synced.
    const source = app.spec.source ?? app.spec.sources?.[0];
    const unsigned = source && (await signatureCheck(app, project, source, out.revision));
    if (unsigned) return failed(unsigned);
    const warnings: Condition[] = out.unknownKinds.length
      ? [
          {
            type: ApplicationConditionType.ComparisonError,
            message: `unknown kinds (no such API on the destination): ${out.unknownKinds.join(', ')}`,
          },
        ]
      : [];
    // Stage 3, compare: against live, through the destination's dry run.
    const objects = out.kind === 'rendered' ? out.objects : [];
    const cmp = await compare(app, project, objects, index, cluster);
    const result = cmp.result;
    return {
      ctx: { ...cmp, revision: out.revision },
      rep: {
        kind: 'compared',
        result,
        revision: out.revision,
        sourceType: out.sourceType,
        warnings: [...warnings, ...result.warnings, ...orphanWarnings(app, project, cluster)],
      },
    };
  }

  /** `report`, with anything it throws turned into a ComparisonError. */
  async function target(app: Application, hard: boolean, freshAfter?: number): Promise<Compared> {
    try {
      return await report(app, hard, freshAfter);
    } catch (err) {
      return failed(errorMessage(err));
    }
  }

  /**
   * `argocd app sync --local`: the manifests the operation carries stand for the render (namespace
   * defaulted as a render's are), compared at the revision Git is at. A reason (the operation
   * errs) when the project is gone, requires signatures, or a manifest does not parse.
   */
  async function localTarget(
    app: Application,
    manifests: readonly string[],
    ctx: CompareContext,
  ): Promise<OperationTarget> {
    const project = projectOf(d.cache, d, app);
    if (!project) return { reason: 'the project is gone' };
    // Local manifests have no commit to verify (Argo CD refuses them too).
    if (requiresSignature(project))
      return {
        reason: `Cannot use local sync when signature keys are required (project ${project.metadata.name})`,
      };
    let parsed: KubeObject[];
    try {
      parsed = manifests.flatMap((m, i) => parseManifests(m, `manifest ${i + 1}`).objects);
    } catch (err) {
      return { reason: `a local manifest does not parse: ${errorMessage(err)}` };
    }
    const scope: ScopeLookup = (g, k) => ctx.index.lookup(g, k)?.namespaced;
    const { objects } = applyDefaultNamespace(parsed, app.spec.destination.namespace, scope);
    const cmp = await compare(app, project, objects, ctx.index, ctx.cluster);
    return { ctx: { ...cmp, revision: ctx.revision } };
  }

  /**
   * The target an operation syncs: the compared one, unless the operation names another revision
   * or, for a rollback, the history entry's own source (syncSourceToRender), which is rendered and
   * compared on its own.
   */
  async function operationTarget(
    app: Application,
    state: OperationState,
    ctx: CompareContext,
  ): Promise<OperationTarget> {
    const sync = (app.operation ?? state.operation)?.sync;
    if (sync?.manifests?.length) return localTarget(app, sync.manifests, ctx);
    const source = syncSourceToRender(app.spec.source, sync, ctx.revision);
    if (!source) return { ctx };
    const other = await target({ ...app, spec: { ...app.spec, source } }, false);
    return other.ctx ? { ctx: other.ctx } : { reason: failureReason(other.rep) };
  }

  return { target, operationTarget };
}
export type TargetStage = ReturnType<typeof createTargetStage>;

/** The report's failure as one line (for a retry reason or an operation's message). */
export function failureReason(rep: ReconcileReport): string {
  return rep.kind === 'failed' ? rep.conditions.map((c) => c.message).join('; ') : '';
}
