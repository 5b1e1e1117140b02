import { setTimeout as sleep } from 'node:timers/promises';
import { appSyncAllowed, validateApplication } from '@gitward/engine';
import {
  applicationPatchRequestSchema,
  applicationSchema,
  apiVersionOf,
  OperationPhase,
  RefreshAnnotation,
  rollbackRequestSchema,
  syncRequestSchema,
  type Application,
  type AppProject,
  type ApplicationSpec,
  type BodyOf,
  type ItemList,
  type Operation,
} from '@gitward/model';
import { knownClusters } from '../cluster/destinations.ts';
import { conflict, forbidden, invalid, precondition } from '../http/api-error.ts';
import { applyJsonMergePatch, applyJsonPatch } from '../json-patch.ts';
import { checkedBody, own, ownBody } from '../own.ts';
import { appMatches, type AppFilters } from './app-filters.ts';
import type { RouteDef, RouteRequest } from './route.ts';

/** `<project>/<app>`, Argo CD's RBAC object; `*` stands for the project of an unknown app, so
 * only subjects allowed across projects learn that it does not exist (404), others get 403. */
async function appObject(r: RouteRequest): Promise<string> {
  const app = await r.app().catch(() => undefined);
  return `${app?.spec.project ?? '*'}/${r.params['name'] ?? ''}`;
}

const cascadeFinalizers = {
  foreground: 'resources-finalizer.argocd.argoproj.io',
  background: 'resources-finalizer.argocd.argoproj.io/background',
} as const;

/**
 * A body as an Application in our namespace, validated by the schema and against its project.
 * `status` and `operation` are never taken from a caller: status is the controller's, and an
 * operation is started only through sync and rollback, which record who asked.
 */
async function parseApplication(r: RouteRequest, body: unknown): Promise<Application> {
  const { status: _status, operation: _operation, ...raw } = ownBody(body);
  void [_status, _operation];
  const meta = ownBody(own(raw, 'metadata'));
  const app = checkedBody(
    applicationSchema,
    {
      ...raw,
      apiVersion: apiVersionOf(r.ctx.store.group),
      kind: 'Application',
      metadata: { ...meta, namespace: r.ctx.store.namespace },
    },
    'application spec',
  );
  const [settings, clusters] = await Promise.all([r.ctx.settings.get(), knownClusters(r.ctx)]);
  const problems = validateApplication(app, settings.projects, clusters);
  if (problems.length > 0)
    throw invalid(
      `application spec for ${app.metadata.name} is invalid: ${problems.map((p) => p.message).join('; ')}`,
    );
  return app;
}

const stripServerFields = (app: Application): Application => {
  const {
    resourceVersion: _rv,
    uid: _uid,
    creationTimestamp: _ct,
    generation: _g,
    managedFields: _mf,
    ...meta
  } = app.metadata as Application['metadata'] & Record<string, unknown>;
  void [_rv, _uid, _ct, _g, _mf];
  return { ...app, metadata: meta };
};

/** The list filters of a request: `projects` (repeated or comma-separated) and the rest once. */
function filtersOf(r: RouteRequest): AppFilters {
  return {
    projects: [...r.queries('projects'), ...r.queries('project')].flatMap((p) => p.split(',')),
    repo: r.query('repo'),
    cluster: r.query('cluster'),
    sync: r.query('sync'),
    health: r.query('health'),
    name: r.query('name'),
  };
}

/** Applications the caller may `get`, filtered and paged (`limit`, `continue` = offset). */
async function listApps(r: RouteRequest): Promise<ItemList<Application>> {
  const settings = await r.ctx.settings.get();
  const rbac = await r.ctx.rbac(settings);
  const selector = r.query('selector');
  const filters = filtersOf(r);
  const all = await r.ctx.store.listApps(selector ? { labelSelector: selector } : {});
  const visible = all
    .filter((a) =>
      rbac.enforce(
        r.principal.subject,
        'applications',
        'get',
        `${a.spec.project}/${a.metadata.name}`,
      ),
    )
    .filter((a) => appMatches(a, filters))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const offset = Number(r.query('continue') ?? 0) || 0;
  const limit = Number(r.query('limit') ?? 0) || visible.length;
  const page = visible.slice(offset, offset + limit);
  const next = offset + limit < visible.length ? String(offset + limit) : undefined;
  return { metadata: next ? { continue: next } : {}, items: page };
}

