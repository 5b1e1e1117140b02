/**
 * The CLI's client for gitward's REST API (Argo CD's routes and JSON): one generic `request`,
 * typed helpers per route, and the application watch stream. Every failure becomes an ApiError
 * with a one-line message; the bearer token is sent in a header and nowhere else.
 */
import {
  ErrorCode,
  type AppProject,
  type Application,
  type ApplicationSpec,
  type RepoCredsView,
} from '@gitward/model';
import { ApiError, httpError, isAbort, oneLine, unreachableError } from './errors.ts';
import { createNodeFetch, type FetchLike } from './node-fetch.ts';
import { createSseParser, type SseEvent } from './sse.ts';
import type {
  AccountView,
  ApplicationCreateOptions,
  ApplicationDeleteOptions,
  ApplicationGetOptions,
  ApplicationPatchRequest,
  ApplicationQuery,
  ApplicationTree,
  ApplicationWatchEvent,
  AppResourceQuery,
  CanIResponse,
  ClusterCreateRequest,
  ClusterUpdateRequest,
  ClusterView,
  DeleteResourceOptions,
  EventsQuery,
  ItemList,
  KubeEvent,
  ManifestResponse,
  PatchType,
  RepoCredsRequest,
  RepositoryCreateOptions,
  RepositoryCreateRequest,
  RepositoryView,
  ResourceAction,
  ResourceActionsListResponse,
  ResourceDiff,
  ResourcesQuery,
  RollbackRequest,
  SessionCreateRequest,
  StreamEnd,
  SyncRequest,
  TokenCreateRequest,
  TokenResponse,
  UpdatePasswordRequest,
  UserInfo,
  VersionMessage,
} from './types.ts';

export type QueryValue = string | number | boolean | readonly string[] | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface RequestOptions {
  readonly query?: Query | undefined;
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
}

