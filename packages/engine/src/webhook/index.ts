/**
 * Git webhook handling, the pure half: parse a delivery into a push and pick the Applications it
 * should refresh. Signature checks need node:crypto and live in the server package.
 */
export {
  appsToRefresh,
  filesHitPaths,
  manifestGeneratePathsAnnotations,
  refreshPaths,
  revisionMatches,
  sourceMatches,
  sourcesOf,
} from './match.ts';
export { detectProvider, parseWebhook } from './parse.ts';
export { canonicalRepoUrl, sameRepo } from './repo-url.ts';
export { parseConstraint, tagSatisfies } from './semver-range.ts';
export type { PushEvent, WebhookParse, WebhookProvider } from './types.ts';
