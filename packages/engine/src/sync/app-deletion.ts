/**
 * Deleting an Application, as Argo CD's finalizeApplicationDeletion, one pass at a time as a pure
 * function of the Application's finalizers, its rendered target and the live state: PreDelete
 * hooks run and complete before any resource is deleted, the cascade finalizer deletes the
 * managed resources, PostDelete hooks run once they are all gone, and only then are the
 * finalizers removed and the hooks cleaned up per their delete policy. Nothing is remembered
 * between passes: every decision is read back from what is live.
 */
import {
  HealthStatusCode,
  resourceKeyOf,
  type Application,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import { assessHealth } from '../health/index.ts';
import {
  annotationList,
  helmHookAnnotation,
  helmHookDeletePolicyAnnotation,
  hookAnnotation,
  hookDeletePolicyAnnotation,
  isUnmanagedHook,
} from './hooks.ts';
import { syncOptionsAnnotation } from './sync-options.ts';
import { HookDeletePolicy, HookType } from './types.ts';

/** Argo CD's cascade finalizers and the propagation each asks for. */
export const cascadeFinalizers: Readonly<Record<string, 'foreground' | 'background'>> = {
  'resources-finalizer.argocd.argoproj.io': 'foreground',
  'resources-finalizer.argocd.argoproj.io/foreground': 'foreground',
  'resources-finalizer.argocd.argoproj.io/background': 'background',
};

/**
 * Argo CD's finalizers for apps with deletion hooks (and their `/cleanup` variants). Honoured
 * when present; the hooks also run under a cascade finalizer alone.
 */
export const deletionHookFinalizers = [
  'pre-delete-finalizer.argocd.argoproj.io',
  'post-delete-finalizer.argocd.argoproj.io',
] as const;

const isDeletionHookFinalizer = (f: string): boolean =>
  deletionHookFinalizers.some((h) => f === h || f.startsWith(`${h}/`));

/** Whether gitward acts on this finalizer when the app is deleted (cascade or deletion hooks). */
export const isOurFinalizer = (f: string): boolean =>
  f in cascadeFinalizers || isDeletionHookFinalizer(f);

/** The hook types that belong to app deletion; never run by a sync. */
export type DeletionHookType = typeof HookType.PreDelete | typeof HookType.PostDelete;

const helmDeletionHooks: Readonly<Record<DeletionHookType, string>> = {
  PreDelete: 'pre-delete',
  PostDelete: 'post-delete',
};

/** Whether an object is a hook of that type: `argocd.argoproj.io/hook` or Helm's spelling. */
export function isDeletionHook(obj: KubeObject, type: DeletionHookType): boolean {
  return (
    annotationList(obj, hookAnnotation).includes(type) ||
    annotationList(obj, helmHookAnnotation).includes(helmDeletionHooks[type])
  );
}

const isAnyDeletionHook = (obj: KubeObject) =>
  isDeletionHook(obj, HookType.PreDelete) || isDeletionHook(obj, HookType.PostDelete);

/**
 * Whether an Application whose target cannot be rendered now may have deletion hooks, so that its
 * deletion waits for a render instead of skipping them. Hooks are not among its resources (they
 * are not managed), so the evidence is what outlives a render: Argo CD's pre/post-delete
 * finalizers (Argo CD puts them on apps with such hooks), any live object tracking the app that
 * is a hook (sync hooks BeforeHookCreation keeps, deletion hooks already created), the last
 * operation's hook results, and a status written when hooks were still listed as resources.
 */
export function mayHaveHooks(app: Application, managed: readonly KubeObject[]): boolean {
  return (
    (app.metadata.finalizers ?? []).some(isDeletionHookFinalizer) ||
    managed.some(isUnmanagedHook) ||
    (app.status?.operationState?.syncResult?.resources ?? []).some((r) => r.hookType) ||
    (app.status?.resources ?? []).some((r) => r.hook === true)
  );
}

/** Everything one deletion pass needs; all of it already fetched. */
export interface DeletionInput {
  readonly finalizers: readonly string[];
  /** The rendered target (tracking set, namespace defaulted); undefined if it failed to render. */
  readonly target: readonly KubeObject[] | undefined;
  /** Why the target did not render. */
  readonly targetError?: string;
  /**
   * The app may have hooks ({@link mayHaveHooks}): without a target, deletion hooks could be
   * missed, so the deletion waits for a render instead of skipping them.
   */
  readonly mayHaveHooks: boolean;
  /** Live objects that track the Application. */
  readonly managed: readonly KubeObject[];
  /** Any live object by key (hooks are looked up here). */
  readonly live: (key: ResourceKey) => KubeObject | undefined;
  /** Delete=confirm resources were approved after the deletion began. */
  readonly approved: boolean;
  /** The Application's deletionTimestamp (Unix seconds): names hooks that only have generateName. */
  readonly deletedAtUnix: number;
}

/** What the controller does in this pass. */
export type DeletionStep =
  /** No finalizer of ours: Kubernetes removes the app, its resources stay. */
  | { readonly kind: 'orphan' }
  /** Create these hooks (apply them), then come back. */
  | { readonly kind: 'create-hooks'; readonly type: DeletionHookType; readonly hooks: KubeObject[] }
  | { readonly kind: 'wait'; readonly message: string }
  /**
   * The deletion cannot go on: a DeletionError condition with `message`. Failed hooks in
   * `deleteHooks` are deleted so that the next pass retries them (as Argo CD does).
   */
  | { readonly kind: 'blocked'; readonly message: string; readonly deleteHooks: KubeObject[] }
  /** Delete these resources with that propagation; `remaining` are still live (terminating ones too). */
  | {
      readonly kind: 'delete';
      readonly objects: KubeObject[];
      readonly propagation: 'foreground' | 'background';
      readonly remaining: number;
    }
  /** Remove the finalizers (keep `finalizers`), then delete `deleteHooks` per their policies. */
  | { readonly kind: 'done'; readonly finalizers: string[]; readonly deleteHooks: KubeObject[] };

const terminating = (o: KubeObject) => Boolean(o.metadata['deletionTimestamp']);

const deleteOption = (o: KubeObject) =>
  annotationList(o, syncOptionsAnnotation).find((x) => x.startsWith('Delete='));

/** `ns/name` (cluster-scoped: `name`), as Argo CD names failed hooks. */
const nsName = (o: KubeObject) =>
  `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;

/** The target's hooks of a type, each with a name (generateName + type + deletion time). */
function targetHooks(
  target: readonly KubeObject[],
  type: DeletionHookType,
  deletedAtUnix: number,
): KubeObject[] {
  return target
    .filter((o) => isDeletionHook(o, type))
    .flatMap((o): KubeObject[] => {
      if (o.metadata.name) return [o];
      if (!o.metadata.generateName) return [];
      const name = `${o.metadata.generateName}${type.toLowerCase()}-${deletedAtUnix}`;
      return [{ ...o, metadata: { ...o.metadata, name } }];
    });
}

/** A running hook's outcome, Argo CD's way: no health rule counts as done. */
function hookOutcome(live: KubeObject): 'running' | 'failed' | 'done' {
  const health = assessHealth(live)?.status ?? HealthStatusCode.Healthy;
  if (health === HealthStatusCode.Progressing) return 'running';
  return health === HealthStatusCode.Degraded ? 'failed' : 'done';
}

/** The step a hook stage needs: create the missing, report the failed, wait for the running. */
function hookStage(
  type: DeletionHookType,
  hooks: readonly KubeObject[],
  input: DeletionInput,
): DeletionStep | undefined {
  const missing = hooks.filter((h) => !input.live(resourceKeyOf(h)));
  if (missing.length > 0) return { kind: 'create-hooks', type, hooks: missing };
  const live = hooks.flatMap((h) => input.live(resourceKeyOf(h)) ?? []);
  const failed = live.filter((h) => hookOutcome(h) === 'failed');
  if (failed.length > 0) {
    return {
      kind: 'blocked',
      message: `${type} hook(s) failed: ${failed.map(nsName).join(', ')}`,
      deleteHooks: failed.filter((h) => !terminating(h)),
    };
  }
  const running = live.filter((h) => hookOutcome(h) === 'running');
  const [first] = running;
  if (!first) return undefined;
  const more = running.length > 1 ? ` and ${running.length - 1} more` : '';
  return {
    kind: 'wait',
    message: `waiting for ${type} hook ${first.kind}/${nsName(first)}${more}`,
  };
}

/**
 * Completed hooks to delete, Argo CD's cleanupHooks: without a delete policy always, with
 * HookSucceeded (they all succeeded by now); BeforeHookCreation alone keeps a hook.
 */
function hooksToCleanUp(hooks: readonly KubeObject[]): KubeObject[] {
  return hooks.filter((h) => {
    const policies = [
      ...annotationList(h, hookDeletePolicyAnnotation),
      ...annotationList(h, helmHookDeletePolicyAnnotation),
    ];
    return (
      !terminating(h) &&
      (policies.length === 0 ||
        policies.includes(HookDeletePolicy.HookSucceeded) ||
        policies.includes('hook-succeeded'))
    );
  });
}

function liveHooks(input: DeletionInput, declared: readonly KubeObject[]): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  const keyOf = (o: KubeObject) => JSON.stringify(resourceKeyOf(o));
  for (const o of input.managed.filter(isAnyDeletionHook)) byKey.set(keyOf(o), o);
  for (const h of declared) {
    const live = input.live(resourceKeyOf(h));
    if (live) byKey.set(keyOf(live), live);
  }
  return [...byKey.values()];
}

/**
 * Argo CD's shouldBeDeleted: CRDs are never deleted with an app (that would take every custom
 * resource of the type with them), nor `Delete=false` or Helm `resource-policy: keep` objects;
 * deletion hooks have their own stage.
 */
function deletedWithApp(o: KubeObject): boolean {
  const isCrd =
    o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/');
  return (
    !isCrd &&
    deleteOption(o) !== 'Delete=false' &&
    o.metadata.annotations?.['helm.sh/resource-policy'] !== 'keep' &&
    !isAnyDeletionHook(o)
  );
}

/** The cascade: Delete=confirm waits for approval, then everything else that may go goes. */
function deleteResources(input: DeletionInput, ours: readonly string[]): DeletionStep | undefined {
  const cascade = ours.find((f) => f in cascadeFinalizers);
  if (cascade === undefined) return undefined;
  const doomed = input.managed.filter(deletedWithApp);
  if (doomed.length === 0) return undefined;
  const unconfirmed = doomed.filter((o) => deleteOption(o) === 'Delete=confirm');
  const [first] = unconfirmed;
  if (first && !input.approved) {
    const more = unconfirmed.length > 1 ? ` and ${unconfirmed.length - 1} more` : '';
    return {
      kind: 'blocked',
      message: `waiting for deletion confirmation of ${first.kind}/${first.metadata.name ?? ''}${more}: annotate the Application with argocd.argoproj.io/deletion-approved=<current time>`,
      deleteHooks: [],
    };
  }
  return {
    kind: 'delete',
    objects: doomed.filter((o) => !terminating(o)),
    propagation: cascadeFinalizers[cascade] ?? 'foreground',
    remaining: doomed.length,
  };
}

/**
 * The next step of deleting an Application. Without a finalizer of ours its resources are
 * orphaned. Otherwise, in order: PreDelete hooks from the target are created and must complete
 * (a failed one blocks the deletion with `PreDelete hook(s) failed: ns/name`, and is deleted so
 * the next pass retries it); with a cascade finalizer every managed resource but CRDs,
 * `Delete=false` and Helm `resource-policy: keep` ones and the deletion hooks is deleted
 * (Delete=confirm ones wait for approval) until none is left; PostDelete hooks are created and must complete; then the finalizers are removed and the
 * hooks deleted per their policy.
 */
export function nextDeletionStep(input: DeletionInput): DeletionStep {
  const ours = input.finalizers.filter(isOurFinalizer);
  if (ours.length === 0) return { kind: 'orphan' };
  if (!input.target && input.mayHaveHooks) {
    return {
      kind: 'blocked',
      message: `cannot render the target to find its PreDelete/PostDelete hooks: ${input.targetError ?? 'unknown error'}`,
      deleteHooks: [],
    };
  }
  const target = input.target ?? [];
  const pre = targetHooks(target, HookType.PreDelete, input.deletedAtUnix);
  const post = targetHooks(target, HookType.PostDelete, input.deletedAtUnix);
  const step =
    hookStage(HookType.PreDelete, pre, input) ??
    deleteResources(input, ours) ??
    hookStage(HookType.PostDelete, post, input);
  if (step) return step;
  return {
    kind: 'done',
    finalizers: input.finalizers.filter((f) => !isOurFinalizer(f)),
    deleteHooks: hooksToCleanUp(liveHooks(input, [...pre, ...post])),
  };
}
