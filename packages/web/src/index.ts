/**
 * @module @gitward/web
 * Owns the React web UI, built with Vite into `dist/` and served by the API server. It may import
 * only @gitward/model, never Node or Kubernetes code: it talks to the cluster through the API.
 */
export {};
