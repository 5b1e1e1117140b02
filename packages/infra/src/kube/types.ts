import type { KubeObject } from '@gitward/model';

/** How to reach one apiserver: its URL, PEM material and credentials, all already resolved. */
export interface KubeConnection {
  server: string;
  /** PEM CA bundle that signs the server's certificate; the system roots when absent. */
  ca?: string;
  /** PEM client certificate and key for client-certificate authentication. */
  cert?: string;
  key?: string;
  /** Bearer token. Never logged or put in an error message. */
  token?: string;
  /** A token that changes (rotated file, exec plugin): asked per request, wins over `token`. */
  tokenSource?: TokenSource;
  insecureSkipTlsVerify?: boolean;
  /** The name the server's certificate must carry when it differs from the URL's host. */
  tlsServerName?: string;
}

/** A bearer token that may change: cached, and re-made after `invalidate` (a 401). */
export interface TokenSource {
  token(): Promise<string>;
  /** The apiserver refused the current token: the next `token()` makes or reads a fresh one. */
  invalidate(): void;
}

/** The HTTP methods the apiserver's REST API uses. */
export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Options of one {@link KubeClient.request}. */
export interface KubeRequestOptions {
  /** Sent as JSON; a string is sent as it is (for YAML apply patches). */
  body?: unknown;
  /** Defaults to application/json, and to application/merge-patch+json for PATCH. */
  contentType?: string;
  query?: Record<string, string>;
  /** Aborting it destroys the request, which then rejects (with a Timeout code for a timeout). */
  signal?: AbortSignal;
}

/** What the apiserver answered: any HTTP status is a value, only transport failures throw. */
export interface KubeResponse<T> {
  status: number;
  /** Parsed JSON when the server answered JSON, else the text (undefined when empty). */
  body: T;
}

/** A minimal client of the apiserver's REST API. */
export interface KubeClient {
  /** One request; non-2xx statuses come back as values, network failures and timeouts throw. */
  request<T = unknown>(
    method: KubeMethod,
    path: string,
    opts?: KubeRequestOptions,
  ): Promise<KubeResponse<T>>;
  /** Every resource type the server serves, from aggregated discovery or the legacy endpoints. */
  discover(): Promise<ApiResourceIndex>;
  /** The server's /version. */
  serverVersion(): Promise<{ gitVersion: string; major: string; minor: string }>;
  /**
   * Lists a collection in pages (`limit`/`continue`, 500 a page) and returns all items, each with
   * its apiVersion and kind filled in, plus the list's resourceVersion to watch from.
   */
  list<T extends KubeObject = KubeObject>(
    path: string,
    opts?: KubeListOptions,
  ): Promise<KubeList<T>>;
  /**
   * Watches a collection: calls `onEvent` for each event of the newline-delimited JSON stream.
   * Resolves when the server ends the stream or `opts.signal` aborts it; rejects on a non-200
   * answer (a KubeStatusError), a network failure, or when `onEvent` throws (with that error).
   */
  watch(path: string, opts: KubeWatchOptions, onEvent: (e: WatchEvent) => void): Promise<void>;
}

/** Options of {@link KubeClient.list}. */
export interface KubeListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Page size (default 500, as Argo CD's cluster cache). */
  limit?: number;
  signal?: AbortSignal;
}

/** A whole collection and the resourceVersion it was read at. */
export interface KubeList<T> {
  items: T[];
  resourceVersion: string;
}

/** Options of {@link KubeClient.watch}. */
export interface KubeWatchOptions {
  /** Start after this version (from a list or the last event seen); absent = "any recent state". */
  resourceVersion?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  /** The server ends the stream after this long; the client gives up a minute later. */
  timeoutSeconds?: number;
  signal: AbortSignal;
}

/** A metav1.Status, as the apiserver sends for failures (and in watch ERROR events). */
export interface KubeStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  [key: string]: unknown;
}

/** One watch event; ERROR carries a Status (410 Gone: the resourceVersion is too old). */
export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: KubeStatus };

/** One resource type in one group-version (subresources excluded). */
export interface ApiResource {
  /** '' for the core group. */
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  verbs: string[];
  /** Whether `version` is the server's preferred version of `group`. */
  preferred: boolean;
}

/** The discovered resource types, with the lookups the rest of gitward needs. */
export interface ApiResourceIndex {
  resources: ApiResource[];
  /** The resource for a group and kind, in the preferred version when the group serves several. */
  lookup(group: string, kind: string): ApiResource | undefined;
  /** `v1`, `apps/v1`, `apps/v1/Deployment`, ...: both forms, as helm's --api-versions wants. */
  apiVersions(): string[];
}
