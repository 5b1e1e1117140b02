/**
 * @module @gitward/model
 * Owns the domain types shared by every gitward package: resource identity, errors, and the
 * Application/AppProject/ApplicationSet types with the CRDs generated from them. It does no I/O
 * and depends on no other package of ours, so the browser bundle can use it too.
 */
export * from './annotations.ts';
export * from './application.ts';
export * from './crd.ts';
export * from './errors.ts';
export * from './kube-object.ts';
export * from './own-keys.ts';
export * from './repository.ts';
export * from './resource-key.ts';
export * from './tracking.ts';
// The API's request bodies (zod schemas the server validates with) and answers.
export * from './api/parse-body.ts';
export * from './api/requests.ts';
export * from './api/responses.ts';
