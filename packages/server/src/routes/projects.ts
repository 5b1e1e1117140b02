import { validateSyncWindow } from '@gitward/engine';
import {
  appProjectSchema,
  apiVersionOf,
  tokenCreateRequestSchema,
  type AppProject,
  type ItemList,
  type TokenResponse,
} from '@gitward/model';
import { issueProjectToken } from '../auth/index.ts';
import { invalid, notFound, precondition } from '../http/api-error.ts';
import { checkedBody, ownBody } from '../own.ts';
import { signingKey } from './signing-key.ts';
import type { RouteDef, RouteRequest } from './route.ts';

/** A ProjectRequest body (`{project}`, or the project itself) as an AppProject here. */
function parseProject(r: RouteRequest, body: unknown, name?: string): AppProject {
  const raw = ownBody(body);
  const inner = ownBody(raw['project'] ?? raw);
  const meta = ownBody(inner['metadata']);
  const p = checkedBody(
    appProjectSchema,
    {
      ...inner,
      apiVersion: apiVersionOf(r.ctx.store.group),
      kind: 'AppProject',
      metadata: { ...meta, ...(name ? { name } : {}), namespace: r.ctx.store.namespace },
      spec: inner['spec'] ?? {},
    },
    'project spec',
  );
  const problems = [
    ...(p.spec.sourceRepos ?? [])
      .filter((s) => s === '!*')
      .map(() => 'sourceRepos: "!*" is not allowed'),
    ...(p.spec.syncWindows ?? []).flatMap((w, i) =>
      validateSyncWindow(w).map((m) => `syncWindows[${i}]: ${m}`),
    ),
    ...(p.spec.roles ?? []).flatMap((role) =>
      (role.policies ?? [])
        .filter(
          (line) => !line.replace(/\s/g, '').startsWith(`p,proj:${p.metadata.name}:${role.name},`),
        )
        .map(
          (line) =>
            `role ${role.name}: policy "${line}" must have subject proj:${p.metadata.name}:${role.name}`,
        ),
    ),
  ];
  if (problems.length)
    throw invalid(`project ${p.metadata.name} is invalid: ${problems.join('; ')}`);
  return p;
}

async function project(r: RouteRequest): Promise<AppProject> {
  const name = r.params['project'] ?? r.params['name'] ?? '';
  const p = await r.ctx.store.getProject(name);
  if (!p) throw notFound(`project ${name} not found`);
  return p;
}

async function listProjects(r: RouteRequest): Promise<ItemList<AppProject>> {
  const settings = await r.ctx.settings.get();
  const rbac = await r.ctx.rbac(settings);
  const items = (await r.ctx.store.listProjects()).filter((p) =>
    rbac.enforce(r.principal.subject, 'projects', 'get', p.metadata.name),
  );
  return { items };
}

async function createProject(r: RouteRequest) {
  const p = parseProject(r, await r.json());
  const existing = await r.ctx.store.getProject(p.metadata.name);
  if (existing && r.query('upsert') === 'true')
    return r.ctx.store.replaceProject({ ...existing, spec: p.spec });
  const created = await r.ctx.store.createProject(p);
  r.ctx.settings.invalidate();
  return created;
}

async function updateProject(r: RouteRequest) {
  const current = await project(r);
  const p = parseProject(r, await r.json(), current.metadata.name);
  const updated = await r.ctx.store.replaceProject({ ...current, spec: p.spec });
  r.ctx.settings.invalidate();
  return updated;
}

async function deleteProject(r: RouteRequest) {
  const p = await project(r);
  const apps = await r.ctx.store.listApps();
  const users = apps.filter((a) => a.spec.project === p.metadata.name).length;
  if (users > 0)
    throw precondition(`project ${p.metadata.name} is referenced by ${users} application(s)`);
  await r.ctx.store.deleteProject(p.metadata.name);
  r.ctx.settings.invalidate();
  return {};
}

/** A project role token: minted here, remembered only by its id in the role's jwtTokens. */
async function createRoleToken(r: RouteRequest): Promise<TokenResponse> {
  const p = await project(r);
  const roleName = r.params['role'] ?? '';
  const b = checkedBody(tokenCreateRequestSchema, await r.json());
  const key = await signingKey(r);
  const out = await issueProjectToken(p, roleName, {
    key,
    now: r.ctx.now(),
    ...(b.id ? { id: b.id } : {}),
    ...(b.expiresIn ? { expiresInMs: b.expiresIn * 1000 } : {}),
  });
  if (!out.ok) throw invalid(out.message);
  const roles = (p.spec.roles ?? []).map((role) =>
    role.name === roleName ? { ...role, jwtTokens: [...(role.jwtTokens ?? []), out.entry] } : role,
  );
  await r.ctx.store.replaceProject({ ...p, spec: { ...p.spec, roles } });
  r.ctx.settings.invalidate();
  return { token: out.token };
}

async function deleteRoleToken(r: RouteRequest) {
  const p = await project(r);
  const roleName = r.params['role'] ?? '';
  const ref = r.params['iat'] ?? '';
  const roles = (p.spec.roles ?? []).map((role) =>
    role.name === roleName
      ? {
          ...role,
          jwtTokens: (role.jwtTokens ?? []).filter((t) => String(t.iat) !== ref && t.id !== ref),
        }
      : role,
  );
  await r.ctx.store.replaceProject({ ...p, spec: { ...p.spec, roles } });
  r.ctx.settings.invalidate();
  return {};
}

const base = '/api/v1/projects';
const byName = (r: RouteRequest) => r.params['name'] ?? r.params['project'] ?? '';
const rbac = (
  action: 'get' | 'create' | 'update' | 'delete',
  object: (r: RouteRequest) => Promise<string> | string = byName,
) => ({ kind: 'rbac', resource: 'projects', action, object }) as const;

export const projectRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: base,
    summary: 'List projects',
    access: { kind: 'authenticated' },
    handle: listProjects,
  },
  {
    method: 'POST',
    path: base,
    summary: 'Create a project',
    access: rbac('create', async (r) => {
      const b = ownBody(await r.json()) as {
        project?: { metadata?: { name?: string } };
        metadata?: { name?: string };
      };
      return (b.project ?? b).metadata?.name ?? '';
    }),
    handle: createProject,
  },
  {
    method: 'GET',
    path: `${base}/:name`,
    summary: 'Get a project',
    access: rbac('get'),
    handle: project,
  },
  {
    method: 'PUT',
    path: `${base}/:name`,
    summary: 'Update a project',
    access: rbac('update'),
    handle: updateProject,
  },
  {
    method: 'DELETE',
    path: `${base}/:name`,
    summary: 'Delete an unused project',
    access: rbac('delete'),
    handle: deleteProject,
  },
  {
    method: 'POST',
    path: `${base}/:project/roles/:role/token`,
    summary: 'Create a project role token',
    access: rbac('update'),
    handle: createRoleToken,
  },
  {
    method: 'DELETE',
    path: `${base}/:project/roles/:role/token/:iat`,
    summary: 'Revoke a project role token',
    access: rbac('update'),
    handle: deleteRoleToken,
  },
];
