import { accountRoutes } from './accounts.ts';
import { appActionRoutes } from './app-actions.ts';
import { appResourceRoutes } from './app-resources.ts';
import { applicationRoutes } from './applications.ts';
import { clusterRoutes } from './clusters.ts';
import { projectRoutes } from './projects.ts';
import { repoCredsRoutes } from './repo-creds.ts';
import { repositoryRoutes } from './repositories.ts';
import type { RouteDef } from './route.ts';
import { systemRoutes } from './system.ts';

const openApiRoute: RouteDef = {
  method: 'GET',
  path: '/api/openapi.json',
  summary: 'This document',
  access: { kind: 'public' },
  handle: (r) => Promise.resolve(openApiDocument(r.ctx.version)),
};

/** Every route of the API, in one table: what it does and who may call it. */
export const routes: readonly RouteDef[] = [
  openApiRoute,
  ...systemRoutes,
  ...accountRoutes,
  ...applicationRoutes,
  ...appResourceRoutes,
  ...appActionRoutes,
  ...projectRoutes,
  ...repositoryRoutes,
  ...repoCredsRoutes,
  ...clusterRoutes,
];

/** An OpenAPI 3.1 document of the table, served at /api/openapi.json and checked by tests. */
export function openApiDocument(version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([a-zA-Z]+)(\{[^}]*\})?/g, '{$1}');
    const params = [...r.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(params.length ? { parameters: params } : {}),
      security: r.access.kind === 'public' ? [] : [{ bearer: [] }],
      'x-rbac':
        r.access.kind === 'rbac'
          ? { resource: r.access.resource, action: r.access.action }
          : r.access.kind,
      responses: {
        '200': { description: 'OK (JSON)' },
        default: { description: 'Error: {"error":{"code","message"}}' },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'gitward API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
