/**
 * The request bodies the API server accepts, one zod schema each: the server validates every
 * body with its schema (parseBody), and the CLI and the web UI build bodies of the types inferred
 * from the same schemas, so a field cannot be renamed on one side only. Field names are Argo CD's
 * (its grpc-gateway JSON); keys a schema does not name (Argo CD's CLI sends `name`,
 * `appNamespace`, ...) are accepted and dropped.
 */
import { z } from 'zod';
import type { AppProject } from '../application.ts';
import { retryStrategySchema } from '../application.ts';
import type { ClusterConfig } from '../repository.ts';

/** What a client may send: the schema's input, read-only so callers can pass what they hold. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

const str = z.string();
const optStr = str.exactOptional();
const optBool = z.boolean().exactOptional();
const strList = z.array(str);

/** A string that must be there and not be empty. */
const required = (message = 'must not be empty') =>
  z.string({ error: (i) => (i.input === undefined ? 'required' : undefined) }).min(1, message);

/** An int64 as grpc-gateway writes it (a JSON string) or as a number. */
const int64 = z.union([z.number().int(), str.regex(/^-?\d+$/).transform(Number)], {
  error: 'must be a whole number',
});

/** `POST /api/v1/session`. */
export const sessionCreateRequestSchema = z.object({
  username: required(),
  password: required(),
});
export type SessionCreateRequest = DeepReadonly<z.input<typeof sessionCreateRequestSchema>>;

/** `PUT /api/v1/account/password`: your own (name absent) or, with `accounts, update`, another's. */
export const updatePasswordRequestSchema = z.object({
  name: optStr,
  currentPassword: str.default(''),
  newPassword: str.default(''),
});
export type UpdatePasswordRequest = DeepReadonly<z.input<typeof updatePasswordRequestSchema>>;

/**
 * `POST /api/v1/account/:name/token` and `POST /api/v1/projects/:p/roles/:r/token`: expiresIn in
 * seconds, 0 or absent for no expiry.
 */
export const tokenCreateRequestSchema = z.object({
  expiresIn: int64.pipe(z.number().min(0, 'must not be negative')).exactOptional(),
  id: optStr,
  description: optStr,
});
export type TokenCreateRequest = DeepReadonly<z.input<typeof tokenCreateRequestSchema>>;

/** `PATCH /api/v1/applications/:name`: the patch as a JSON string, RFC 6902 or RFC 7386. */
export const applicationPatchRequestSchema = z.object({
  patch: z.string({ error: 'must be a JSON document, as a string' }),
  patchType: z.enum(['json', 'merge'], { error: 'must be json or merge' }).default('merge'),
});
export type ApplicationPatchRequest = DeepReadonly<z.input<typeof applicationPatchRequestSchema>>;

export const syncResourceSchema = z.object({
  group: optStr,
  kind: str,
  name: str,
  namespace: optStr,
});
export type SyncOperationResource = DeepReadonly<z.input<typeof syncResourceSchema>>;
export type RetryStrategy = DeepReadonly<z.input<typeof retryStrategySchema>>;

/** `POST /api/v1/applications/:name/sync` (Argo CD's SyncRequest, as far as gitward reads it). */
export const syncRequestSchema = z.object({
  revision: optStr,
  revisions: strList.exactOptional(),
  prune: optBool,
  dryRun: optBool,
  strategy: z
    .object({
      hook: z.object({ force: optBool }).exactOptional(),
      apply: z.object({ force: optBool }).exactOptional(),
    })
    .exactOptional(),
  /** A selective sync: only these objects of the app. */
  resources: z.array(syncResourceSchema).exactOptional(),
  syncOptions: z.object({ items: strList.exactOptional() }).exactOptional(),
  retryStrategy: retryStrategySchema.exactOptional(),
  /** `argocd app sync --info NAME=VALUE`: kept in operation.info. */
  infos: z.array(z.object({ name: str, value: str })).exactOptional(),
  /** `argocd app sync --local`: rendered manifests the controller applies instead of Git's. */
  manifests: z.array(str, { error: 'must be a list of strings' }).exactOptional(),
  /** Argo CD's; gitward serves one namespace, so it is accepted and not read. */
  appNamespace: optStr,
});
export type SyncRequest = DeepReadonly<z.input<typeof syncRequestSchema>>;

