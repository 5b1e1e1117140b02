import type { Application } from '@gitward/model';
import type { RbacRequestAction, RbacResource, RbacSubject } from '../rbac/index.ts';
import type { TokenClaims } from '../auth/index.ts';
import type { ServerContext } from '../context.ts';

/** Who made the request, once authenticated (anonymous when no token came). */
export interface Principal {
  readonly subject: RbacSubject;
  /** The account name, `proj:<p>:<role>`, or '' for anonymous: what logs and history show. */
  readonly name: string;
  readonly claims?: TokenClaims;
}

/**
 * How a route is guarded. Every route says so in the table (routes/index.ts), and the RBAC tests
 * are generated from that table: a route cannot be added without deciding who may call it.
 */
export type Access =
  /** No login needed: health, version, login itself, webhooks (which check signatures). */
  | { readonly kind: 'public' }
  /** Any logged-in subject; the handler filters what it returns by RBAC (lists, can-i). */
  | { readonly kind: 'authenticated' }
  | {
      readonly kind: 'rbac';
      readonly resource: RbacResource;
      /** The action checked; with `actionOf`, how it reads in the route table and OpenAPI. */
      readonly action: RbacRequestAction;
      /** The action of this request, when it depends on it (`action/<group>/<Kind>/<name>`). */
      readonly actionOf?: (r: RouteRequest) => Promise<RbacRequestAction>;
      /** The RBAC object, e.g. `<project>/<app>`; may read the request's target. */
      readonly object: (r: RouteRequest) => Promise<string> | string;
    };

export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  query(name: string): string | undefined;
  queries(name: string): string[];
  /** The JSON body (400 when it is not JSON). */
  json(): Promise<unknown>;
  /** The raw body, for signature checks. */
  bytes(): Promise<Uint8Array>;
  header(name: string): string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly principal: Principal;
  readonly address: string;
  readonly ctx: ServerContext;
  /** The Application named by `:name`, read once per request (404 when missing). */
  app(): Promise<Application>;
  readonly signal: AbortSignal;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDef {
  readonly method: Method;
  /** Hono's syntax: `/api/v1/applications/:name`. */
  readonly path: string;
  readonly summary: string;
  readonly access: Access;
  /** A plain value is sent as JSON; a Response is sent as it is (streams, cookies). */
  handle(r: RouteRequest): Promise<unknown>;
}

export const routeId = (r: Pick<RouteDef, 'method' | 'path'>) => `${r.method} ${r.path}`;
