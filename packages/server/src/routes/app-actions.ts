/**
 * Resource actions, as Argo CD's API has them: `GET .../resource/actions` lists what one object of
 * the app's tree offers, `POST .../resource/actions` (the action name as a JSON string) and
 * `POST .../resource/actions/v2` (an object with the resource, the action and
 * `resourceActionParameters`) run one. Running needs the RBAC action
 * `action/<group>/<Kind>/<name>` on the app. What an action returns is applied here: a patch
 * only to the object it was run on, a create only of a kind the app's project permits in the
 * object's own namespace.
 */
import {
  actionSetFor,
  createMergePatch,
  objectPermitted,
  type ImpactedResource,
} from '@gitward/engine';
import type { ApiResourceIndex } from '@gitward/infra';
import {
  formatResourceKey,
  groupOf,
  resourceKeyOf,
  type AppProject,
  type KubeObject,
  type ResourceActionsListResponse,
} from '@gitward/model';
import { customizationsOf } from '../customizations.ts';
import { forbidden, invalid } from '../http/api-error.ts';
import { restPath } from '../live-state.ts';
import { appAccess, appResource, kubeFailure } from './app-resources.ts';
import type { RouteDef, RouteRequest } from './route.ts';

interface ActionCall {
  readonly group: string;
  readonly kind: string;
  readonly action: string;
  readonly params: Record<string, string>;
}

const bodyString = (o: Record<string, unknown>, k: string): string => {
  const v = Object.hasOwn(o, k) ? o[k] : undefined;
  return typeof v === 'string' ? v : '';
};

/** The v2 body's resource fields win over the query (the CLI sends both forms). */
function v2Params(body: Record<string, unknown>): Record<string, string> {
  const list = Object.hasOwn(body, 'resourceActionParameters')
    ? body['resourceActionParameters']
    : [];
  if (!Array.isArray(list)) throw invalid('resourceActionParameters must be a list');
  const params: Record<string, string> = {};
  for (const p of list) {
    if (typeof p !== 'object' || p === null) throw invalid('a parameter must be {name, value}');
    const name = bodyString(p as Record<string, unknown>, 'name');
    if (!name) throw invalid('a parameter must have a name');
    Object.defineProperty(params, name, {
      value: bodyString(p as Record<string, unknown>, 'value'),
      enumerable: true,
    });
  }
  return params;
}

/** What the request asks to run (read once; the RBAC check and the handler share it). */
const calls = new WeakMap<RouteRequest, Promise<ActionCall>>();
function actionCall(r: RouteRequest): Promise<ActionCall> {
  let known = calls.get(r);
  if (!known) {
    known = (async () => {
      const body = await r.json();
      if (typeof body === 'string')
        return {
          group: r.query('group') ?? '',
          kind: r.query('kind') ?? '',
          action: body,
          params: {},
        };
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw invalid('the body must be the action name (a JSON string) or a v2 request object');
      const b = body as Record<string, unknown>;
      return {
        group: bodyString(b, 'group') || (r.query('group') ?? ''),
        kind: bodyString(b, 'kind') || (r.query('kind') ?? ''),
        action: bodyString(b, 'action'),
        params: v2Params(b),
      };
    })();
    calls.set(r, known);
  }
  return known;
}

/** The resource a v2 body names, as the query would (appResource reads the query). */
function withBodyResource(r: RouteRequest, body: unknown): RouteRequest {
  if (typeof body !== 'object' || body === null) return r;
  const b = body as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [k, from] of [
    ['group', 'group'],
    ['kind', 'kind'],
    ['namespace', 'namespace'],
    ['resourceName', 'resourceName'],
  ] as const) {
    // An empty body field means "not given": the query's value then counts.
    const v = bodyString(b, from);
    if (v) fields[k] = v;
  }
  return { ...r, query: (n) => fields[n] ?? r.query(n), app: () => r.app() };
}

async function liveTarget(r: RouteRequest) {
  const { dest, node, path } = await appResource(r);
  const live = await dest.view.get(path);
  if (!live) throw kubeFailure(`${node.kind} ${node.name}`, 404, { message: 'it is gone' });
  const settings = await r.ctx.settings.get();
  const set = actionSetFor(
    customizationsOf(settings.cm, r.ctx.runScript).overrides,
    r.ctx.runScript,
    node.group,
    node.kind,
    r.ctx.now,
  );
  return { dest, node, path, live, set };
}

async function listActions(r: RouteRequest): Promise<ResourceActionsListResponse> {
  const { live, set } = await liveTarget(r);
  return { actions: set.list(live) };
}

/** The object without what a patch must not carry: status (its own subresource), versions. */
const withoutStatus = (o: KubeObject): Record<string, unknown> => {
  const rest: Record<string, unknown> = { ...o };
  delete rest['status'];
  const meta = { ...o.metadata } as Record<string, unknown>;
  delete meta['managedFields'];
  delete meta['resourceVersion'];
  return { ...rest, metadata: meta };
};
const statusOf = (o: KubeObject) => ({ status: (o as Record<string, unknown>)['status'] ?? null });

