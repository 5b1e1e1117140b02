/**
 * The ApplicationStore: every read and write the controller makes of an Application goes through
 * here (issue 16 §1). It owns three things the reconcile used to do by hand:
 *
 * - **The view.** Reads come from the watch cache, which lags behind our own writes. The store
 *   keeps the object each write returned and shows it in place of the cached copy for as long as
 *   the cache still shows a version that write went over (the one fence; see `view`). Once the
 *   cache shows any other version it has caught up (ours or a later writer's) and the memo goes.
 *   That replaces the per-app "operation I wrote last" and "operation I finished" maps.
 * - **Conditional writes.** Every write carries the resourceVersion it was computed from, so a
 *   change made meanwhile (a terminate, a new sync request, a user's edit) makes it conflict
 *   (409). The store then reads the app afresh and asks the write's `stillValid` whether it may
 *   land there; if not, the write is `superseded` and the next pass starts from the fresh copy.
 * - **Where status goes.** With the status subresource, status is written to `/status` and the
 *   rest (clearing `operation`, the refresh annotation) in a second request; without it (Argo
 *   CD's CRD and gitward's), everything is one JSON patch. Either way a pass makes at most one
 *   status write.
 *
 * The API server uses the same store without a cache (`update`): a sync request or a terminate
 * is planned on the app as the apiserver has it and written conditionally on that version, so two
 * requests at once cannot both pass "no operation in progress", and a terminate cannot land on an
 * operation that already ended.
 */
import type { KubeClient, KubeResponse } from '@gitward/infra';
import {
  ErrorCode,
  GitwardError,
  applicationSchema,
  type ApiGroup,
  type Application,
  type ApplicationStatus,
  type KubeObject,
  type Operation,
} from '@gitward/model';

export interface ApplicationStoreOptions {
  readonly kube: Pick<KubeClient, 'request'>;
  readonly group: ApiGroup;
  readonly namespace: string;
  /**
   * The watch cache's copy of an Application (undefined when it has none). Absent (the API
   * server, which keeps no cache): `view` shows nothing, and callers use `fresh` and `update`.
   */
  readonly cached?: (name: string) => KubeObject | undefined;
  /** Whether the Application CRD has the status subresource (the controller knows it at start;
   * the API server asks discovery once). */
  readonly statusSubresource: () => boolean | Promise<boolean>;
}

/** What the store shows of one app. */
export type AppView =
  | { readonly kind: 'gone' }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'app'; readonly app: Application };

/** One write of a pass: status merged in, and what changes beside it. */
export interface AppWrite {
  /** Merged into status (a key with null removes it); absent: status is left alone. */
  readonly status?: Partial<ApplicationStatus> | Record<string, unknown>;
  /** Annotations to remove (the refresh request the pass answered). */
  readonly removeAnnotations?: readonly string[];
  /** Set `operation` (an automated sync) or clear it (null: the operation ended). */
  readonly operation?: Operation | null;
  /** `metadata.finalizers`, replaced as a whole. */
  readonly finalizers?: readonly string[];
  /**
   * After a conflict: whether the write may still land on the app as it is now. Absent: it may,
   * unless it clears an operation the fresh app no longer has (a new request must not be lost).
   */
  readonly stillValid?: (fresh: Application) => boolean;
}

export type WriteOutcome =
  | { readonly kind: 'written'; readonly app: Application }
  /** The app changed in a way the write may not land on; `app` is the fresh copy, or gone. */
  | { readonly kind: 'superseded'; readonly app?: Application };

/** The apiserver refused a read or write of an Application (KUBE_REQUEST_FAILED). */
export class ApplicationWriteError extends GitwardError {
  readonly status: number;
  constructor(what: string, res: KubeResponse<unknown>) {
    const body = res.body as { message?: unknown } | undefined;
    const why = typeof body?.message === 'string' ? body.message : JSON.stringify(res.body ?? null);
    super(ErrorCode.KubeRequestFailed, `${what} failed (HTTP ${res.status}): ${why.slice(0, 300)}`);
    this.name = 'ApplicationWriteError';
    this.status = res.status;
  }
}

/** Other writers changed the app on every attempt (WRITE_CONFLICT): the caller may retry. */
export class ApplicationConflictError extends GitwardError {
  constructor(name: string, attempts: number) {
    super(ErrorCode.WriteConflict, `writing application ${name}: ${attempts} conflicts in a row`);
    this.name = 'ApplicationConflictError';
  }
}

