/**
 * Annotation names on Applications that controller, server and CLI all read or write: one home,
 * so a rename cannot leave one of them behind.
 */

/** A refresh request: `normal` compares again, `hard` also renders without the cache. */
export const RefreshAnnotation = {
  Gitward: 'gitward.dev/refresh',
  ArgoCD: 'argocd.argoproj.io/refresh',
} as const;

/** Both spellings, ours first: the controller answers either and removes the one it found. */
export const refreshAnnotations: readonly string[] = [
  RefreshAnnotation.Gitward,
  RefreshAnnotation.ArgoCD,
];

/** The refresh an Application asks for, if any: which annotation, and whether it is hard. */
export function refreshRequest(
  annotations: Readonly<Record<string, string>> | undefined,
): { readonly key: string; readonly hard: boolean } | undefined {
  if (!annotations) return undefined;
  const key = refreshAnnotations.find((k) => Object.hasOwn(annotations, k));
  return key === undefined ? undefined : { key, hard: annotations[key] === 'hard' };
}
