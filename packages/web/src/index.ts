/**
 * @module @gitward/web
 * Owns the React web UI, built with Vite. It may import only @gitward/model (and the API client),
 * never Node or Kubernetes code. (Filled by the "Web UI" issue.)
 */
export {};