/** `?refresh=normal|hard`: ask the controller and wait (up to 10 s) for the new comparison. */
async function refreshed(r: RouteRequest, app: Application): Promise<Application> {
  const mode = r.query('refresh');
  if (mode !== 'normal' && mode !== 'hard') return app;
  const before = app.status?.reconciledAt;
  await r.ctx.store.patchApp(app.metadata.name, {
    metadata: { annotations: { [RefreshAnnotation.Gitward]: mode } },
  });
  for (let i = 0; i < 50 && !r.signal.aborted; i++) {
    await sleep(200);
    const now = await r.ctx.store.getApp(app.metadata.name);
    const annotations = now?.metadata.annotations ?? {};
    if (now && !(RefreshAnnotation.Gitward in annotations) && now.status?.reconciledAt !== before)
      return now;
  }
  return (await r.ctx.store.getApp(app.metadata.name)) ?? app;
}

async function createApp(r: RouteRequest) {
  const app = stripServerFields(await parseApplication(r, await r.json()));
  const existing = await r.ctx.store.getApp(app.metadata.name);
  if (!existing) return r.ctx.store.createApp(app);
  if (JSON.stringify(existing.spec) === JSON.stringify(app.spec)) return existing;
  if (r.query('upsert') !== 'true')
    throw conflict(`existing application spec is different, use upsert flag to force update`);
  const settings = await r.ctx.settings.get();
  const rbac = await r.ctx.rbac(settings);
  const object = `${existing.spec.project}/${existing.metadata.name}`;
  if (!rbac.enforce(r.principal.subject, 'applications', 'update', object))
    throw forbidden(`permission denied: applications, update, ${object}`);
  return r.ctx.store.updateApp(existing.metadata.name, (latest) => ({
    ...latest,
    spec: app.spec,
    metadata: {
      ...latest.metadata,
      labels: app.metadata.labels ?? {},
      annotations: { ...latest.metadata.annotations, ...app.metadata.annotations },
    },
  }));
}

async function updateSpec(r: RouteRequest): Promise<ApplicationSpec> {
  const current = await r.app();
  const spec = await r.json();
  const next = await parseApplication(r, { ...stripServerFields(current), spec });
  if (next.spec.project !== current.spec.project) await requireOnProject(r, next, 'update');
  return (
    await r.ctx.store.updateApp(current.metadata.name, (latest) => ({ ...latest, spec: next.spec }))
  ).spec;
}

async function updateApp(r: RouteRequest) {
  const current = await r.app();
  const body = ownBody(await r.json());
  const next = await parseApplication(r, {
    ...body,
    metadata: { ...ownBody(own(body, 'metadata')), name: current.metadata.name },
  });
  if (next.spec.project !== current.spec.project) await requireOnProject(r, next, 'update');
  return r.ctx.store.updateApp(current.metadata.name, (latest) => withSpecAndMeta(latest, next));
}

/** `latest` with the user-owned parts (spec, labels, annotations) taken from `next`. */
const withSpecAndMeta = (latest: Application, next: Application): Application => ({
  ...latest,
  metadata: {
    ...latest.metadata,
    labels: next.metadata.labels ?? {},
    annotations: next.metadata.annotations ?? {},
  },
  spec: next.spec,
});

/** Moving an app to another project needs the same right there. */
async function requireOnProject(r: RouteRequest, app: Application, action: 'update' | 'create') {
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const object = `${app.spec.project}/${app.metadata.name}`;
  if (!rbac.enforce(r.principal.subject, 'applications', action, object))
    throw forbidden(`permission denied: applications, ${action}, ${object}`);
}

