/**
 * @module @gitward/server
 * Owns the API server: authentication (local accounts, sessions, API and project tokens),
 * policy.csv RBAC on every route (routes/index.ts is the table), Git webhooks with signature
 * checks, and the application stream. The process is main.ts; tests build the same API in
 * process with createServerContext + createApi.
 */
export { createApi, maxBodyBytes } from './app.ts';
export { createServerContext } from './context-factory.ts';
export type { ServerContext } from './context.ts';
export { openApiDocument, routes } from './routes/index.ts';
export { routeId, type Access, type RouteDef } from './routes/route.ts';
export { bootstrapSettings, settingsNames } from './settings.ts';
export { hashPassword } from './auth/index.ts';
export { checkClusterConnection, destinationKube, knownClusters } from './cluster/destinations.ts';
export { serverFlags, serverHelp } from './config.ts';
export { generateSelfSigned } from './tls.ts';
