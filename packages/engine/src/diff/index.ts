/**
 * Diff: whether live objects have drifted from the target state, and how to show it. Both sides
 * are normalized (server metadata, status, Argo CD's per-kind quirks), ignoreDifferences rules
 * are applied, Secret values are masked, and the rest is compared and rendered as a unified diff.
 */
export { createDiffMemo, type DiffResource } from './diff-memo.ts';
export { diffResource, renderYaml } from './diff-resource.ts';
export {
  applyIgnoreDifferences,
  ruleMatches,
  validateIgnoreDifferences,
} from './ignore-differences.ts';
export {
  parseJqPath,
  type JqCondition,
  type JqLiteral,
  type JqOperand,
  type JqParseResult,
  type JqPath,
  type JqStep,
} from './jq-path.ts';
export { maskSecrets } from './mask.ts';
export { normalizeObject, type NormalizeOptions } from './normalize.ts';
export type { DiffOptions, IgnoreDifference, IgnoreResourceStatus, ResourceDiff } from './types.ts';
export { diffLines, unifiedDiff, type DiffLine, type UnifiedDiffOptions } from './unified-diff.ts';
