/** Values of `Prune=` and `Delete=`: confirm waits for the deletion-approved annotation. */
export const DeletionMode = { True: 'true', False: 'false', Confirm: 'confirm' } as const;
export type DeletionMode = (typeof DeletionMode)[keyof typeof DeletionMode];

/** Values of `PrunePropagationPolicy=`. */
export const PrunePropagationPolicy = {
  Foreground: 'foreground',
  Background: 'background',
  Orphan: 'orphan',
} as const;
export type PrunePropagationPolicy =
  (typeof PrunePropagationPolicy)[keyof typeof PrunePropagationPolicy];

/** The sync options in force for one resource. */
export interface SyncOptions {
  readonly prune: DeletionMode;
  readonly delete: DeletionMode;
  readonly pruneLast: boolean;
  readonly replace: boolean;
  readonly force: boolean;
  readonly serverSideApply: boolean;
  readonly validate: boolean;
  readonly skipDryRunOnMissingResource: boolean;
  readonly createNamespace: boolean;
  readonly applyOutOfSyncOnly: boolean;
  readonly prunePropagationPolicy: PrunePropagationPolicy;
  readonly respectIgnoreDifferences: boolean;
  readonly failOnSharedResource: boolean;
}

/**
 * Argo CD's defaults, except ServerSideApply: gitward applies server-side unless
 * `ServerSideApply=false` (the diff already relies on the server's apply semantics, so applying
 * the same way keeps a synced app free of client-side apply drift).
 */
export const defaultSyncOptions: SyncOptions = {
  prune: DeletionMode.True,
  delete: DeletionMode.True,
  pruneLast: false,
  replace: false,
  force: false,
  serverSideApply: true,
  validate: true,
  skipDryRunOnMissingResource: false,
  createNamespace: false,
  applyOutOfSyncOnly: false,
  prunePropagationPolicy: PrunePropagationPolicy.Foreground,
  respectIgnoreDifferences: false,
  failOnSharedResource: false,
};

/** The annotation carrying a resource's own sync options, comma separated. */
export const syncOptionsAnnotation = 'argocd.argoproj.io/sync-options';

type Draft = { -readonly [K in keyof SyncOptions]: SyncOptions[K] };
type Setter = (draft: Draft, value: string) => void;

const bool = (value: string): boolean | undefined =>
  value === 'true' ? true : value === 'false' ? false : undefined;

function setBool(field: { [K in keyof Draft]: Draft[K] extends boolean ? K : never }[keyof Draft]) {
  return (draft: Draft, value: string) => {
    const b = bool(value);
    if (b !== undefined) draft[field] = b;
  };
}

function setMode(field: 'prune' | 'delete'): Setter {
  return (draft, value) => {
    const mode = Object.values(DeletionMode).find((m) => m === value);
    if (mode) draft[field] = mode;
  };
}

// Keyed by the option's name as Argo CD spells it; unknown keys and values are ignored, as Argo CD
// ignores them.
const setters: ReadonlyMap<string, Setter> = new Map<string, Setter>([
  ['Prune', setMode('prune')],
  ['Delete', setMode('delete')],
  ['PruneLast', setBool('pruneLast')],
  ['Replace', setBool('replace')],
  ['Force', setBool('force')],
  ['ServerSideApply', setBool('serverSideApply')],
  ['Validate', setBool('validate')],
  ['SkipDryRunOnMissingResource', setBool('skipDryRunOnMissingResource')],
  ['CreateNamespace', setBool('createNamespace')],
  ['ApplyOutOfSyncOnly', setBool('applyOutOfSyncOnly')],
  [
    'PrunePropagationPolicy',
    (draft, value) => {
      const policy = Object.values(PrunePropagationPolicy).find((p) => p === value);
      if (policy) draft.prunePropagationPolicy = policy;
    },
  ],
  ['RespectIgnoreDifferences', setBool('respectIgnoreDifferences')],
  ['FailOnSharedResource', setBool('failOnSharedResource')],
]);

/**
 * The options a resource annotation may set. The others (CreateNamespace, ApplyOutOfSyncOnly,
 * PrunePropagationPolicy, RespectIgnoreDifferences, FailOnSharedResource) describe the whole
 * operation, and Argo CD reads them only at app level.
 */
export const resourceLevelOptions: ReadonlySet<string> = new Set([
  'Prune',
  'Delete',
  'PruneLast',
  'Replace',
  'Force',
  'ServerSideApply',
  'Validate',
  'SkipDryRunOnMissingResource',
]);

function apply(draft: Draft, item: string, allowed?: ReadonlySet<string>): void {
  const eq = item.indexOf('=');
  if (eq === -1) return;
  const key = item.slice(0, eq).trim();
  if (allowed && !allowed.has(key)) return;
  setters.get(key)?.(draft, item.slice(eq + 1).trim());
}

/**
 * The sync options for one resource: Argo CD's defaults (ServerSideApply on in gitward), then the
 * app-level `Key=value` items in order (later wins), then the resource's
 * `argocd.argoproj.io/sync-options` annotation (comma separated), which overrides the app level
 * for the per-resource options ({@link resourceLevelOptions}).
 */
export function parseSyncOptions(
  appLevel: readonly string[],
  resourceAnnotation?: string,
): SyncOptions {
  const draft: Draft = { ...defaultSyncOptions };
  for (const item of appLevel) apply(draft, item);
  for (const item of resourceAnnotation?.split(',') ?? []) {
    apply(draft, item, resourceLevelOptions);
  }
  return draft;
}
