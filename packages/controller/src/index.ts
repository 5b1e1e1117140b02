/**
 * @module @gitward/controller
 * Owns the reconcile loop: observe (render the target, read the live state from the watch
 * cache) → diff (server-side dry run + the engine's comparison) → status, for every Application in
 * its namespace, with a work queue, leader election and /healthz, /readyz. Its process's
 * composition root is main.ts. It shares state with the server only through the cluster.
 */
export { createController, type ControllerOptions } from './controller.ts';
export {
  controllerFlags,
  controllerHelp,
  loadControllerConfig,
  type ControllerConfig,
} from './config.ts';
export { createWorkQueue, type WorkQueue, type WorkRun } from './queue.ts';
export { ensureInstalled } from './install.ts';
export { createReconciler, type ReconcileOutcome, type Reconciler } from './reconciler.ts';