export interface ApiClientOptions {
  /** Base URL, e.g. `https://host:port` (see resolveTarget). */
  readonly server: string;
  readonly token?: string | undefined;
  /** Accept a self-signed certificate (see node-fetch.ts for how). */
  readonly insecure?: boolean | undefined;
  /** Replaces the transport entirely (tests, proxies); `insecure` is then the caller's job. */
  readonly fetch?: FetchLike | undefined;
  readonly userAgent?: string | undefined;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiClient {
  readonly server: string;
  request<T>(method: Method, path: string, opts?: RequestOptions): Promise<T>;
  readonly session: {
    create(req: SessionCreateRequest): Promise<TokenResponse>;
    delete(): Promise<void>;
    userInfo(): Promise<UserInfo>;
  };
  readonly applications: {
    list(query?: ApplicationQuery): Promise<Application[]>;
    get(name: string, opts?: ApplicationGetOptions): Promise<Application>;
    create(app: Application, opts?: ApplicationCreateOptions): Promise<Application>;
    update(app: Application, opts?: { validate?: boolean }): Promise<Application>;
    updateSpec(
      name: string,
      spec: ApplicationSpec,
      opts?: { validate?: boolean; appNamespace?: string },
    ): Promise<ApplicationSpec>;
    /** Argo CD's `PATCH /applications/NAME`: a JSON (RFC 6902) or merge (RFC 7386) patch. */
    patch(name: string, req: ApplicationPatchRequest): Promise<Application>;
    delete(name: string, opts?: ApplicationDeleteOptions): Promise<void>;
    sync(name: string, req?: SyncRequest): Promise<Application>;
    rollback(name: string, req: RollbackRequest): Promise<Application>;
    terminateOperation(name: string, opts?: { appNamespace?: string }): Promise<void>;
    resourceTree(name: string, opts?: { appNamespace?: string }): Promise<ApplicationTree>;
    managedResources(name: string, query?: ResourcesQuery): Promise<ResourceDiff[]>;
    manifests(
      name: string,
      opts?: { revision?: string; appNamespace?: string },
    ): Promise<ManifestResponse>;
    events(name: string, query?: EventsQuery): Promise<KubeEvent[]>;
    /** Deletes one object of the app's tree. */
    deleteResource(name: string, opts: DeleteResourceOptions): Promise<void>;
    /** The actions one object of the app's tree offers. */
    resourceActions(name: string, ref: AppResourceQuery): Promise<readonly ResourceAction[]>;
    /** Runs an action on one object of the app's tree (Argo CD's v2 request). */
    runResourceAction(
      name: string,
      ref: AppResourceQuery,
      action: string,
      params?: Readonly<Record<string, string>>,
    ): Promise<void>;
    /** Patches one object of the app's tree; the answer is the object after the patch. */
    patchResource(
      name: string,
      ref: AppResourceQuery,
      patch: string,
      patchType: PatchType,
    ): Promise<{ manifest?: string }>;
  };
  readonly projects: {
    list(): Promise<AppProject[]>;
    get(name: string): Promise<AppProject>;
    create(project: AppProject, opts?: { upsert?: boolean }): Promise<AppProject>;
    update(project: AppProject): Promise<AppProject>;
    delete(name: string): Promise<void>;
    /** A JWT for a project role; the token is printed once and never stored. */
    createRoleToken(project: string, role: string, req: TokenCreateRequest): Promise<string>;
  };
  readonly repositories: {
    list(): Promise<RepositoryView[]>;
    get(url: string): Promise<RepositoryView>;
    create(repo: RepositoryCreateRequest, opts?: RepositoryCreateOptions): Promise<RepositoryView>;
    delete(url: string): Promise<void>;
  };
  /** Credential templates (`repo-creds`): credentials serving every URL under a prefix. */
  readonly repoCreds: {
    list(): Promise<RepoCredsView[]>;
    create(creds: RepoCredsRequest, opts?: { upsert?: boolean }): Promise<RepoCredsView>;
    delete(url: string): Promise<void>;
  };
  readonly clusters: {
    list(): Promise<ClusterView[]>;
    /** By server URL or registered name. */
    get(serverOrName: string): Promise<ClusterView>;
    create(cluster: ClusterCreateRequest, opts?: { upsert?: boolean }): Promise<ClusterView>;
    /** Name, namespaces or project of a registered cluster (`cluster set`). */
    update(serverOrName: string, changes: ClusterUpdateRequest): Promise<ClusterView>;
    /** A new service-account token for the cluster, made by the server; the old one revoked. */
    rotateAuth(serverOrName: string): Promise<ClusterView>;
    delete(serverOrName: string): Promise<void>;
  };
  readonly account: {
    list(): Promise<AccountView[]>;
    get(name: string): Promise<AccountView>;
    /** `can-i ACTION RESOURCE OBJECT`, e.g. `sync applications default/web`. */
    canI(action: string, resource: string, object: string): Promise<boolean>;
    updatePassword(req: UpdatePasswordRequest): Promise<void>;
    createToken(account: string, opts?: TokenCreateRequest): Promise<string>;
    /** Revokes one API token of the account, by its id. */
    deleteToken(account: string, id: string): Promise<void>;
  };
  version(): Promise<VersionMessage>;
  /**
   * Watches Applications (`GET /api/v1/stream/applications`). Resolves `closed` when the server
   * ends the stream (callers that wait reconnect), `aborted` when `signal` fires; rejects with
   * an ApiError on failure, or with whatever `onEvent` throws.
   */
  streamApplications(
    query: ApplicationQuery,
    onEvent: (e: ApplicationWatchEvent) => void,
    signal?: AbortSignal,
  ): Promise<StreamEnd>;
}

/** Builds `?a=1&b=x&b=y`: lists repeat the key, as grpc-gateway reads them. */
export function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      params.append(key, String(value));
    } else {
      for (const v of value) params.append(key, v);
    }
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

const seg = (s: string): string => encodeURIComponent(s);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** List responses are `{ items: [...] }`; grpc-gateway omits (or nulls) an empty list. */
function items<T>(list: ItemList<T> | undefined): T[] {
  return list?.items ?? [];
}

const watchTypes = new Set(['ADDED', 'MODIFIED', 'DELETED']);

function malformed(server: string, what: string): ApiError {
  return new ApiError({
    status: 0,
    code: ErrorCode.Internal,
    message: `${server} sent ${what}: is it a gitward server?`,
  });
}

/** One stream message: `{ result: { type, application } }`, or `{ error: … }` mid-stream. */
function watchEvent(server: string, e: SseEvent, token: string | undefined): ApplicationWatchEvent {
  let doc: unknown;
  try {
    doc = JSON.parse(e.data);
  } catch {
    throw malformed(server, 'a stream event that is not JSON');
  }
  if (isRecord(doc) && doc['error'] !== undefined) {
    // The stream began with 200; the failure came later. 500 stands for "the server failed".
    throw httpError({
      status: 500,
      statusText: '',
      body: e.data,
      method: 'GET',
      path: '/api/v1/stream/applications',
      token,
    });
  }
  const result = isRecord(doc) ? doc['result'] : undefined;
  if (
    !isRecord(result) ||
    !watchTypes.has(String(result['type'])) ||
    !isRecord(result['application'])
  ) {
    throw malformed(server, 'a stream event without result.type and result.application');
  }
  return result as unknown as ApplicationWatchEvent;
}

