/**
 * The CLI's side of the API server: the client config file with its contexts, the REST client
 * and its errors. Commands import from here, never from the files behind it.
 */
export {
  createApiClient,
  queryString,
  type ApiClient,
  type ApiClientOptions,
  type Method,
  type Query,
  type QueryValue,
  type RequestOptions,
} from './client.ts';
export {
  NoServerError,
  currentContext,
  emptyConfig,
  loadConfig,
  noServerMessage,
  normalizeServer,
  parseConfig,
  removeContext,
  resolveTarget,
  saveConfig,
  upsertContext,
  type ClientConfig,
  type ClientContext,
  type LoadedConfig,
  type ResolveResult,
  type Target,
  type TargetEnv,
  type TargetFlags,
} from './contexts.ts';
export { ApiError, notLoggedInMessage } from './errors.ts';
export { createNodeFetch, type FetchLike } from './node-fetch.ts';
export { createSseParser, type SseEvent, type SseParser } from './sse.ts';
export type * from './types.ts';
