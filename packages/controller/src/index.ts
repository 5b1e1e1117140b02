/**
 * @module @gitward/controller
 * Owns the reconcile loop: observe (render target, read live) → diff → act (sync), status and
 * conditions on Applications, leader election and sharding. Its process's composition root is
 * main.ts. It shares state with the server only through the cluster, never by import.
 * (Filled by the "Live state" and "Sync" issues.)
 */
export {};
