/**
 * The request and response shapes of gitward's REST API as the CLI sees them. Field names are
 * Argo CD's (its grpc-gateway JSON), so the same client code reads either server. Only the
 * fields the CLI uses are typed; servers may send more.
 */
import type { Application, ClusterConfig } from '@gitward/model';

export interface SessionCreateRequest {
  readonly username: string;
  readonly password: string;
}

export interface UserInfo {
  readonly loggedIn: boolean;
  readonly username?: string;
  readonly iss?: string;
  readonly groups?: readonly string[];
}

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

/** The body of `PATCH /api/v1/applications/NAME`: the patch as a JSON string. */
export interface ApplicationPatchRequest {
  readonly patch: string;
  readonly patchType: 'json' | 'merge';
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

export interface SyncOperationResource {
  readonly group?: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

export interface RetryStrategy {
  readonly limit?: number;
  readonly backoff?: {
    readonly duration?: string;
    readonly factor?: number;
    readonly maxDuration?: string;
  };
  readonly refresh?: boolean;
}

/** Body of `POST /api/v1/applications/{name}/sync`. */
export interface SyncRequest {
  readonly revision?: string;
  readonly revisions?: readonly string[];
  readonly dryRun?: boolean;
  readonly prune?: boolean;
  readonly strategy?: {
    readonly hook?: { readonly force?: boolean };
    readonly apply?: { readonly force?: boolean };
  };
  readonly resources?: readonly SyncOperationResource[];
  readonly syncOptions?: { readonly items: readonly string[] };
  readonly retryStrategy?: RetryStrategy;
  readonly infos?: readonly { readonly name: string; readonly value: string }[];
  readonly manifests?: readonly string[];
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

/** Body of `POST /api/v1/applications/{name}/rollback`. */
export interface RollbackRequest {
  /** The history entry to roll back to. */
  readonly id: number;
  readonly dryRun?: boolean;
  readonly prune?: boolean;
  readonly appNamespace?: string;
}

export interface ResourceRef {
  readonly group?: string;
  readonly version?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/** One node of `GET /api/v1/applications/{name}/resource-tree`. */
export interface ResourceNode extends ResourceRef {
  readonly parentRefs?: readonly ResourceRef[];
  readonly info?: readonly { readonly name: string; readonly value: string }[];
  readonly resourceVersion?: string;
  readonly images?: readonly string[];
  readonly health?: { readonly status?: string; readonly message?: string };
  readonly createdAt?: string;
}

export interface ApplicationTree {
  readonly nodes?: readonly ResourceNode[];
  readonly orphanedNodes?: readonly ResourceNode[];
}

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

/** One managed resource with its target and live state (JSON strings, as Argo CD sends them). */
export interface ResourceDiff {
  readonly group?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly targetState?: string;
  readonly liveState?: string;
  readonly normalizedLiveState?: string;
  readonly predictedLiveState?: string;
  readonly diff?: string;
  readonly hook?: boolean;
  readonly resourceVersion?: string;
  readonly modified?: boolean;
}

export interface ManifestResponse {
  readonly manifests?: readonly string[];
  readonly namespace?: string;
  readonly server?: string;
  readonly revision?: string;
  readonly sourceType?: string;
}

/** Filters of `GET /api/v1/applications/{name}/events`; none means the Application's own. */
export interface EventsQuery {
  readonly resourceNamespace?: string;
  readonly resourceName?: string;
  readonly resourceUID?: string;
  readonly appNamespace?: string;
  readonly project?: string;
}

/** A Kubernetes core/v1 Event, as far as the CLI prints it. */
export interface KubeEvent {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly involvedObject?: Partial<ResourceRef>;
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
  readonly count?: number;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly source?: { readonly component?: string };
}

export interface ConnectionState {
  readonly status?: string;
  readonly message?: string;
  readonly attemptedAt?: string;
}

/** A repository as the API shows it (secrets are write-only: never returned). */
export interface Repository {
  readonly repo: string;
  readonly type?: 'git' | 'helm' | 'oci';
  readonly name?: string;
  readonly project?: string;
  readonly username?: string;
  readonly password?: string;
  readonly sshPrivateKey?: string;
  readonly bearerToken?: string;
  readonly insecure?: boolean;
  /** Whether the server stores a secret for it (it never returns one). */
  readonly hasCredentials?: boolean;
  readonly enableLfs?: boolean;
  readonly enableOCI?: boolean;
  readonly connectionState?: ConnectionState;
}

/** `POST /api/v1/repocreds`: a template; the secrets are write-only. */
export interface RepoCredsCreateRequest {
  readonly url: string;
  readonly type?: 'git' | 'helm';
  readonly username?: string;
  readonly password?: string;
  readonly sshPrivateKey?: string;
  readonly bearerToken?: string;
  readonly project?: string;
  readonly insecure?: boolean;
}

/** `PUT /api/v1/clusters/{server}`: only the fields given change. */
export interface ClusterUpdateRequest {
  readonly name?: string;
  readonly namespaces?: readonly string[];
  readonly project?: string;
}

/** `POST /api/v1/projects/{p}/roles/{r}/token`; expiresIn in seconds, 0 = never. */
export interface RoleTokenRequest {
  readonly expiresIn?: number;
  readonly id?: string;
  readonly description?: string;
}

export interface RepositoryCreateOptions {
  readonly upsert?: boolean;
  readonly credsOnly?: boolean;
}

export interface Cluster {
  readonly server: string;
  readonly name: string;
  readonly namespaces?: readonly string[];
  readonly project?: string;
  /** What the server shows of the config: never a credential. */
  readonly config?: { readonly tlsClientConfig?: { insecure?: boolean; serverName?: string } };
  /** Whether a token or client key is stored (they are never returned). */
  readonly hasCredentials?: boolean;
  readonly serverVersion?: string;
  readonly connectionState?: ConnectionState;
  readonly info?: {
    readonly serverVersion?: string;
    readonly connectionState?: ConnectionState;
    readonly applicationsCount?: number;
  };
}

/** The body of `POST /api/v1/clusters`. */
export interface ClusterCreateRequest {
  readonly server: string;
  readonly name: string;
  readonly config: ClusterConfig;
  readonly namespaces?: readonly string[];
  /** With namespaces: cluster-scoped objects may be managed too. */
  readonly clusterResources?: boolean;
  readonly project?: string;
}

export interface Account {
  readonly name: string;
  readonly enabled?: boolean;
  readonly capabilities?: readonly string[];
  readonly tokens?: readonly {
    readonly id?: string;
    readonly issuedAt?: number;
    readonly expiresAt?: number;
  }[];
}

export interface UpdatePasswordRequest {
  readonly currentPassword: string;
  readonly newPassword: string;
  /** Another account's password (needs `accounts, update`); default the caller's own. */
  readonly name?: string;
}

export interface CreateTokenOptions {
  /** Lifetime in seconds; 0 or absent means no expiry. */
  readonly expiresIn?: number;
  readonly id?: string;
}

/** `GET /api/version`; Argo CD's capitalized keys. */
export interface VersionMessage {
  readonly Version: string;
  readonly BuildDate?: string;
  readonly GitCommit?: string;
  readonly GitTreeState?: string;
  readonly Platform?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One event of `GET /api/v1/stream/applications`. */
export interface ApplicationWatchEvent {
  readonly type: WatchEventType;
  readonly application: Application;
}

/** How a stream ended without an error: the server closed it, or the caller aborted. */
export type StreamEnd = 'closed' | 'aborted';
