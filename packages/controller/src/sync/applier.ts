/**
 * Writes sync results to the apiserver: server-side apply by default, kubectl's client-side apply
 * (last-applied annotation, three-way merge patch) with `ServerSideApply=false`, replace and
 * force per Argo CD's options, and deletes. Types a CRD of the same sync just created are found
 * by asking the apiserver, since the discovery snapshot of the pass predates them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { clientSideApply } from '@gitward/engine';
import type { ApiResource, ApiResourceIndex, KubeClient } from '@gitward/infra';
import { groupOf, type KubeObject } from '@gitward/model';
import type { ApplyMemo, WriteFence } from '@gitward/control';
import { applyPatch, fieldManager, resourcePath } from '../kube-paths.ts';

export interface ApplyOptions {
  readonly dryRun: boolean;
  readonly replace: boolean;
  readonly force: boolean;
  readonly validate: boolean;
  /** false: kubectl's client-side apply (`ServerSideApply=false`). Default true. */
  readonly serverSideApply?: boolean;
}

export type ActResult =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly message: string };

function statusMessage(body: unknown, status: number): string {
  return (body as { message?: string } | undefined)?.message ?? `HTTP ${status}`;
}

const rv = (o: KubeObject) => (o.metadata as { resourceVersion?: string }).resourceVersion;
const describe = (o: KubeObject) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? ''}`;
/** kubectl's words: created, configured, or unchanged when the resourceVersion did not move. */
const verb = (live: KubeObject | undefined, after: KubeObject) =>
  !live ? 'created' : rv(live) === rv(after) ? 'unchanged' : 'configured';
const mergePatch = 'application/merge-patch+json';
const uidOf = (o: unknown) => (o as KubeObject | undefined)?.metadata['uid'];
// The operation's own timeout still bounds the sync; this only names the wait.
const forceDeleteTimeoutMs = 60_000;

const isCrd = (o: KubeObject) =>
  o.kind === 'CustomResourceDefinition' && groupOf(o.apiVersion) === 'apiextensions.k8s.io';
// gitops-engine waits up to a few seconds for a new CRD to be established before going on.
const crdReadyTimeoutMs = 5000;

interface CrdState {
  spec?: {
    group?: string;
    names?: { kind?: string };
    versions?: { name?: string; served?: boolean }[];
  };
  status?: { conditions?: { type?: string; status?: string }[] };
}

interface Written {
  readonly status: number;
  readonly body: unknown;
  /** The object as it was before the write (undefined: it was created). */
  readonly before: KubeObject | undefined;
  /** Deleted and created again (Force=true). */
  readonly replaced?: boolean;
}

export interface ApplierOptions {
  /**
   * Shared with the predictor: a server-side dry run the predictor already made over the same
   * live version is answered from it, and each apply's answer is remembered for the next
   * comparison.
   */
  readonly memo?: ApplyMemo;
  /** Told of every written object, so the sync's next pass waits for the watch to show it. */
  readonly fence?: WriteFence;
}

/** Applies and deletes objects for syncs: server-side apply by default, with Argo CD's options. */
export function createApplier(kube: KubeClient, { memo, fence }: ApplierOptions = {}) {
  // Types learned from the apiserver after the discovery snapshot (CRDs created by a sync).
  const learned = new Map<string, ApiResource>();

  async function discover(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const slash = apiVersion.indexOf('/');
    if (slash === -1) return undefined;
    const out = await kube.request('GET', `/apis/${apiVersion}`);
    if (out.status >= 300) return undefined;
    const list = (out.body as { resources?: unknown[] } | undefined)?.resources ?? [];
    const found = list
      .map((r) => r as { name?: string; kind?: string; namespaced?: boolean; verbs?: string[] })
      .find((r) => r.kind === kind && r.name !== undefined && !r.name.includes('/'));
    if (!found?.name) return undefined;
    const res: ApiResource = {
      group: apiVersion.slice(0, slash),
      version: apiVersion.slice(slash + 1),
      kind,
      plural: found.name,
      namespaced: found.namespaced === true,
      verbs: found.verbs ?? [],
      preferred: true,
    };
    learned.set(`${apiVersion}/${kind}`, res);
    return res;
  }

  async function lookup(obj: KubeObject, index: ApiResourceIndex) {
    return (
      index.lookup(groupOf(obj.apiVersion), obj.kind) ??
      learned.get(`${obj.apiVersion}/${obj.kind}`) ??
      (await discover(obj.apiVersion, obj.kind))
    );
  }

  /** Whether the CRD is Established and, when it names its type, the apiserver serves that. */
  async function crdReady(crd: KubeObject, path: string): Promise<boolean> {
    const out = await kube.request('GET', path);
    const body = out.body as CrdState | undefined;
    const established = (body?.status?.conditions ?? []).some(
      (c) => c.type === 'Established' && c.status === 'True',
    );
    if (!established) return false;
    const spec = (crd as unknown as CrdState).spec;
    const version = spec?.versions?.find((v) => v.served !== false)?.name;
    const kind = spec?.names?.kind;
    if (!spec?.group || !version || !kind) return true;
    return (await discover(`${spec.group}/${version}`, kind)) !== undefined;
  }

  /**
   * After a CRD is written: wait (best effort, as gitops-engine's ensureCRDReady) until it is
   * Established and its type is served, so the custom resources after it can be applied.
   */
  async function awaitCrd(crd: KubeObject): Promise<void> {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(crd.metadata.name ?? '')}`;
    const deadline = Date.now() + crdReadyTimeoutMs;
    while (Date.now() < deadline && !(await crdReady(crd, path))) await sleep(100);
  }

  /** After a real write: the fence awaits the answer's version; a new CRD must be served. */
  async function written(obj: KubeObject, answer: KubeObject): Promise<void> {
    fence?.wrote(answer);
    if (isCrd(obj)) await awaitCrd(obj);
  }

  async function apply(
    obj: KubeObject,
    live: KubeObject | undefined,
    index: ApiResourceIndex,
    o: ApplyOptions,
  ): Promise<ActResult> {
    const res = await lookup(obj, index);
    if (!res)
      return {
        ok: false,
        message: `the server does not know ${groupOf(obj.apiVersion) || 'core'}/${obj.kind} (is its CRD installed?)`,
      };
    const query: Record<string, string> = {
      fieldManager,
      ...(o.dryRun ? { dryRun: 'All' } : {}),
      // As kubectl (and so Argo CD): an unknown or duplicate field fails the apply, where the
      // apiserver's own default would drop it with a warning nobody reads.
      fieldValidation: o.validate ? 'Strict' : 'Ignore',
    };
    const out =
      o.force && live !== undefined
        ? await forceWrite(res, obj, live, o, query)
        : await write(res, obj, live, o, query);
    if (typeof out === 'string') return { ok: false, message: `${describe(obj)}: ${out}` };
    if (out.status >= 300)
      return { ok: false, message: `${describe(obj)}: ${statusMessage(out.body, out.status)}` };
    if (!o.dryRun) await written(obj, out.body as KubeObject);
    return {
      ok: true,
      message: `${obj.kind.toLowerCase()}/${obj.metadata.name ?? ''} ${out.replaced ? 'replaced' : out.before ? verb(out.before, out.body as KubeObject) : 'created'}`,
    };
  }

  /**
   * Force=true: with Replace=true it is `kubectl replace --force` (always delete and create), alone
   * `kubectl apply --force` (delete and create only when the change cannot be made in place: an
   * immutable field gives 422, a conflict 409). A dry run cannot show a re-creation, so its refusal
   * there is taken as what the real apply will get past. A string says why it failed.
   */
  async function forceWrite(
    res: ApiResource,
    obj: KubeObject,
    live: KubeObject,
    o: ApplyOptions,
    query: Record<string, string>,
  ): Promise<Written | string> {
    const recreate = async () =>
      (await deleteAndWait(res, live)) ?? {
        ...(await write(res, obj, undefined, o, query)),
        replaced: true,
      };
    if (o.replace && !o.dryRun) return recreate();
    const out = await write(res, obj, live, o, query);
    if (out.status !== 422 && out.status !== 409) return out;
    if (o.dryRun) return { status: 200, body: live, before: live, replaced: true };
    return recreate();
  }

  /**
   * Deletes in the foreground (dependents first, as `kubectl replace --force`) and waits until the
   * object is gone: creating it while it still terminates would write to the old one. Returns why
   * it failed, or undefined.
   */
  async function deleteAndWait(res: ApiResource, live: KubeObject): Promise<string | undefined> {
    const path = resourcePath(res, live.metadata.namespace, live.metadata.name);
    const out = await kube.request('DELETE', path, { body: { propagationPolicy: 'Foreground' } });
    if (out.status >= 300 && out.status !== 404) return statusMessage(out.body, out.status);
    const deadline = Date.now() + forceDeleteTimeoutMs;
    for (;;) {
      const now = await kube.request('GET', path);
      // A new uid means someone else already created it again: it is not the one we deleted.
      if (now.status === 404 || uidOf(now.body) !== uidOf(live)) return undefined;
      if (Date.now() > deadline)
        return `still being deleted after ${forceDeleteTimeoutMs / 1000}s (Force=true)`;
      await sleep(200);
    }
  }

  async function write(
    res: ApiResource,
    obj: KubeObject,
    live: KubeObject | undefined,
    o: ApplyOptions,
    query: Record<string, string>,
  ): Promise<Written> {
    const path = resourcePath(res, obj.metadata.namespace, obj.metadata.name);
    // Replace=true is `kubectl replace`/`create`: PUT over the live object, POST when there is none.
    if (o.replace && !live) {
      const out = await kube.request('POST', resourcePath(res, obj.metadata.namespace), {
        body: obj,
        query,
      });
      if (out.status !== 409) return { ...out, before: undefined };
      // It exists after all (the watch cache had not seen it yet): replace what is there.
      const current = await kube.request<KubeObject>('GET', path);
      if (current.status >= 300) return { ...current, before: undefined };
      live = current.body;
    }
    if (o.replace && live) {
      const resourceVersion = rv(live);
      const out = await kube.request('PUT', path, {
        body: {
          ...obj,
          metadata: { ...obj.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
        },
        query,
      });
      return { ...out, before: live };
    }
    // Server-side apply checks every field against the schema whatever fieldValidation says, so
    // Validate=false is kubectl's `apply --validate=false`: client-side, unknown fields dropped.
    if (o.serverSideApply === false || !o.validate) return clientSide(res, obj, live, query);
    return serverSide(path, obj, live, o.dryRun, query);
  }

  /** Server-side apply (force, as Argo CD); a dry run the memo knows the answer of is not sent. */
  async function serverSide(
    path: string,
    obj: KubeObject,
    live: KubeObject | undefined,
    dryRun: boolean,
    query: Record<string, string>,
  ): Promise<Written> {
    const known = dryRun ? memo?.get(obj, live) : undefined;
    if (known) return { status: 200, body: known, before: live };
    const out = await kube.request<KubeObject>('PATCH', path, {
      body: obj,
      contentType: applyPatch,
      query: { ...query, force: 'true' },
    });
    if (out.status < 300 && dryRun) memo?.dryRan(obj, live, out.body);
    else if (out.status < 300) memo?.applied(obj, out.body);
    return { ...out, before: live };
  }

  /** kubectl apply: create with the last-applied annotation, or send the three-way merge patch. */
  async function clientSide(
    res: ApiResource,
    obj: KubeObject,
    live: KubeObject | undefined,
    query: Record<string, string>,
  ): Promise<Written> {
    const plan = clientSideApply(obj, live);
    if (plan.kind === 'create') {
      const out = await kube.request('POST', resourcePath(res, obj.metadata.namespace), {
        body: plan.object,
        query,
      });
      return { ...out, before: undefined };
    }
    // An empty patch changes nothing: kubectl reports "unchanged" without a request.
    if (Object.keys(plan.patch).length === 0) return { status: 200, body: live, before: live };
    const out = await kube.request(
      'PATCH',
      resourcePath(res, obj.metadata.namespace, obj.metadata.name),
      { body: plan.patch, contentType: mergePatch, query },
    );
    return { ...out, before: live };
  }

  /** Whether the object exists on the server now (the watch cache may not hold its kind). */
  async function exists(obj: KubeObject, index: ApiResourceIndex): Promise<boolean> {
    const res = await lookup(obj, index);
    if (!res) return false;
    const out = await kube.request(
      'GET',
      resourcePath(res, obj.metadata.namespace, obj.metadata.name),
    );
    return out.status < 300;
  }

  async function remove(
    live: KubeObject,
    index: ApiResourceIndex,
    propagation: string,
    dryRun: boolean,
  ): Promise<ActResult> {
    const res = await lookup(live, index);
    if (!res) return { ok: false, message: `the server does not know ${live.kind}` };
    const out = await kube.request(
      'DELETE',
      resourcePath(res, live.metadata.namespace, live.metadata.name),
      {
        body: { propagationPolicy: propagation.charAt(0).toUpperCase() + propagation.slice(1) },
        ...(dryRun ? { query: { dryRun: 'All' } } : {}),
      },
    );
    if (out.status === 404) return { ok: true, message: 'pruned' };
    if (out.status >= 300) return { ok: false, message: statusMessage(out.body, out.status) };
    return { ok: true, message: 'pruned' };
  }

  return { apply, exists, remove };
}
export type Applier = ReturnType<typeof createApplier>;