export function createApiClient(opts: ApiClientOptions): ApiClient {
  const server = opts.server.replace(/\/+$/, '');
  const token = opts.token === '' ? undefined : opts.token;
  const doFetch: FetchLike =
    opts.fetch ?? (opts.insecure ? createNodeFetch({ rejectUnauthorized: false }) : fetch);

  function headers(accept: string, hasBody: boolean): Record<string, string> {
    const h: Record<string, string> = { accept };
    if (hasBody) h['content-type'] = 'application/json';
    if (token !== undefined) h['authorization'] = `Bearer ${token}`;
    if (opts.userAgent !== undefined) h['user-agent'] = opts.userAgent;
    return h;
  }

  async function send(
    method: Method,
    path: string,
    ro: RequestOptions,
    accept: string,
  ): Promise<Response> {
    const hasBody = ro.body !== undefined;
    let res: Response;
    try {
      res = await doFetch(`${server}${path}${queryString(ro.query)}`, {
        method,
        headers: headers(accept, hasBody),
        ...(hasBody ? { body: JSON.stringify(ro.body) } : {}),
        ...(ro.signal ? { signal: ro.signal } : {}),
      });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw unreachableError(server, err, token);
    }
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      throw httpError({
        status: res.status,
        statusText: res.statusText,
        body,
        method,
        path,
        token,
      });
    }
    return res;
  }

  async function request<T>(method: Method, path: string, ro: RequestOptions = {}): Promise<T> {
    const res = await send(method, path, ro, 'application/json');
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      if (isAbort(err)) throw err;
      throw unreachableError(server, err, token);
    }
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      const type = oneLine(res.headers.get('content-type') ?? 'no content type');
      throw malformed(server, `a ${type} answer to ${method} ${path} where JSON was expected`);
    }
  }

  async function streamApplications(
    query: ApplicationQuery,
    onEvent: (e: ApplicationWatchEvent) => void,
    signal?: AbortSignal,
  ): Promise<StreamEnd> {
    const path = '/api/v1/stream/applications';
    let res: Response;
    try {
      res = await send('GET', path, { query: { ...query }, signal }, 'text/event-stream');
    } catch (err) {
      if (signal?.aborted) return 'aborted';
      throw err;
    }
    // One chunk can hold several events: none is delivered after the caller aborted.
    const deliver = (e: SseEvent): void => {
      if (!signal?.aborted) onEvent(watchEvent(server, e, token));
    };
    return readStream(res, deliver, signal);
  }

  async function readStream(
    res: Response,
    onEvent: (e: SseEvent) => void,
    signal: AbortSignal | undefined,
  ): Promise<StreamEnd> {
    if (!res.body) return 'closed';
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser(onEvent);
    try {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (err) {
          if (signal?.aborted) return 'aborted';
          throw unreachableError(server, err, token);
        }
        if (chunk.done) break;
        // Errors from here on are the parser's or onEvent's: they propagate unchanged.
        parser.push(decoder.decode(chunk.value, { stream: true }));
      }
      parser.push(decoder.decode());
      parser.end();
      return 'closed';
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  }

  const get = <T>(path: string, query?: Query): Promise<T> => request<T>('GET', path, { query });
  const app = (name: string, sub = ''): string => `/api/v1/applications/${seg(name)}${sub}`;

  return {
    server,
    request,
    session: {
      create: (req) => request('POST', '/api/v1/session', { body: req }),
      delete: () => request('DELETE', '/api/v1/session'),
      userInfo: () => get('/api/v1/session/userinfo'),
    },
    applications: {
      list: async (query = {}) => items(await get('/api/v1/applications', { ...query })),
      get: (name, o = {}) => get(app(name), { ...o }),
      create: (a, o = {}) => request('POST', '/api/v1/applications', { query: { ...o }, body: a }),
      update: (a, o = {}) => request('PUT', app(a.metadata.name), { query: { ...o }, body: a }),
      updateSpec: (name, spec, o = {}) =>
        request('PUT', app(name, '/spec'), { query: { ...o }, body: spec }),
      patch: (name, req) => request('PATCH', app(name), { body: { name, ...req } }),
      delete: (name, o = {}) => request('DELETE', app(name), { query: { ...o } }),
      sync: (name, req = {}) => request('POST', app(name, '/sync'), { body: { name, ...req } }),
      rollback: (name, req) => request('POST', app(name, '/rollback'), { body: { name, ...req } }),
      terminateOperation: (name, o = {}) =>
        request('DELETE', app(name, '/operation'), { query: { ...o } }),
      resourceTree: (name, o = {}) => get(app(name, '/resource-tree'), { ...o }),
      managedResources: async (name, q = {}) =>
        items(await get(app(name, '/managed-resources'), { ...q })),
      manifests: (name, o = {}) => get(app(name, '/manifests'), { ...o }),
      events: async (name, q = {}) => items(await get(app(name, '/events'), { ...q })),
      deleteResource: (name, o) => request('DELETE', app(name, '/resource'), { query: { ...o } }),
      resourceActions: async (name, ref) =>
        (
          await get<Partial<ResourceActionsListResponse>>(app(name, '/resource/actions'), {
            ...ref,
          })
        ).actions ?? [],
      runResourceAction: async (name, ref, action, params = {}) => {
        await request('POST', app(name, '/resource/actions/v2'), {
          body: {
            name,
            ...ref,
            action,
            resourceActionParameters: Object.entries(params).map(([n, value]) => ({
              name: n,
              value,
            })),
          },
        });
      },
      // Argo CD's body is the patch itself, as a JSON string (grpc-gateway's `body: "patch"`).
      patchResource: (name, ref, patch, patchType) =>
        request('POST', app(name, '/resource'), { query: { ...ref, patchType }, body: patch }),
    },
    projects: {
      list: async () => items(await get('/api/v1/projects')),
      get: (name) => get(`/api/v1/projects/${seg(name)}`),
      create: (project, o = {}) =>
        request('POST', '/api/v1/projects', { body: { project, upsert: o.upsert ?? false } }),
      update: (project) =>
        request('PUT', `/api/v1/projects/${seg(project.metadata.name)}`, { body: { project } }),
      delete: (name) => request('DELETE', `/api/v1/projects/${seg(name)}`),
      createRoleToken: async (project, role, req) => {
        const path = `/api/v1/projects/${seg(project)}/roles/${seg(role)}/token`;
        const res = await request<Partial<TokenResponse>>('POST', path, {
          body: { project, role, ...req },
        });
        if (!res.token) throw malformed(server, 'no token in its answer');
        return res.token;
      },
    },
    repositories: {
      list: async () => items(await get('/api/v1/repositories')),
      // The repository URL is one path segment, percent-encoded (slashes and all).
      get: (url) => get(`/api/v1/repositories/${seg(url)}`),
      create: (repo, o = {}) =>
        request('POST', '/api/v1/repositories', { query: { ...o }, body: repo }),
      delete: (url) => request('DELETE', `/api/v1/repositories/${seg(url)}`),
    },
    repoCreds: {
      list: async () => items(await get('/api/v1/repocreds')),
      create: (creds, o = {}) =>
        request('POST', '/api/v1/repocreds', { query: { ...o }, body: creds }),
      // The URL prefix is one path segment, percent-encoded, as repository URLs are.
      delete: (url) => request('DELETE', `/api/v1/repocreds/${seg(url)}`),
    },
    clusters: {
      list: async () => items(await get('/api/v1/clusters')),
      // The server URL is one path segment, percent-encoded, as repository URLs are.
      get: (server) => get(`/api/v1/clusters/${seg(server)}`),
      create: (cluster, o = {}) =>
        request('POST', '/api/v1/clusters', { query: { ...o }, body: cluster }),
      update: (server, changes) =>
        request('PUT', `/api/v1/clusters/${seg(server)}`, { body: changes }),
      rotateAuth: (server) => request('POST', `/api/v1/clusters/${seg(server)}/rotate-auth`),
      delete: (server) => request('DELETE', `/api/v1/clusters/${seg(server)}`),
    },
    account: {
      list: async () => items(await get('/api/v1/account')),
      get: (name) => get(`/api/v1/account/${seg(name)}`),
      canI: async (action, resource, object) => {
        const path = `/api/v1/account/can-i/${seg(resource)}/${seg(action)}/${seg(object)}`;
        const res = await get<CanIResponse>(path);
        return res.value === 'yes';
      },
      updatePassword: (req) => request('PUT', '/api/v1/account/password', { body: req }),
      createToken: async (account, o = {}) => {
        const body = { name: account, ...o };
        const res = await request<Partial<TokenResponse>>(
          'POST',
          `/api/v1/account/${seg(account)}/token`,
          { body },
        );
        if (!res.token) throw malformed(server, 'no token in its answer');
        return res.token;
      },
      deleteToken: (account, id) =>
        request('DELETE', `/api/v1/account/${seg(account)}/token/${seg(id)}`),
    },
    version: () => get('/api/version'),
    streamApplications,
  };
}
