import type { ApiResourceIndex, KubeClient } from '@gitward/infra';
import { groupOf, type KubeObject } from '@gitward/model';
import { applyPatch, fieldManager, resourcePath } from '../kube-paths.ts';

export interface ApplyOptions {
  readonly dryRun: boolean;
  readonly replace: boolean;
  readonly force: boolean;
  readonly validate: boolean;
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

/** Applies and deletes objects for syncs: server-side apply by default, with Argo CD's options. */
export function createApplier(kube: KubeClient) {
  async function apply(
    obj: KubeObject,
    live: KubeObject | undefined,
    index: ApiResourceIndex,
    o: ApplyOptions,
  ): Promise<ActResult> {
    const res = index.lookup(groupOf(obj.apiVersion), obj.kind);
    if (!res)
      return {
        ok: false,
        message: `the server does not know ${groupOf(obj.apiVersion) || 'core'}/${obj.kind} (is its CRD installed?)`,
      };
    const path = resourcePath(res, obj.metadata.namespace, obj.metadata.name);
    const query: Record<string, string> = {
      fieldManager,
      ...(o.dryRun ? { dryRun: 'All' } : {}),
      ...(o.validate ? {} : { fieldValidation: 'Ignore' }),
    };
    // Force=true with Replace=true: delete and create, for fields that cannot change in place.
    if (o.force && live && !o.dryRun)
      await kube.request('DELETE', path, { body: { propagationPolicy: 'Foreground' } });
    const out = await write(path, obj, live, o, query);
    if (out.status >= 300)
      return { ok: false, message: `${describe(obj)}: ${statusMessage(out.body, out.status)}` };
    return {
      ok: true,
      message: `${obj.kind.toLowerCase()}/${obj.metadata.name ?? ''} ${verb(live, out.body as KubeObject)}`,
    };
  }

  function write(
    path: string,
    obj: KubeObject,
    live: KubeObject | undefined,
    o: ApplyOptions,
    query: Record<string, string>,
  ) {
    if (o.replace && live && !o.force) {
      const resourceVersion = rv(live);
      return kube.request('PUT', path, {
        body: {
          ...obj,
          metadata: { ...obj.metadata, ...(resourceVersion ? { resourceVersion } : {}) },
        },
        query,
      });
    }
    return kube.request('PATCH', path, {
      body: obj,
      contentType: applyPatch,
      query: { ...query, force: 'true' },
    });
  }

  async function remove(
    live: KubeObject,
    index: ApiResourceIndex,
    propagation: string,
    dryRun: boolean,
  ): Promise<ActResult> {
    const res = index.lookup(groupOf(live.apiVersion), live.kind);
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

  return { apply, remove };
}
export type Applier = ReturnType<typeof createApplier>;