async function runActions(r: RouteRequest): Promise<object> {
  const call = await actionCall(r);
  if (!call.action) throw invalid('no action named');
  const req = withBodyResource(r, await r.json());
  const { dest, node, path, live, set } = await liveTarget(req);
  const impacted = set.run(call.action, live, call.params);
  const index = await dest.view.discover();
  const app = await r.app();
  const settings = await r.ctx.settings.get();
  const project = settings.projects.find((p) => p.metadata.name === app.spec.project);
  for (const i of impacted) await applyImpacted(i, { dest, node, path, live, index, project });
  r.ctx.logger.info(
    {
      user: r.principal.name || 'anonymous',
      app: app.metadata.name,
      action: call.action,
      resource: formatResourceKey(resourceKeyOf(live)),
      changed: impacted.map(
        (i) => `${i.operation} ${formatResourceKey(resourceKeyOf(i.resource))}`,
      ),
    },
    'resource action run',
  );
  return {};
}

/** What applying an action's result needs. */
interface Applying {
  readonly dest: Awaited<ReturnType<typeof appResource>>['dest'];
  readonly node: Awaited<ReturnType<typeof appResource>>['node'];
  readonly path: string;
  readonly live: KubeObject;
  readonly index: ApiResourceIndex;
  readonly project: AppProject | undefined;
}

/** A patch goes to the object the action was run on (and RBAC was checked for), only. */
async function applyPatch(resource: KubeObject, t: Applying): Promise<void> {
  const want = formatResourceKey(resourceKeyOf(t.live));
  const got = formatResourceKey(resourceKeyOf(resource));
  if (got !== want) throw forbidden(`the action may patch ${want} only, not ${got}`);
  const what = `${t.node.kind} ${t.node.name}`;
  const patch = createMergePatch(withoutStatus(t.live), withoutStatus(resource));
  if (Object.keys(patch).length) await send(t, t.path, patch, `patching ${what}`);
  const statusPatch = createMergePatch(statusOf(t.live), statusOf(resource));
  if (Object.keys(statusPatch).length)
    await send(t, `${t.path}/status`, statusPatch, `patching the status of ${what}`);
}

/** A create goes to the object's own namespace, of a kind its project permits there. */
async function applyCreate(created: KubeObject, t: Applying): Promise<void> {
  const ns = created.metadata.namespace ?? t.live.metadata.namespace;
  const api = t.index.lookup(groupOf(created.apiVersion), created.kind);
  if (!api) throw invalid(`the cluster does not serve ${created.apiVersion} ${created.kind}`);
  if (!api.namespaced || !ns || ns !== t.live.metadata.namespace)
    throw forbidden(
      `the action may create objects in ${t.live.metadata.namespace ?? 'its namespace'} only`,
    );
  const resource = { ...created, metadata: { ...created.metadata, namespace: ns } };
  const why = t.project
    ? objectPermitted(t.project, t.dest.cluster, resource, true)
    : 'the application has no project';
  if (why !== undefined) throw forbidden(why);
  const res = await t.dest.kube.request('POST', restPath(api, ns), { body: resource });
  const name = resource.metadata.name ?? '';
  if (res.status >= 300)
    throw kubeFailure(`creating ${resource.kind} ${name}`, res.status, res.body);
}

const applyImpacted = (i: ImpactedResource, t: Applying): Promise<void> =>
  i.operation === 'patch' ? applyPatch(i.resource, t) : applyCreate(i.resource, t);

async function send(t: Applying, path: string, patch: object, what: string) {
  const res = await t.dest.kube.request('PATCH', path, {
    body: patch,
    contentType: 'application/merge-patch+json',
  });
  if (res.status >= 300) throw kubeFailure(what, res.status, res.body);
}

/** `action/<group>/<Kind>/<name>` for the request (Argo CD's RBAC action for resource actions). */
const runAccess: RouteDef['access'] = {
  ...(appAccess('get') as Extract<RouteDef['access'], { kind: 'rbac' }>),
  action: 'action/<group>/<Kind>/<name>' as `action/${string}`,
  actionOf: async (r) => {
    const c = await actionCall(r);
    return `action/${c.group}/${c.kind}/${c.action}`;
  },
};

export const appActionRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/v1/applications/:name/resource/actions',
    summary:
      'The actions one object of the application offers (?group, kind, namespace, resourceName)',
    access: appAccess('get'),
    handle: listActions,
  },
  {
    method: 'POST',
    path: '/api/v1/applications/:name/resource/actions',
    summary:
      'Run an action on one object of the application (body: the action name as a JSON string; ?group, kind, namespace, resourceName)',
    access: runAccess,
    handle: runActions,
  },
  {
    method: 'POST',
    path: '/api/v1/applications/:name/resource/actions/v2',
    summary:
      'Run an action with parameters (body: {group, kind, namespace, resourceName, action, resourceActionParameters: [{name, value}]})',
    access: runAccess,
    handle: runActions,
  },
];
