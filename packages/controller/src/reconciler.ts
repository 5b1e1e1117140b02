import {
  buildStatus,
  compareApplication,
  describeDrift,
  repoCredentialsFor,
  resourcePermitted,
  validateApplication,
  type Condition,
  type ReconcileReport,
  type ScopeLookup,
} from '@gitward/engine';
import type { ApiResourceIndex, ClusterCache, KubeClient } from '@gitward/infra';
import {
  ApplicationConditionType,
  applicationSchema,
  appProjectSchema,
  errorMessage,
  formatResourceKey,
  groupOf,
  resourceKeyOf,
  secretTypeLabel,
  withTrackingId,
  type ApiGroup,
  type Application,
  type AppProject,
  type KubeObject,
} from '@gitward/model';
import type { RenderOutcome, TargetRenderer } from '@gitward/target';
import type { Logger } from 'pino';
import type { Predictor } from './dry-run.ts';

export interface ReconcilerDeps {
  readonly kube: KubeClient;
  readonly cache: ClusterCache;
  readonly renderer: TargetRenderer;
  readonly predictor: Predictor;
  readonly group: ApiGroup;
  readonly namespace: string;
  readonly trackingAnnotation: string;
  /** Discovery of the destination, refreshed when CRDs change. */
  readonly discovery: () => Promise<ApiResourceIndex>;
  readonly kubeVersion: () => Promise<string>;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** What a reconcile did, for the queue: retry with backoff, or come back at the next resync. */
export type ReconcileOutcome =
  | { readonly kind: 'done' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'retry'; readonly reason: string };

const refreshAnnotations = ['gitward.dev/refresh', 'argocd.argoproj.io/refresh'];
// Kinds watched for every app so the resource tree (Deployment → ReplicaSet → Pod) is complete.
const treeKinds = [
  { group: 'apps', kind: 'ReplicaSet' },
  { group: '', kind: 'Pod' },
];

/** The Application key of the cache for a name in the control namespace. */
export function appKey(group: ApiGroup, namespace: string, name: string) {
  return { group, kind: 'Application', namespace, name };
}

export function createReconciler(d: ReconcilerDeps) {
  const appsPath = `/apis/${d.group}/v1alpha1/namespaces/${d.namespace}/applications`;

  async function credentialsFor(repoURL: string) {
    const secrets = await d.kube.list(`/api/v1/namespaces/${d.namespace}/secrets`, {
      labelSelector: secretTypeLabel(d.group),
    });
    return repoCredentialsFor(repoURL, secrets.items, secretTypeLabel(d.group));
  }

  async function render(
    app: Application,
    hard: boolean,
    index: ApiResourceIndex,
  ): Promise<RenderOutcome> {
    const source = app.spec.source ?? app.spec.sources?.[0];
    if (!source) throw new Error('no source');
    const scope: ScopeLookup = (g, k) => index.lookup(g, k)?.namespaced;
    const credentials = await credentialsFor(source.repoURL);
    return d.renderer.render({
      appName: app.metadata.name,
      project: app.spec.project,
      source,
      destinationNamespace: app.spec.destination.namespace,
      kubeVersion: await d.kubeVersion(),
      apiVersions: index.apiVersions(),
      scope,
      hard,
      ...(credentials ? { credentials } : {}),
    });
  }

  async function compare(
    app: Application,
    project: AppProject,
    objects: readonly KubeObject[],
    index: ApiResourceIndex,
  ) {
    const name = app.metadata.name;
    const desired = objects.map((o) => withTrackingId(o, name, d.trackingAnnotation));
    const kinds = new Map<string, { group: string; kind: string }>();
    for (const o of desired)
      kinds.set(`${groupOf(o.apiVersion)}/${o.kind}`, {
        group: groupOf(o.apiVersion),
        kind: o.kind,
      });
    await d.cache.watchKinds([...kinds.values(), ...treeKinds]);
    const live = new Map<string, KubeObject>();
    for (const o of desired) {
      const found = d.cache.get(resourceKeyOf(o));
      if (found) live.set(formatResourceKey(resourceKeyOf(o)), found);
    }
    const predicted = await d.predictor.predictAll(desired, live, index);
    return compareApplication({
      desired,
      live,
      managed: d.cache.managedBy(name),
      predicted,
      ignoreDifferences: app.spec.ignoreDifferences ?? [],
      appName: name,
      trackingAnnotation: d.trackingAnnotation,
      forbidden: (o) =>
        resourcePermitted(project, o, index.lookup(groupOf(o.apiVersion), o.kind)?.namespaced),
    });
  }

  async function report(app: Application, hard: boolean): Promise<ReconcileReport> {
    const project = d.cache.get({
      group: d.group,
      kind: 'AppProject',
      namespace: d.namespace,
      name: app.spec.project,
    });
    const projects: AppProject[] = project ? [appProjectSchema.parse(project)] : [];
    const problems = validateApplication(app, projects);
    if (problems.length || !projects[0]) return { kind: 'failed', conditions: problems };
    const index = await d.discovery();
    const out = await render(app, hard, index);
    if (out.kind === 'failed') {
      return {
        kind: 'failed',
        conditions: [
          { type: ApplicationConditionType.ComparisonError, message: out.error.message },
        ],
      };
    }
    const warnings: Condition[] = out.unknownKinds.length
      ? [
          {
            type: ApplicationConditionType.ComparisonError,
            message: `unknown kinds (no such API on the destination): ${out.unknownKinds.join(', ')}`,
          },
        ]
      : [];
    const result = await compare(
      app,
      projects[0],
      out.kind === 'rendered' ? out.objects : [],
      index,
    );
    return {
      kind: 'compared',
      result,
      revision: out.revision,
      sourceType: out.sourceType,
      warnings: [...warnings, ...result.warnings],
    };
  }

  async function writeStatus(
    app: Application,
    rep: ReconcileReport,
    refreshKey: string | undefined,
  ): Promise<void> {
    const status = buildStatus({
      previous: app.status,
      report: rep,
      source: app.spec.source,
      destination: app.spec.destination,
      now: d.now().toISOString(),
    });
    const path = `${appsPath}/${encodeURIComponent(app.metadata.name)}`;
    // A merge patch of the status subresource needs no resourceVersion: the controller owns status,
    // so there is no lost-update conflict to handle, and spec edits by users never collide with it.
    const res = await d.kube.request('PATCH', `${path}/status`, { body: { status } });
    if (res.status >= 300) throw new Error(`writing status failed (HTTP ${res.status})`);
    if (refreshKey) {
      await d.kube.request('PATCH', path, {
        body: { metadata: { annotations: { [refreshKey]: null } } },
      });
    }
  }

  /** Observe → diff → write status, for one Application. */
  async function reconcile(name: string): Promise<ReconcileOutcome> {
    const raw = d.cache.get(appKey(d.group, d.namespace, name));
    if (!raw) return { kind: 'gone' };
    const parsed = applicationSchema.safeParse(raw);
    const log = d.logger.child({ app: name });
    if (!parsed.success) {
      log.warn({ err: parsed.error.message }, 'application does not match the schema');
      return { kind: 'done' };
    }
    const app = parsed.data;
    const refreshKey = refreshAnnotations.find((k) => app.metadata.annotations?.[k] !== undefined);
    const hard = refreshKey !== undefined && app.metadata.annotations?.[refreshKey] === 'hard';
    let rep: ReconcileReport;
    try {
      rep = await report(app, hard);
    } catch (err) {
      rep = {
        kind: 'failed',
        conditions: [
          { type: ApplicationConditionType.ComparisonError, message: errorMessage(err) },
        ],
      };
    }
    await writeStatus(app, rep, refreshKey);
    if (rep.kind === 'failed') {
      log.warn({ conditions: rep.conditions }, 'comparison failed');
      return { kind: 'retry', reason: rep.conditions.map((c) => c.message).join('; ') };
    }
    log.info(
      { revision: rep.revision, sync: rep.result.syncStatus, health: rep.result.health.status },
      describeDrift(rep.result),
    );
    return { kind: 'done' };
  }

  return { reconcile };
}
export type Reconciler = ReturnType<typeof createReconciler>;
