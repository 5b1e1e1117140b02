import type { KubeObject } from '@gitward/model';
import { HookDeletePolicy, HookType, SyncPhase } from './types.ts';

export const hookAnnotation = 'argocd.argoproj.io/hook';
export const syncWaveAnnotation = 'argocd.argoproj.io/sync-wave';
export const hookDeletePolicyAnnotation = 'argocd.argoproj.io/hook-delete-policy';
export const helmHookAnnotation = 'helm.sh/hook';
export const helmHookWeightAnnotation = 'helm.sh/hook-weight';
export const helmHookDeletePolicyAnnotation = 'helm.sh/hook-delete-policy';

/** How a rendered object takes part in a sync. */
export type SyncRole =
  | { readonly kind: 'resource' }
  | { readonly kind: 'hook'; readonly phases: readonly SyncPhase[] }
  /** Skip alone, or a hook of no sync phase (PreDelete/PostDelete, Helm's test…): never applied. */
  | { readonly kind: 'ignored'; readonly reason: 'Skip' | 'NoSyncPhase' };

const phaseOrder: readonly SyncPhase[] = Object.values(SyncPhase);

// Helm's hook types that Argo CD maps; every other Helm hook type has no sync phase.
const helmPhases: ReadonlyMap<string, SyncPhase> = new Map([
  ['pre-install', SyncPhase.PreSync],
  ['pre-upgrade', SyncPhase.PreSync],
  ['post-install', SyncPhase.PostSync],
  ['post-upgrade', SyncPhase.PostSync],
]);

const helmDeletePolicies: ReadonlyMap<string, HookDeletePolicy> = new Map([
  ['hook-succeeded', HookDeletePolicy.HookSucceeded],
  ['hook-failed', HookDeletePolicy.HookFailed],
  ['before-hook-creation', HookDeletePolicy.BeforeHookCreation],
]);

/** The trimmed, non-empty items of a comma-separated annotation ([] when absent). */
export function annotationList(obj: KubeObject, name: string): string[] {
  return (obj.metadata.annotations?.[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];
const byPhaseOrder = (phases: readonly SyncPhase[]): SyncPhase[] =>
  phaseOrder.filter((p) => phases.includes(p));

function helmHookPhases(obj: KubeObject): SyncPhase[] {
  return byPhaseOrder(
    annotationList(obj, helmHookAnnotation).flatMap((t) => helmPhases.get(t) ?? []),
  );
}

function argoHookRole(obj: KubeObject): SyncRole {
  const types = unique(
    annotationList(obj, hookAnnotation).filter((t): t is HookType =>
      (Object.values(HookType) as string[]).includes(t),
    ),
  );
  if (types.length === 1 && types[0] === HookType.Skip) return { kind: 'ignored', reason: 'Skip' };
  // As gitops-engine: an Argo annotation naming no valid type falls back to the Helm types.
  const phases =
    types.length > 0
      ? byPhaseOrder(types.filter((t): t is SyncPhase => phaseOrder.includes(t as SyncPhase)))
      : helmHookPhases(obj);
  return phases.length > 0 ? { kind: 'hook', phases } : { kind: 'ignored', reason: 'NoSyncPhase' };
}

/**
 * The role of an object in a sync, as gitops-engine decides it: `argocd.argoproj.io/hook` (a
 * comma list gives one task per phase; Skip alone means never applied) or else `helm.sh/hook`
 * (pre-install/pre-upgrade → PreSync, post-install/post-upgrade → PostSync; crd-install is not a
 * hook; other Helm hook types leave the object out entirely). Phases come in sync order.
 */
export function syncRoleOf(obj: KubeObject): SyncRole {
  if (obj.metadata.annotations?.[hookAnnotation] !== undefined) return argoHookRole(obj);
  const helm = obj.metadata.annotations?.[helmHookAnnotation];
  if (helm === undefined || helm.trim() === 'crd-install') return { kind: 'resource' };
  const phases = helmHookPhases(obj);
  return phases.length > 0 ? { kind: 'hook', phases } : { kind: 'ignored', reason: 'NoSyncPhase' };
}

/**
 * Whether an object is one a sync or an app deletion runs rather than manages: a hook of any
 * phase, or an object it never applies (Skip, Helm's other hook types). Such objects are never
 * among an app's resources.
 */
export const isUnmanagedHook = (obj: KubeObject): boolean => syncRoleOf(obj).kind !== 'resource';

// Go's strconv.Atoi: an optional sign and decimal digits, nothing else.
function atoi(text: string | undefined): number | undefined {
  return text !== undefined && /^[+-]?\d+$/.test(text) ? Number.parseInt(text, 10) : undefined;
}

/** The sync wave: `argocd.argoproj.io/sync-wave`, else `helm.sh/hook-weight`, else 0. */
export function syncWaveOf(obj: KubeObject): number {
  const annotations = obj.metadata.annotations;
  return (
    atoi(annotations?.[syncWaveAnnotation]) ?? atoi(annotations?.[helmHookWeightAnnotation]) ?? 0
  );
}

/**
 * A hook's delete policies from `argocd.argoproj.io/hook-delete-policy` and
 * `helm.sh/hook-delete-policy` (Argo CD's or Helm's spellings in either); BeforeHookCreation when
 * none is given.
 */
export function deletePoliciesOf(obj: KubeObject): HookDeletePolicy[] {
  const names = [
    ...annotationList(obj, hookDeletePolicyAnnotation),
    ...annotationList(obj, helmHookDeletePolicyAnnotation),
  ];
  const policies = unique(
    names.flatMap(
      (n) => helmDeletePolicies.get(n) ?? Object.values(HookDeletePolicy).filter((p) => p === n),
    ),
  );
  return policies.length > 0 ? policies : [HookDeletePolicy.BeforeHookCreation];
}