/** `PATCH /applications/:name` {patch, patchType: merge|json}: patch, validate, then update. */
async function patchApp(r: RouteRequest) {
  const current = await r.app();
  const { patch: patchText, patchType } = checkedBody(
    applicationPatchRequestSchema,
    await r.json(),
  );
  let patch: unknown;
  try {
    patch = JSON.parse(patchText);
  } catch {
    throw invalid('patch must be a JSON document (as a string)');
  }
  const base = stripServerFields(current);
  const patched =
    patchType === 'json' ? applyJsonPatch(base, patch) : applyJsonMergePatch(base, patch);
  // Whatever the patch did to status or operation is dropped here: only spec, labels and
  // annotations reach the cluster (withSpecAndMeta).
  const next = await parseApplication(r, patched);
  if (next.metadata.name !== current.metadata.name)
    throw invalid('a patch cannot rename an application');
  if (next.spec.project !== current.spec.project) await requireOnProject(r, next, 'update');
  return r.ctx.store.updateApp(current.metadata.name, (latest) => withSpecAndMeta(latest, next));
}

async function deleteApp(r: RouteRequest) {
  const app = await r.app();
  const cascade = r.query('cascade') !== 'false';
  const policy = r.query('propagationPolicy') === 'background' ? 'background' : 'foreground';
  const others = (app.metadata.finalizers ?? []).filter(
    (f) =>
      !Object.values(cascadeFinalizers).includes(f as never) &&
      f !== 'resources-finalizer.argocd.argoproj.io/foreground',
  );
  const finalizers = cascade ? [...others, cascadeFinalizers[policy]] : others;
  await r.ctx.store.patchApp(app.metadata.name, { metadata: { finalizers } });
  await r.ctx.store.deleteApp(app.metadata.name);
  return {};
}

function windowCheck(r: RouteRequest, app: Application, project: AppProject | undefined) {
  const verdict = appSyncAllowed(project, app, { manual: true, now: r.ctx.now() });
  if (!verdict.allowed) throw precondition(`cannot sync: ${verdict.message}`);
}

/**
 * Starts an operation by writing `operation`, which the controller picks up. The checks run on
 * the app as the apiserver has it and the write is conditional on that version: of two requests
 * at once, the second sees the first's operation and is refused.
 */
async function startOperation(
  r: RouteRequest,
  app: Application,
  sync: NonNullable<Operation['sync']>,
  retry?: Operation['retry'],
  info?: Operation['info'],
) {
  const project = (await r.ctx.settings.get()).projects.find(
    (p) => p.metadata.name === app.spec.project,
  );
  const operation: Operation = {
    initiatedBy: { username: r.principal.name || 'anonymous' },
    sync,
    ...(retry ? { retry } : {}),
    ...(info?.length ? { info } : {}),
  };
  return r.ctx.store.writeApp(app.metadata.name, (latest) => {
    if (latest.spec.project !== app.spec.project)
      throw precondition('the application moved to another project; retry the request');
    if (latest.operation || latest.status?.operationState?.phase === OperationPhase.Running)
      throw precondition('another operation is already in progress');
    windowCheck(r, latest, project);
    return { operation };
  });
}

type SyncBody = BodyOf<typeof syncRequestSchema>;

/**
 * Local manifests, as Argo CD's Sync takes them: every one a string, the caller allowed to
 * `override` the app (a local sync replaces what Git says), and refused under automated sync
 * unless a dry run (the next automated sync would undo it at once).
 */
async function localManifests(r: RouteRequest, app: Application, b: SyncBody) {
  const manifests = b.manifests;
  if (manifests === undefined || manifests.length === 0) return undefined;
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const object = `${app.spec.project}/${app.metadata.name}`;
  if (!rbac.enforce(r.principal.subject, 'applications', 'override', object))
    throw forbidden(`permission denied: applications, override, ${object}`);
  const automated = app.spec.syncPolicy?.automated;
  if (automated && automated.enabled !== false && !b.dryRun)
    throw precondition(
      'cannot use local sync when Automatic Sync Policy is enabled unless for dry run',
    );
  return manifests;
}

async function syncApp(r: RouteRequest) {
  const app = await r.app();
  const b = checkedBody(syncRequestSchema, await r.json());
  const manifests = await localManifests(r, app, b);
  const sync: NonNullable<Operation['sync']> = {
    ...(b.revision ? { revision: b.revision } : {}),
    ...(b.prune !== undefined ? { prune: b.prune } : {}),
    ...(b.dryRun !== undefined ? { dryRun: b.dryRun } : {}),
    ...(b.strategy ? { syncStrategy: b.strategy } : {}),
    ...(b.resources?.length ? { resources: b.resources } : {}),
    ...(b.syncOptions?.items?.length ? { syncOptions: b.syncOptions.items } : {}),
    ...(manifests ? { manifests } : {}),
  };
  return startOperation(r, app, sync, b.retryStrategy, b.infos);
}