/**
 * A write planned on the app as it is: the write, or undefined for nothing to write. A plan
 * that refuses (an operation already in progress) throws; it runs again after each conflict.
 */
export type WritePlan = (app: Application) => AppWrite | undefined | Promise<AppWrite | undefined>;

export interface ApplicationStore {
  /** The app as this replica must see it: the cache, or our own newer write. */
  view(name: string): AppView;
  /** The app as the apiserver has it now (one GET). */
  fresh(name: string): Promise<Application | undefined>;
  /** One conditional write over `base` (the version the pass computed from). */
  write(base: Application, w: AppWrite): Promise<WriteOutcome>;
  /**
   * Read-plan-write on the apiserver's copy: `plan` sees the app as it is now and the write is
   * conditional on that version; after a conflict it reads and plans again. Undefined when the
   * app is gone; the app unchanged when the plan wrote nothing.
   */
  update(name: string, plan: WritePlan): Promise<Application | undefined>;
  /** Apps with a memo (for metrics and tests): bounded by the apps the cache has. */
  memos(): number;
}

interface Memo {
  readonly app: Application;
  /** Versions our writes went over: while the cache shows one of these, the memo stands. */
  readonly over: ReadonlySet<string>;
}

/** Conflicts in a row before the write gives up for this pass (the queue retries it). */
const maxAttempts = 5;

