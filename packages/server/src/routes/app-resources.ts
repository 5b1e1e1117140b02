import {
  assessHealth,
  canSync,
  isExcludedResource,
  windowAppOf,
  maskSecrets,
  objectPermitted,
  orphanedResources,
  orphanKind,
  repoCredentialsFor,
  windowState,
  type HealthOverrides,
  type ObjectCluster,
  type ReconcileSettings,
} from '@gitward/engine';
import type { ApiResourceIndex, KubeClient } from '@gitward/infra';
import {
  formatResourceKey,
  groupOf,
  isTracked,
  resourceKeyOf,
  secretTypeLabel,
  trackingAnnotation,
  type Application,
  type AppProject,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import {
  managedResourceDiffs,
  maskedManifests,
  sensitiveAnnotationsOf,
  type ManagedResource,
} from '../app-diff.ts';
import {
  destinationKube,
  destinationViewOf,
  watchNamespaces,
  type DestinationView,
} from '../cluster/destinations.ts';
import { childKinds, type ChildIndex } from '../cluster/tree-cache.ts';
import { customizationsOf } from '../customizations.ts';
import { ApiCode, ApiError, invalid, notFound, precondition } from '../http/api-error.ts';
import { fetchLive, predictorOf, restPath } from '../live-state.ts';
import type { TargetSource, TargetState } from '../target-state.ts';
import type { RouteDef, RouteRequest } from './route.ts';

interface TreeNode {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  createdAt?: string;
  parentRefs?: { group: string; kind: string; namespace?: string; name: string; uid: string }[];
  health?: { status: string; message?: string };
}

function nodeOf(
  o: KubeObject,
  overrides: HealthOverrides,
  parentRefs?: TreeNode['parentRefs'],
): TreeNode {
  const meta = o.metadata as KubeObject['metadata'] & {
    uid?: string;
    resourceVersion?: string;
    creationTimestamp?: string;
  };
  const health = assessHealth(o, overrides);
  return {
    group: groupOf(o.apiVersion),
    version: o.apiVersion.split('/').at(-1) ?? '',
    kind: o.kind,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    name: meta.name ?? '',
    ...(meta.uid ? { uid: meta.uid } : {}),
    ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
    ...(meta.creationTimestamp ? { createdAt: meta.creationTimestamp } : {}),
    ...(parentRefs?.length ? { parentRefs } : {}),
    ...(health
      ? {
          health: { status: health.status, ...(health.message ? { message: health.message } : {}) },
        }
      : {}),
  };
}

/**
 * The cluster the app deploys to (400 when it is not registered) and which of its live objects
 * the app may show: only those its project permits there (engine's objectPermitted, the rule the
 * controller applies too). status.resources lists what the app's manifests name, and a manifest
 * may name another team's object: reading an app must not read that object.
 */
interface AppDestination {
  readonly view: DestinationView;
  /** The owner index of the destination's child kinds; undefined: list them per request. */
  children(): Promise<ChildIndex | undefined>;
  /** For the writes of delete-resource and patch-resource. */
  readonly kube: KubeClient;
  /** The annotation that marks an object as some app's (orphans are the unmarked ones). */
  trackingAnnotation(): string;
  readonly cluster: ObjectCluster;
  readonly project: AppProject | undefined;
  /** The settings' health checks, as the controller judges with them (child apps). */
  readonly healthOverrides: HealthOverrides;
  /** The settings ConfigMap as the controller reads it (exclusions, instance label). */
  readonly settings: ReconcileSettings;
  permitted(o: KubeObject, index: ApiResourceIndex): boolean;
}

async function destinationOf(r: RouteRequest, app: Application): Promise<AppDestination> {
  const [out, settings] = await Promise.all([
    destinationKube(r.ctx, app.spec.destination),
    r.ctx.settings.get(),
  ]);
  if (!out.ok) throw out.error;
  const project = settings.projects.find((p) => p.metadata.name === app.spec.project);
  const { trees } = r.ctx;
  return {
    view: destinationViewOf(out.kube, out.cluster.server),
    children: async () =>
      trees?.childrenOf(out.cluster.server, out.kube, await watchNamespaces(r.ctx, out.cluster)),
    kube: out.kube,
    trackingAnnotation: () => trackingAnnotation(r.ctx.store.group),
    cluster: out.cluster,
    project,
    healthOverrides: customizationsOf(settings.cm, r.ctx.runScript).health,
    settings: customizationsOf(settings.cm, r.ctx.runScript).settings,
    // Without its project the app may show nothing (Argo CD refuses such an app outright).
    permitted: (o, index) =>
      project !== undefined &&
      objectPermitted(
        project,
        out.cluster,
        o,
        index.lookup(groupOf(o.apiVersion), o.kind)?.namespaced,
      ) === undefined,
  };
}

/** Drops the live objects the app may not show (see destinationOf). */
function permittedLive(
  live: Map<string, KubeObject>,
  dest: AppDestination,
  index: ApiResourceIndex,
): Map<string, KubeObject> {
  for (const [id, o] of live) if (!dest.permitted(o, index)) live.delete(id);
  return live;
}

async function managedObjects(app: Application, dest: AppDestination, index: ApiResourceIndex) {
  const out: KubeObject[] = [];
  for (const res of app.status?.resources ?? []) {
    const api = index.lookup(res.group ?? '', res.kind ?? '');
    if (!api || !res.name) continue;
    // The live object decides, not the recorded key: it is what would be returned.
    const live = await dest.view.get(restPath(api, res.namespace, res.name));
    if (live && dest.permitted(live, index)) out.push(live);
  }
  return out;
}

/**
 * The resource tree: the app's managed objects and, through ownerReferences, what they created
 * (ReplicaSets, Pods, ...), each with its health, as Argo CD's resource-tree answers.
 */
async function resourceTree(r: RouteRequest) {
  const app = await r.app();
  return treeOf(app, await destinationOf(r, app));
}

/**
 * Children are looked for only in the namespaces of permitted managed objects, and only those a
 * permitted object owns join: they are what the app's own objects made (a ReplicaSet, its Pods),
 * shown as Argo CD shows them whatever the project's kind lists say. They come from the
 * destination's owner index (tree-cache.ts), or, where the server may not watch them, from lists
 * of those namespaces.
 */
async function treeOf(app: Application, dest: AppDestination, opts = { orphans: true }) {
  const index = await dest.view.discover();
  const managed = await managedObjects(app, dest, index);
  const nodes = managed.map((o) => nodeOf(o, dest.healthOverrides));
  const known = new Map(nodes.filter((n) => n.uid).map((n) => [n.uid ?? '', n]));
  const namespaces = new Set(
    managed.map((o) => o.metadata.namespace).filter((n) => n !== undefined),
  );
  const children = (await dest.children()) ?? (await listedChildren(dest, index, namespaces));
  // Breadth first from the managed objects: Deployment → ReplicaSet → Pod.
  const queue = [...known.keys()];
  for (let uid = queue.shift(); uid !== undefined; uid = queue.shift()) {
    for (const c of children(uid)) {
      const childUid = (c.metadata as { uid?: string }).uid ?? '';
      const ns = c.metadata.namespace;
      if (childUid === '' || known.has(childUid) || ns === undefined || !namespaces.has(ns))
        continue;
      const owners = ((c.metadata as { ownerReferences?: { uid: string }[] }).ownerReferences ?? [])
        .map((o) => known.get(o.uid))
        .filter((n) => n !== undefined);
      const node = nodeOf(
        c,
        dest.healthOverrides,
        owners.map((o) => ({
          group: o.group,
          kind: o.kind,
          ...(o.namespace ? { namespace: o.namespace } : {}),
          name: o.name,
          uid: o.uid ?? '',
        })),
      );
      nodes.push(node);
      known.set(childUid, node);
      queue.push(childUid);
    }
  }
  const orphanedNodes = opts.orphans ? await orphansOf(app, dest, index) : [];
  return { nodes, ...(orphanedNodes.length ? { orphanedNodes } : {}) };
}

/** The child kinds listed in `namespaces` now, indexed by owner uid (no owner index there). */
async function listedChildren(
  dest: AppDestination,
  index: ApiResourceIndex,
  namespaces: ReadonlySet<string>,
): Promise<ChildIndex> {
  const byOwner = new Map<string, KubeObject[]>();
  for (const ns of namespaces) {
    for (const { group, kind } of childKinds) {
      const api = index.lookup(group, kind);
      if (!api) continue;
      for (const c of await dest.view.list(restPath(api, ns)))
        for (const ref of (c.metadata as { ownerReferences?: { uid: string }[] }).ownerReferences ??
          [])
          byOwner.set(ref.uid, [...(byOwner.get(ref.uid) ?? []), c]);
    }
  }
  return (uid) => byOwner.get(uid) ?? [];
}

/**
 * Argo CD's orphanedNodes: when the project sets `orphanedResources`, the untracked top-level
 * objects of the destination namespace (engine's orphanedResources decides). The server keeps no
 * cache, so it lists each namespaced kind there that can be listed; Secrets are named, never read
 * out (only their metadata goes into a node).
 */
async function orphansOf(
  app: Application,
  dest: AppDestination,
  index: ApiResourceIndex,
): Promise<TreeNode[]> {
  const ns = app.spec.destination.namespace;
  const project = dest.project;
  if (!ns || !project?.spec.orphanedResources) return [];
  const kinds = index.resources.filter(
    (r) =>
      r.namespaced &&
      r.preferred &&
      r.verbs.includes('list') &&
      orphanKind(r.group, r.kind) &&
      !isExcludedResource(dest.settings.resourceFilter, r.group, r.kind, dest.cluster.server),
  );
  const inNamespace: KubeObject[] = [];
  for (const api of kinds) {
    const items = await dest.view.list(restPath(api, ns)).catch(() => []);
    const apiVersion = api.group ? `${api.group}/${api.version}` : api.version;
    // Lists leave kind and apiVersion off their items.
    for (const o of items) inNamespace.push({ ...o, apiVersion, kind: api.kind });
  }
  const annotation = dest.trackingAnnotation();
  const labelKey = dest.settings.instanceLabelKey;
  const orphans = orphanedResources(project, inNamespace, (o) =>
    isTracked(o, annotation, undefined, labelKey),
  );
  return orphans
    .filter((o) => dest.permitted(o, index))
    .map((o) => nodeOf(o, dest.healthOverrides));
}

/** The renderer, or why this server cannot answer what needs one. */
function targetOf(r: RouteRequest): TargetSource {
  if (!r.ctx.target)
    throw precondition('this API server cannot render sources (it was started without a renderer)');
  return r.ctx.target;
}

/** A successful render, or its failure as the API's error (a GitwardError maps to 400). */
function objectsOf(state: TargetState): Extract<TargetState, { ok: true }> {
  if (!state.ok) throw state.error;
  return state;
}

/** The keys the controller recorded as the app's (status.resources). */
function recordedKeys(app: Application): ResourceKey[] {
  return (app.status?.resources ?? []).flatMap((res) =>
    res.kind && res.name
      ? [{ group: res.group ?? '', kind: res.kind, namespace: res.namespace ?? '', name: res.name }]
      : [],
  );
}

/** Argo CD's ResourcesQuery filters (group, kind, namespace, name); absent ones match all. */
function matchesQuery(r: RouteRequest, item: Pick<ManagedResource, keyof ResourceKey>): boolean {
  return (['group', 'kind', 'namespace', 'name'] as const).every((f) => {
    const want = r.query(f);
    return want === undefined || want === '' || item[f] === want;
  });
}

/**
 * Without a renderer: the live state and the status the controller recorded, nothing to diff
 * against (the target fields stay "null").
 */
async function recordedResources(app: Application, dest: AppDestination, index: ApiResourceIndex) {
  const live = permittedLive(await fetchLive(dest.view, index, recordedKeys(app)), dest, index);
  return (app.status?.resources ?? []).map((res) => {
    const key = {
      group: res.group ?? '',
      kind: res.kind ?? '',
      namespace: res.namespace ?? '',
      name: res.name ?? '',
    };
    const [, masked] = maskSecrets(undefined, live.get(formatResourceKey(key)));
    return {
      ...key,
      status: res.status ?? '',
      ...(res.health ? { health: res.health } : {}),
      ...(res.requiresPruning ? { requiresPruning: true } : {}),
      ...(res.hook ? { hook: true } : {}),
      liveState: JSON.stringify(masked ?? null),
      targetState: 'null',
    };
  });
}

/**
 * Each managed resource, and each desired one still missing live, with its target, live,
 * normalized and predicted states and the diff (Argo CD's managed-resources). The target is
 * rendered now at the app's targetRevision and compared three-way against the apiserver's dry
 * run, as the controller compares (see app-diff.ts).
 */
async function managedResources(r: RouteRequest) {
  const app = await r.app();
  const dest = await destinationOf(r, app);
  const index = await dest.view.discover();
  if (!r.ctx.target) {
    const items = await recordedResources(app, dest, index);
    return { items: items.filter((i) => matchesQuery(r, i)) };
  }
  const { objects } = objectsOf(await r.ctx.target.render(app, { destination: dest.view }));
  const managed = recordedKeys(app);
  const [live, settings] = await Promise.all([
    fetchLive(dest.view, index, [...objects.map(resourceKeyOf), ...managed]),
    r.ctx.settings.get(),
  ]);
  const permitted = permittedLive(live, dest, index);
  // Only objects the project permits are dry-run: the apiserver's answer merges the live object,
  // and an object of another team's must not be read through a manifest that names it.
  const predicted = await predictorOf(dest.kube).predictAll(
    objects.filter((o) => dest.permitted(o, index)),
    permitted,
    index,
  );
  const items = managedResourceDiffs({
    app,
    project: dest.project,
    cluster: dest.cluster,
    desired: objects,
    live: permitted,
    predicted,
    managed,
    namespaced: (g, k) => index.lookup(g, k)?.namespaced,
    sensitiveAnnotations: sensitiveAnnotationsOf(settings.cm),
    settings: customizationsOf(settings.cm, r.ctx.runScript).settings,
  });
  return { items: items.filter((i) => matchesQuery(r, i)) };
}

/** The app's source rendered at ?revision (default its targetRevision), Secrets masked. */
async function manifests(r: RouteRequest) {
  const app = await r.app();
  const revision = r.query('revision');
  const target = targetOf(r);
  const { view: destination } = await destinationOf(r, app);
  const state = objectsOf(
    await target.render(app, { destination, ...(revision ? { revision } : {}) }),
  );
  const settings = await r.ctx.settings.get();
  return {
    manifests: maskedManifests(state.objects, sensitiveAnnotationsOf(settings.cm)),
    revision: state.revision,
    sourceType: state.sourceType,
    ...(app.spec.destination.namespace ? { namespace: app.spec.destination.namespace } : {}),
    ...(app.spec.destination.server ? { server: app.spec.destination.server } : {}),
  };
}

async function events(r: RouteRequest) {
  const app = await r.app();
  const items = await r.ctx.store.events('Application', app.metadata.name);
  return { items };
}

/** The project's windows that apply to this app, whether each is active, and the verdict. */
async function syncWindows(r: RouteRequest) {
  const app = await r.app();
  const project = (await r.ctx.settings.get()).projects.find(
    (p) => p.metadata.name === app.spec.project,
  );
  const windows = project?.spec.syncWindows ?? [];
  const now = r.ctx.now();
  const target = windowAppOf(app);
  const auto = canSync(windows, target, { manual: false, now });
  const manual = canSync(windows, target, { manual: true, now });
  return {
    windows: windows.map((w) => ({ ...w, state: windowState(w, now) })),
    canSync: manual.allowed,
    canAutoSync: auto.allowed,
    ...(manual.allowed ? {} : { message: manual.message }),
  };
}

/** `<project>/<app>` for an action on applications (Argo CD checks the app's RBAC object). */
export const appAccess = (action: 'get' | 'update' | 'delete'): RouteDef['access'] => ({
  kind: 'rbac',
  resource: 'applications',
  action,
  object: async (r) => {
    const app = await r.app().catch(() => undefined);
    return `${app?.spec.project ?? '*'}/${r.params['name'] ?? ''}`;
  },
});
const appGet = (path: string, summary: string, handle: RouteDef['handle']): RouteDef => ({
  method: 'GET',
  path: `/api/v1/applications/:name/${path}`,
  summary,
  access: appAccess('get'),
  handle,
});

/** The object a resource route names (?group, kind, namespace, resourceName). */
function wantedResource(r: RouteRequest) {
  return {
    group: r.query('group') ?? '',
    kind: r.query('kind') ?? '',
    namespace: r.query('namespace') ?? '',
    name: r.query('resourceName') ?? '',
  };
}

/**
 * The app's tree node the query names, with its API resource: only objects of the app's tree
 * (managed, or made by a managed one) are reachable, so the resource routes never reach the rest
 * of the cluster. 404 otherwise.
 */
export async function appResource(r: RouteRequest) {
  const want = wantedResource(r);
  const app = await r.app();
  const dest = await destinationOf(r, app);
  const { nodes } = await treeOf(app, dest, { orphans: false });
  const node = nodes.find(
    (n) =>
      n.group === want.group &&
      n.kind === want.kind &&
      (n.namespace ?? '') === want.namespace &&
      n.name === want.name,
  );
  if (!node)
    throw notFound(
      `${want.group}/${want.kind} ${want.namespace}/${want.name} is not a resource of application ${r.params['name'] ?? ''}`,
    );
  const api = (await dest.view.discover()).lookup(node.group, node.kind);
  if (!api) throw notFound(`the cluster no longer serves ${node.group}/${node.kind}`);
  return { dest, node, path: restPath(api, node.namespace, node.name) };
}

/** One live object as the resource routes answer it: `{manifest}`, Secrets masked. */
function manifestOf(live: KubeObject) {
  const [, masked] = maskSecrets(undefined, live);
  return { manifest: JSON.stringify(masked) };
}

/** The apiserver's refusal as the API's error, with its message (never the object). */
export function kubeFailure(what: string, status: number, body: unknown): ApiError {
  const message = (body as { message?: unknown } | undefined)?.message;
  const text = `${what}: ${typeof message === 'string' ? message : `HTTP ${status}`}`;
  if (status === 404) return notFound(text);
  if (status === 409) return precondition(text);
  return status === 400 || status === 422
    ? invalid(text)
    : new ApiError(502, ApiCode.Unavailable, text);
}

/** One live object of the app, as Argo CD's `GET .../resource`; Secrets are masked. */
async function liveResource(r: RouteRequest) {
  const { dest, node, path } = await appResource(r);
  const live = await dest.view.get(path);
  if (!live) throw notFound(`${node.kind} ${node.namespace ?? ''}/${node.name} is gone`);
  return manifestOf(live);
}

/**
 * Argo CD's `DELETE .../resource`: foreground by default, `?orphan=true` leaves the dependents,
 * `?force=true` deletes in the background without a grace period.
 */
async function deleteResource(r: RouteRequest) {
  const { dest, node, path } = await appResource(r);
  const orphan = r.query('orphan') === 'true';
  const force = r.query('force') === 'true';
  const propagationPolicy = orphan ? 'Orphan' : force ? 'Background' : 'Foreground';
  const res = await dest.kube.request('DELETE', path, {
    body: {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy,
      ...(force && !orphan ? { gracePeriodSeconds: 0 } : {}),
    },
  });
  if (res.status >= 300)
    throw kubeFailure(`deleting ${node.kind} ${node.name}`, res.status, res.body);
  return {};
}

const patchContentTypes: Readonly<Record<string, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/**
 * Argo CD's `POST .../resource`: the body is the patch as a JSON string (grpc-gateway's
 * `body: "patch"`), `?patchType=json|merge|strategic`. The patch goes to the apiserver as text,
 * checked to be JSON of the right shape first; the answer is the patched object, Secrets masked.
 */
async function patchResource(r: RouteRequest) {
  const contentType = patchContentTypes[r.query('patchType') ?? ''];
  if (!contentType) throw invalid('patchType must be json, merge or strategic');
  const body = await r.json();
  if (typeof body !== 'string') throw invalid('the body must be the patch, as a JSON string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw invalid('the patch is not JSON');
  }
  const jsonPatch = contentType === patchContentTypes['json'];
  const isList = Array.isArray(parsed);
  const isMap = typeof parsed === 'object' && parsed !== null && !isList;
  if (jsonPatch ? !isList : !isMap)
    throw invalid(
      `a ${r.query('patchType') ?? ''} patch must be a JSON ${jsonPatch ? 'array' : 'object'}`,
    );
  const { dest, node, path } = await appResource(r);
  const res = await dest.kube.request<KubeObject>('PATCH', path, { body, contentType });
  if (res.status >= 300)
    throw kubeFailure(`patching ${node.kind} ${node.name}`, res.status, res.body);
  return manifestOf(res.body);
}

const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * Author, date, message and tags of a commit of the app's (first) source, as Argo CD's
 * `revisions/{revision}/metadata`. Only a full SHA is accepted, which is what status.sync.revision
 * and the history hold: a branch would name a different commit from one call to the next.
 */
async function revisionMetadata(r: RouteRequest) {
  const app = await r.app();
  const revision = r.params['revision'] ?? '';
  const source = app.spec.source ?? app.spec.sources?.[0];
  if (!source) throw invalid(`application ${app.metadata.name} has no source`);
  if (source.chart) throw invalid(`the source of ${app.metadata.name} is a Helm chart, not git`);
  if (!commitSha.test(revision))
    throw invalid(`revision must be a full commit SHA, got "${revision.slice(0, 80)}"`);
  const read = r.ctx.revisionMetadata;
  if (!read) throw precondition('this API server cannot read git (it was started without it)');
  // Read per request, as rendering does: a repository added a moment ago must work at once.
  const { store } = r.ctx;
  const label = secretTypeLabel(store.group);
  const secrets = await store.list(
    `/api/v1/namespaces/${encodeURIComponent(store.namespace)}/secrets`,
    label,
  );
  const trust = await r.ctx.repoTrust?.();
  const creds = repoCredentialsFor(source.repoURL, app.spec.project, secrets, label, trust);
  const meta = await read(source.repoURL, revision.toLowerCase(), creds);
  return { author: meta.author, date: meta.date, tags: [...meta.tags], message: meta.message };
}

export const appResourceRoutes: RouteDef[] = [
  appGet('resource-tree', 'The live resource tree', resourceTree),
  appGet(
    'managed-resources',
    'Managed resources with target, live and predicted states and diffs (?group, kind, namespace, name)',
    managedResources,
  ),
  appGet('manifests', 'The rendered target manifests (?revision), Secrets masked', manifests),
  appGet('events', 'Kubernetes events about the application', events),
  appGet('syncwindows', "The project's sync windows for the application", syncWindows),
  appGet(
    'resource',
    'One live object of the application (?group, kind, namespace, resourceName), Secrets masked',
    liveResource,
  ),
  {
    method: 'DELETE',
    path: '/api/v1/applications/:name/resource',
    summary:
      'Delete one object of the application tree (?group, kind, namespace, resourceName, force, orphan)',
    access: appAccess('delete'),
    handle: deleteResource,
  },
  {
    method: 'POST',
    path: '/api/v1/applications/:name/resource',
    summary:
      'Patch one object of the application tree (body: the patch as a JSON string; ?group, kind, namespace, resourceName, patchType=json|merge|strategic)',
    access: appAccess('update'),
    handle: patchResource,
  },
  appGet(
    'revisions/:revision/metadata',
    "Author, date, message and tags of a commit (full SHA) of the application's source",
    revisionMetadata,
  ),
];
