/**
 * @module @gitward/server
 * Owns the API server: authentication, policy.csv RBAC on every route, Git webhooks with
 * signature checks, and serving the web UI. (Filled by the "API server" issue.)
 */
export {};