/** `POST /api/v1/applications/:name/rollback`; no id means the deployment before the last. */
export const rollbackRequestSchema = z.object({
  id: int64.exactOptional(),
  prune: optBool,
  dryRun: optBool,
  appNamespace: optStr,
});
export type RollbackRequest = DeepReadonly<z.input<typeof rollbackRequestSchema>>;

/**
 * `POST /api/v1/projects` and `PUT /api/v1/projects/:name`: `{project, upsert}` as Argo CD's
 * client sends it (a bare AppProject is read too). The project itself is checked with
 * appProjectSchema once the server has set its apiVersion, kind and namespace.
 */
export interface ProjectRequest {
  readonly project: AppProject;
  readonly upsert?: boolean;
}

/**
 * `POST /api/v1/repositories` and `.../:repo/validate`. Credentials are write-only: stored in the
 * repository Secret, never answered. An empty string counts as absent.
 */
export const repositoryRequestSchema = z.object({
  repo: optStr,
  /** git when absent or empty. */
  type: z.enum(['git', 'helm', 'oci', ''], { error: 'must be git, helm or oci' }).exactOptional(),
  name: optStr,
  project: optStr,
  username: optStr,
  password: optStr,
  sshPrivateKey: optStr,
  bearerToken: optStr,
  insecure: optBool,
  /** An OCI registry of Helm charts (Argo CD's `enableOCI`). */
  enableOCI: optBool,
  /** Plain HTTP to the OCI registry (Argo CD's `insecureOCIForceHttp`). */
  insecureOCIForceHttp: optBool,
});
/** The create route's body: the URL is required there (validate takes it from the path). */
export const repositoryCreateRequestSchema = repositoryRequestSchema.extend({
  repo: required('the repository URL is required'),
});
export type RepositoryRequest = DeepReadonly<z.input<typeof repositoryRequestSchema>>;
export type RepositoryCreateRequest = DeepReadonly<z.input<typeof repositoryCreateRequestSchema>>;

/** `POST /api/v1/repocreds`: a credential template for every repository under `url`. */
export const repoCredsRequestSchema = z.object({
  url: required('the URL prefix is required'),
  /** git when absent or empty. */
  type: z.enum(['git', 'helm', 'oci', ''], { error: 'must be git, helm or oci' }).exactOptional(),
  username: optStr,
  project: optStr,
  password: optStr,
  sshPrivateKey: optStr,
  bearerToken: optStr,
  insecure: optBool,
  enableOCI: optBool,
  insecureOCIForceHttp: optBool,
});
export type RepoCredsRequest = DeepReadonly<z.input<typeof repoCredsRequestSchema>>;

/** A repository or template `type`: git when absent or empty, as Argo CD reads it. */
export const repoTypeOf = (type: string | undefined): string =>
  type === undefined || type === '' ? 'git' : type;

const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `POST /api/v1/clusters`. `config` is Argo CD's cluster Secret config; its fields are checked
 * where the cluster Secret is parsed (engine parseClusterSecret), the one reader of that format.
 */
export const clusterCreateRequestSchema = z.object({
  server: required('the API server URL is required'),
  name: optStr,
  config: z.custom<ClusterConfig>(isObject, { error: 'must be an object' }).exactOptional(),
  /** The namespaces gitward may deploy to there (a comma-separated string is read too). */
  namespaces: z.union([str, strList], { error: 'must be a list of strings' }).exactOptional(),
  /** With namespaces: cluster-scoped objects may be managed too. */
  clusterResources: optBool,
  project: optStr,
});
export type ClusterCreateRequest = DeepReadonly<z.input<typeof clusterCreateRequestSchema>>;

/** `PUT /api/v1/clusters/:server` (`cluster set`): only the fields given change. */
export const clusterUpdateRequestSchema = z.object({
  name: str.refine((s) => s.trim() !== '', 'must be a non-empty string').exactOptional(),
  /** `[]` or `['*']` means every namespace. */
  namespaces: strList.exactOptional(),
  /** `''` makes the cluster unscoped again. */
  project: optStr,
});
export type ClusterUpdateRequest = DeepReadonly<z.input<typeof clusterUpdateRequestSchema>>;