async function rollbackApp(r: RouteRequest) {
  const app = await r.app();
  const b = checkedBody(rollbackRequestSchema, await r.json());
  const automated = app.spec.syncPolicy?.automated;
  if (automated && automated.enabled !== false)
    throw precondition('rollback cannot be initiated when auto-sync is enabled');
  const history = app.status?.history ?? [];
  const entry = b.id === undefined ? history.at(-2) : history.find((h) => h.id === b.id);
  if (!entry?.revision)
    throw invalid(
      b.id === undefined
        ? 'no earlier deployment to roll back to'
        : `application ${app.metadata.name} has no history entry ${b.id}`,
    );
  return startOperation(r, app, {
    revision: entry.revision,
    ...(entry.source ? { source: entry.source } : {}),
    ...(b.prune !== undefined ? { prune: b.prune } : {}),
    ...(b.dryRun !== undefined ? { dryRun: b.dryRun } : {}),
  });
}

/**
 * As Argo CD: the phase goes to Terminating; the controller stops the sync and cleans up. Written
 * conditionally on the operation state it read, so it never lands on an operation that ended.
 */
async function terminateOperation(r: RouteRequest) {
  const app = await r.app();
  await r.ctx.store.writeApp(app.metadata.name, (latest) => {
    const state = latest.status?.operationState;
    if (state?.phase !== OperationPhase.Running)
      throw precondition('Unable to terminate operation. No operation is in progress');
    return { status: { operationState: { ...state, phase: OperationPhase.Terminating } } };
  });
  return {};
}

const object = { kind: 'rbac', resource: 'applications' } as const;
const base = '/api/v1/applications';

export const applicationRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: base,
    summary: 'List applications (?selector, projects, repo, cluster, sync, health, name)',
    access: { kind: 'authenticated' },
    handle: listApps,
  },
  {
    method: 'POST',
    path: base,
    summary: 'Create an application (?upsert=true replaces a different spec)',
    access: {
      ...object,
      action: 'create',
      object: async (r) => {
        const b = ownBody(await r.json()) as {
          metadata?: { name?: string };
          spec?: { project?: string };
        };
        return `${b.spec?.project ?? ''}/${b.metadata?.name ?? ''}`;
      },
    },
    handle: createApp,
  },
  {
    method: 'GET',
    path: `${base}/:name`,
    summary: 'Get an application (?refresh=normal|hard)',
    access: { ...object, action: 'get', object: appObject },
    handle: async (r) => refreshed(r, await r.app()),
  },
  {
    method: 'PUT',
    path: `${base}/:name`,
    summary: 'Update an application',
    access: { ...object, action: 'update', object: appObject },
    handle: updateApp,
  },
  {
    method: 'PATCH',
    path: `${base}/:name`,
    summary: 'Patch an application ({patch, patchType: merge|json})',
    access: { ...object, action: 'update', object: appObject },
    handle: patchApp,
  },
  {
    method: 'PUT',
    path: `${base}/:name/spec`,
    summary: "Update an application's spec",
    access: { ...object, action: 'update', object: appObject },
    handle: updateSpec,
  },
  {
    method: 'DELETE',
    path: `${base}/:name`,
    summary:
      'Delete an application (?cascade=false orphans its resources; ?propagationPolicy=foreground|background)',
    access: { ...object, action: 'delete', object: appObject },
    handle: deleteApp,
  },
  {
    method: 'POST',
    path: `${base}/:name/sync`,
    summary: 'Sync an application',
    access: { ...object, action: 'sync', object: appObject },
    handle: syncApp,
  },
  {
    method: 'POST',
    path: `${base}/:name/rollback`,
    summary: 'Roll back to a history entry',
    access: { ...object, action: 'sync', object: appObject },
    handle: rollbackApp,
  },
  {
    method: 'DELETE',
    path: `${base}/:name/operation`,
    summary: 'Terminate the running operation',
    access: { ...object, action: 'sync', object: appObject },
    handle: terminateOperation,
  },
];
