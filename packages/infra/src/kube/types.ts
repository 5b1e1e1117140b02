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
  insecureSkipTlsVerify?: boolean;
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
}

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
