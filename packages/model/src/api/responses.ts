/**
 * What the API server answers, as the server produces it and the CLI and the web UI read it.
 * Plain interfaces: answers are built by the server and only read by clients, never parsed with
 * a schema. Field names are Argo CD's (its grpc-gateway JSON), so the CLI reads either server;
 * a field gitward does not send is optional, and servers may send more.
 */
import type { Application } from '../application.ts';

/** Lists are `{items}`; grpc-gateway leaves out (or nulls) an empty list. */
export interface ItemList<T> {
  readonly metadata?: { readonly continue?: string };
  readonly items?: T[] | null;
}

/** `POST /api/v1/session`, `POST .../token`: a JWT, shown once and stored nowhere. */
export interface TokenResponse {
  readonly token: string;
}

/** `GET /api/v1/session/userinfo`. */
export interface UserInfo {
  readonly loggedIn: boolean;
  readonly username?: string;
  readonly iss?: string;
  readonly groups?: readonly string[];
}

/** An account as `GET /api/v1/account[/:name]` shows it: token ids and times, never a token. */
export interface AccountView {
  readonly name: string;
  readonly enabled?: boolean;
  readonly capabilities?: readonly string[];
  readonly tokens?: readonly {
    readonly id?: string;
    /** Seconds since the epoch, as JWT claims. */
    readonly issuedAt?: number;
    readonly expiresAt?: number;
  }[];
}

/** `GET /api/v1/account/can-i/...`. */
export interface CanIResponse {
  /** `yes` or `no`. */
  readonly value?: string;
}

/** `GET /api/version`; Argo CD's capitalized keys (gitward sends its Version only). */
export interface VersionMessage {
  readonly Version: string;
  readonly BuildDate?: string;
  readonly GitCommit?: string;
  readonly GitTreeState?: string;
  readonly Platform?: string;
}

export interface ConnectionState {
  readonly status?: string;
  readonly message?: string;
  readonly attemptedAt?: string;
}

/** A repository as the API shows it: whether a credential is stored, never the credential. */
export interface RepositoryView {
  readonly repo: string;
  readonly type?: string;
  readonly name?: string;
  readonly project?: string;
  readonly username?: string;
  readonly hasCredentials?: boolean;
  readonly insecure?: boolean;
  readonly enableLfs?: boolean;
  readonly enableOCI?: boolean;
  /** Plain HTTP to the OCI registry (Argo CD's `insecureOCIForceHttp`). */
  readonly insecureOCIForceHttp?: boolean;
  readonly connectionState?: ConnectionState;
}

/** `POST /api/v1/repositories/:repo/validate`. */
export interface RepositoryValidateResponse {
  readonly connectionState: ConnectionState;
}

/** A cluster as the API shows it: Argo CD's fields without any credential. */
export interface ClusterView {
  readonly server: string;
  readonly name: string;
  readonly namespaces?: readonly string[];
  readonly clusterResources?: boolean;
  readonly project?: string;
  readonly config?: {
    readonly tlsClientConfig?: { readonly insecure?: boolean; readonly serverName?: string };
  };
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

/** `GET /api/v1/applications/:name/manifests`. */
export interface ManifestResponse {
  readonly manifests?: readonly string[];
  readonly namespace?: string;
  readonly server?: string;
  readonly revision?: string;
  readonly sourceType?: string;
}

/** One event of `GET /api/v1/stream/applications` (`{result: ...}` on the wire). */
export interface ApplicationWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly application: Application;
}

/**
 * An object of an app's tree as the resource routes name it. Argo CD leaves out an empty group
 * (core kinds), so every client reads a missing group as ''.
 */
export interface ResourceRef {
  readonly group?: string;
  readonly version?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

/** One node of `GET /api/v1/applications/:name/resource-tree`. */
export interface ResourceNode extends ResourceRef {
  readonly parentRefs?: readonly ResourceRef[];
  readonly info?: readonly { readonly name: string; readonly value: string }[];
  readonly resourceVersion?: string;
  readonly images?: readonly string[];
  readonly health?: { readonly status?: string; readonly message?: string };
  readonly createdAt?: string;
}

/** `GET /api/v1/applications/:name/resource-tree`. */
export interface ApplicationTree {
  readonly nodes?: readonly ResourceNode[];
  readonly orphanedNodes?: readonly ResourceNode[];
}

/**
 * One item of `GET /api/v1/applications/:name/managed-resources` (Argo CD's ResourceDiff): the
 * states are JSON strings, "null" for an object that is missing on that side.
 */
export interface ResourceDiff {
  readonly group?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status?: string;
  readonly health?: { readonly status?: string; readonly message?: string };
  readonly requiresPruning?: boolean;
  readonly hook?: boolean;
  /** Live differs from target (or one of them is missing). */
  readonly modified?: boolean;
  readonly resourceVersion?: string;
  readonly targetState?: string;
  readonly liveState?: string;
  /** Live, normalized as the comparison saw it. */
  readonly normalizedLiveState?: string;
  /** What live would be after a sync. */
  readonly predictedLiveState?: string;
  /** Unified diff from normalized live to predicted live; "" when in sync. */
  readonly diff?: string;
}

/** A Kubernetes core/v1 Event (`GET /api/v1/applications/:name/events`), as clients show it. */
export interface KubeEvent {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
  };
  readonly involvedObject?: Partial<ResourceRef>;
  readonly reason?: string;
  readonly message?: string;
  readonly type?: string;
  readonly count?: number;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  /** events.k8s.io's time, when first/lastTimestamp are unset. */
  readonly eventTime?: string;
  readonly source?: { readonly component?: string };
  readonly reportingComponent?: string;
}

/** A parameter a resource action takes (`--param NAME=VALUE`). */
export interface ResourceActionParam {
  readonly name: string;
  readonly type?: string;
  readonly default?: string;
}

/** An action a live object offers, as `GET .../resource/actions` lists it (Argo CD's shape). */
export interface ResourceAction {
  readonly name: string;
  readonly disabled: boolean;
  readonly params?: readonly ResourceActionParam[];
  readonly iconClass?: string;
  readonly displayName?: string;
}

/** `GET /api/v1/applications/:name/resource/actions`. */
export interface ResourceActionsListResponse {
  readonly actions: readonly ResourceAction[];
}
