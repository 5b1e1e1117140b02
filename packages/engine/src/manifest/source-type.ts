import type { ApplicationSource } from '@gitward/model';

export const SourceType = {
  Helm: 'Helm',
  Kustomize: 'Kustomize',
  Directory: 'Directory',
  Plugin: 'Plugin',
} as const;
export type SourceType = (typeof SourceType)[keyof typeof SourceType];

const kustomizationFiles = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/**
 * The source type, as Argo CD decides it: an explicit tool block wins (plugin, helm, kustomize,
 * directory, in that order); a `chart` means Helm; otherwise the files at the source path decide
 * (Chart.yaml → Helm, a kustomization file → Kustomize, else Directory).
 */
export function detectSourceType(
  source: ApplicationSource,
  filesAtPath: readonly string[],
): SourceType {
  if (source.plugin) return SourceType.Plugin;
  if (source.chart) return SourceType.Helm;
  if (source.helm) return SourceType.Helm;
  if (source.kustomize) return SourceType.Kustomize;
  if (source.directory) return SourceType.Directory;
  if (filesAtPath.includes('Chart.yaml')) return SourceType.Helm;
  if (filesAtPath.some((f) => kustomizationFiles.includes(f))) return SourceType.Kustomize;
  return SourceType.Directory;
}
