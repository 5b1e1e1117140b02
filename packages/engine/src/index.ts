/**
 * @module @gitward/engine
 * Owns the pure core of gitward: parsing and normalizing manifests, diffing desired against live,
 * assessing health and planning syncs (waves, hooks, prune sets). It performs no I/O, never logs
 * and imports only @gitward/model; everything here is a function of its arguments, tested with
 * tables of YAML fixtures. (Filled by the "Target state", "Live state" and "Sync" issues.)
 */
export {};
