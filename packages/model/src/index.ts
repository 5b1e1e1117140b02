/**
 * @module @gitward/model
 * Owns the domain types shared by every gitward package: resource identity, errors, and (as they
 * arrive) the Application and AppProject types. It does no I/O and depends on no other package of
 * ours, so the browser bundle can use it too.
 */
export * from './errors.ts';
export * from './resource-key.ts';