const versionOf = (o: { readonly metadata?: object } | undefined): string => {
  const v = (o?.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
  return typeof v === 'string' ? v : '';
};

const sameOperation = (a: Operation | undefined, b: Operation | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The default `stillValid`: clearing an operation must not clear a newer request. */
function defaultStillValid(base: Application, w: AppWrite) {
  return (fresh: Application) =>
    w.operation !== null || sameOperation(fresh.operation, base.operation);
}

type PatchOp =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string };

/** A JSON pointer segment (RFC 6901): annotation keys hold `/`. */
const pointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * The apiserver checks a patched object's resourceVersion against the stored one and answers 409
 * when they differ: stating it makes the patch conditional on the version the pass read.
 */
const precondition = (version: string): PatchOp => ({
  op: 'replace',
  path: '/metadata/resourceVersion',
  value: version,
});

/**
 * The status part: each top-level key the write names replaced whole (a JSON patch `add`), so
 * nothing of the old value lingers (an earlier operation's `dryRun` or selected resources, a
 * health message), and keys it does not name are left alone.
 */
function statusOps(base: Application, status: Record<string, unknown>): PatchOp[] {
  const ops: PatchOp[] =
    base.status === undefined ? [{ op: 'add', path: '/status', value: {} }] : [];
  for (const [key, value] of Object.entries(status)) {
    if (value === undefined) continue;
    const path = `/status/${pointer(key)}`;
    const had = base.status !== undefined && Object.hasOwn(base.status, key);
    if (value === null) {
      if (had) ops.push({ op: 'remove', path });
    } else ops.push({ op: 'add', path, value });
  }
  return ops;
}

/** The rest: annotations removed, `operation` set or cleared, finalizers replaced. */
function objectOps(base: Application, w: AppWrite): PatchOp[] {
  const ops: PatchOp[] = [];
  const annotations = base.metadata.annotations ?? {};
  for (const key of w.removeAnnotations ?? [])
    if (Object.hasOwn(annotations, key))
      ops.push({ op: 'remove', path: `/metadata/annotations/${pointer(key)}` });
  if (w.operation === null && base.operation !== undefined)
    ops.push({ op: 'remove', path: '/operation' });
  if (w.operation) ops.push({ op: 'add', path: '/operation', value: w.operation });
  if (w.finalizers) ops.push({ op: 'add', path: '/metadata/finalizers', value: w.finalizers });
  return ops;
}

const jsonPatch = 'application/json-patch+json';

export function createApplicationStore(o: ApplicationStoreOptions): ApplicationStore {
  const appsPath = `/apis/${o.group}/v1alpha1/namespaces/${o.namespace}/applications`;
  const appPath = (name: string) => `${appsPath}/${encodeURIComponent(name)}`;
  const memo = new Map<string, Memo>();

  function parse(raw: unknown): AppView {
    const parsed = applicationSchema.safeParse(raw);
    return parsed.success
      ? { kind: 'app', app: parsed.data }
      : { kind: 'invalid', message: parsed.error.message };
  }

  function view(name: string): AppView {
    const cached = o.cached?.(name);
    if (!cached) {
      memo.delete(name);
      return { kind: 'gone' };
    }
    const m = memo.get(name);
    if (m?.over.has(versionOf(cached))) return { kind: 'app', app: m.app };
    memo.delete(name);
    return parse(cached);
  }

  async function fresh(name: string): Promise<Application | undefined> {
    const res = await o.kube.request('GET', appPath(name));
    if (res.status === 404) return undefined;
    if (res.status >= 300) throw new ApplicationWriteError(`reading application ${name}`, res);
    const v = parse(res.body);
    return v.kind === 'app' ? v.app : undefined;
  }

  /** Without a cache nothing ever shows the memo, or clears it: none is kept. */
  function remember(name: string, app: Application, over: readonly string[]): void {
    if (!o.cached) return;
    const before = memo.get(name)?.over ?? [];
    memo.set(name, { app, over: new Set([...before, ...over].filter((v) => v !== '')) });
  }

  /** One conditional JSON patch; undefined on a conflict. */
  async function patch(path: string, ops: readonly PatchOp[], what: string) {
    const res = await o.kube.request<unknown>('PATCH', path, { body: ops, contentType: jsonPatch });
    if (res.status === 409) return undefined;
    if (res.status >= 300) throw new ApplicationWriteError(what, res);
    const v = parse(res.body);
    if (v.kind !== 'app') throw new Error(`${what}: the apiserver returned no Application`);
    return v.app;
  }

  /** The write's requests over one version: the app written, or undefined on a conflict. */
  async function attempt(base: Application, w: AppWrite): Promise<Application | undefined> {
    const name = base.metadata.name;
    const path = appPath(name);
    const version = versionOf(base);
    const status = w.status === undefined ? [] : statusOps(base, w.status);
    const rest = objectOps(base, w);
    if (status.length === 0 || !(await o.statusSubresource())) {
      const ops = [precondition(version), ...status, ...rest];
      return patch(path, ops, `writing application ${name}`);
    }
    const statusPath = `${path}/status`;
    const written = await patch(
      statusPath,
      [precondition(version), ...status],
      `writing the status of ${name}`,
    );
    if (!written || rest.length === 0) return written;
    // The version between the two requests is ours too: while the cache shows it (status
    // written, `operation` not yet cleared), the final write must stand in for it, or a finished
    // operation would look requested again.
    remember(name, written, [version, versionOf(written)]);
    // The status landed; a conflict now only retries the rest (on the version status made).
    return patch(
      path,
      [precondition(versionOf(written)), ...objectOps(written, w)],
      `writing application ${name}`,
    );
  }

  async function write(base: Application, w: AppWrite): Promise<WriteOutcome> {
    const name = base.metadata.name;
    const stillValid = w.stillValid ?? defaultStillValid(base, w);
    let current = base;
    const over: string[] = [];
    for (let i = 0; i < maxAttempts; i++) {
      over.push(versionOf(current));
      const written = await attempt(current, w);
      if (written) {
        remember(name, written, over);
        return { kind: 'written', app: written };
      }
      const latest = await fresh(name);
      if (!latest) return { kind: 'superseded' };
      if (!stillValid(latest)) {
        remember(name, latest, over);
        return { kind: 'superseded', app: latest };
      }
      current = { ...latest };
    }
    throw new ApplicationConflictError(name, maxAttempts);
  }

  async function update(name: string, plan: WritePlan): Promise<Application | undefined> {
    for (let i = 0; i < maxAttempts; i++) {
      const app = await fresh(name);
      if (!app) return undefined;
      const w = await plan(app);
      if (!w) return app;
      // Deleted between the read and the write: gone, as a read would have said.
      const written = await attempt(app, w).catch((err: unknown) => {
        if (err instanceof ApplicationWriteError && err.status === 404) return null;
        throw err;
      });
      if (written === null) return undefined;
      if (written) {
        remember(name, written, [versionOf(app)]);
        return written;
      }
    }
    throw new ApplicationConflictError(name, maxAttempts);
  }

  return { view, fresh, write, update, memos: () => memo.size };
}
