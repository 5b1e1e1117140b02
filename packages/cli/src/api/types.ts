/**
 * The client's own option types: the query parameters each route takes, as the client builds
 * them (REST paths and queries are built in one place, client.ts). Request bodies and answers
 * are the API's shared types, declared once in @gitward/model (api/requests.ts, whose schemas
 * the server validates with, and api/responses.ts) and re-exported here for the commands.
 */
export type {
  AccountView,
  ApplicationPatchRequest,
  ApplicationTree,
  ApplicationWatchEvent,
  CanIResponse,
  ClusterCreateRequest,
  ClusterUpdateRequest,
  ClusterView,
  ConnectionState,
  ItemList,
  KubeEvent,
  ManifestResponse,
  RepoCredsRequest,
  RepositoryCreateRequest,
  RepositoryView,
  ResourceAction,
  ResourceActionsListResponse,
  ResourceDiff,
  ResourceNode,
  ResourceRef,
  RetryStrategy,
  RollbackRequest,
  SessionCreateRequest,
  SyncOperationResource,
  SyncRequest,
  TokenCreateRequest,
  TokenResponse,
  UpdatePasswordRequest,
  UserInfo,
  VersionMessage,
} from '@gitward/model';

/** Filters of `GET /api/v1/applications` (and of the application stream). */
export interface ApplicationQuery {
  readonly name?: string;
  readonly projects?: readonly string[];
  /** Label selector, e.g. `team=web,tier!=db`. */
  readonly selector?: string;
  readonly repo?: string;
  /** Destination cluster, by server URL or name. */
  readonly cluster?: string;
  readonly appNamespace?: string;
  readonly refresh?: RefreshType;
  readonly resourceVersion?: string;
}

export type RefreshType = 'normal' | 'hard';

export interface ApplicationGetOptions {
  readonly refresh?: RefreshType;
  readonly appNamespace?: string;
  readonly project?: string;
}

export interface ApplicationCreateOptions {
  /** Replace an existing Application of the same name instead of failing. */
  readonly upsert?: boolean;
  readonly validate?: boolean;
}

export interface ApplicationDeleteOptions {
  /** Delete the Application's resources too (Argo CD's default for `app delete`). */
  readonly cascade?: boolean;
  readonly propagationPolicy?: 'foreground' | 'background';
  readonly appNamespace?: string;
}

/** The object of an app's tree that `.../resource` routes name (query parameters). */
export interface AppResourceQuery {
  readonly group?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly resourceName: string;
}

/** `DELETE /api/v1/applications/{name}/resource`. */
export interface DeleteResourceOptions extends AppResourceQuery {
  readonly force?: boolean;
  readonly orphan?: boolean;
}

export type PatchType = 'json' | 'merge' | 'strategic';

/** Filters of `GET /api/v1/applications/{name}/managed-resources`. */
export interface ResourcesQuery {
  readonly group?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly version?: string;
  readonly appNamespace?: string;
  readonly project?: string;
}

/** Filters of `GET /api/v1/applications/{name}/events`; none means the Application's own. */
export interface EventsQuery {
  readonly resourceNamespace?: string;
  readonly resourceName?: string;
  readonly resourceUID?: string;
  readonly appNamespace?: string;
  readonly project?: string;
}

export interface RepositoryCreateOptions {
  readonly upsert?: boolean;
  readonly credsOnly?: boolean;
}

/** How a stream ended without an error: the server closed it, or the caller aborted. */
export type StreamEnd = 'closed' | 'aborted';
