import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { deployment } from './support/sync-fixtures.ts';

// The apply options that change how an object is written (Replace, Force, Validate,
// CreateNamespace with managedNamespaceMetadata, PrunePropagationPolicy, ApplyOutOfSyncOnly),
// checked on what the real apiserver ends up holding.

const bed = useSyncBed('sync-apply-options');
const { waitApp, application, publish, syncNow } = bed;
const get = (dest: string, kind: string, name: string) =>
  getJson<KubeObject>(['-n', dest, kind, name, '--show-managed-fields']);
const uid = (o: KubeObject) => (o.metadata as { uid?: string }).uid;
const gitwardOperations = (o: KubeObject) =>
  ((o.metadata as { managedFields?: { manager: string; operation: string }[] }).managedFields ?? [])
    .filter((m) => m.manager === 'gitward')
    .map((m) => m.operation);

const configMap = (name: string, data: Record<string, string>, options?: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      ...(options ? { annotations: { 'argocd.argoproj.io/sync-options': options } } : {}),
    },
    data,
  });
/** A Job; its pod template is immutable, so a new image cannot be applied in place. */
const job = (name: string, image: string, options: string) =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, annotations: { 'argocd.argoproj.io/sync-options': options } },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'run', image }] },
      },
    },
  });

describe('apply options', () => {
  it('CreateNamespace=true creates the destination namespace first, with managedNamespaceMetadata', async () => {
    const dest = uniqueName('ns-made');
    await bed.repo.commit({ 'made/cm.json': configMap('inside', { a: '1' }) }, 'made');
    await bed.repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('made', dest, 'made', {
        syncPolicy: {
          syncOptions: ['CreateNamespace=true'],
          managedNamespaceMetadata: { labels: { team: 'blue' }, annotations: { owner: 'ops' } },
        },
      }),
    );
    const a = await syncNow('made');
    expect(a.status?.operationState?.phase, a.status?.operationState?.message).toBe('Succeeded');
    const namespace = await getJson<KubeObject>(['namespace', dest]);
    expect(namespace.metadata.labels?.['team']).toBe('blue');
    expect(namespace.metadata.annotations?.['owner']).toBe('ops');
    expect((await get(dest, 'configmap', 'inside'))['data']).toEqual({ a: '1' });
  });

  it('Replace=true replaces the whole object: what another writer added is gone', async () => {
    const dest = uniqueName('replace');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      { 'replace/cm.json': configMap('whole', { a: '1' }, 'Replace=true') },
      'r1',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('replace', dest, 'replace'));
    expect((await syncNow('replace')).status?.operationState?.phase).toBe('Succeeded');
    await kubectl(['-n', dest, 'patch', 'configmap', 'whole', '-p', '{"data":{"manual":"x"}}']);
    await publish(
      'replace',
      { 'replace/cm.json': configMap('whole', { a: '2' }, 'Replace=true') },
      'r2',
    );
    const a = await syncNow('replace');
    expect(a.status?.operationState?.phase, a.status?.operationState?.message).toBe('Succeeded');
    const live = await get(dest, 'configmap', 'whole');
    // A server-side apply would have kept `manual` (another manager owns it); a PUT does not.
    expect(live['data']).toEqual({ a: '2' });
    expect(gitwardOperations(live)).toEqual(['Update']);
  });

  it('Force=true re-creates an object whose immutable field changed, and only then; with Replace=true always', async () => {
    const dest = uniqueName('force');
    await kubectl(['create', 'namespace', dest]);
    const files = (image: string) => ({
      'force/apply.json': job('apply-force', image, 'Force=true'),
      'force/replace.json': job('replace-force', image, 'Force=true,Replace=true'),
    });
    await bed.repo.commit(files('registry.invalid/a:1'), 'f1');
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('force', dest, 'force'));
    expect((await syncNow('force')).status?.operationState?.phase).toBe('Succeeded');
    const first = await get(dest, 'job', 'apply-force');
    const firstReplaced = await get(dest, 'job', 'replace-force');
    // Nothing changed: `kubectl apply --force` patches in place; `replace --force` re-creates.
    expect((await syncNow('force')).status?.operationState?.phase).toBe('Succeeded');
    expect(uid(await get(dest, 'job', 'apply-force'))).toBe(uid(first));
    expect(uid(await get(dest, 'job', 'replace-force'))).not.toBe(uid(firstReplaced));

    const replaced = await get(dest, 'job', 'replace-force');
    await publish('force', files('registry.invalid/a:2'), 'f2');
    const a = await syncNow('force');
    expect(a.status?.operationState?.phase, a.status?.operationState?.message).toBe('Succeeded');
    for (const [name, before] of [
      ['apply-force', first],
      ['replace-force', replaced],
    ] as const) {
      const now = await get(dest, 'job', name);
      expect(uid(now), name).not.toBe(uid(before));
      const spec = now['spec'] as { template: { spec: { containers: { image: string }[] } } };
      expect(spec.template.spec.containers[0]?.image, name).toBe('registry.invalid/a:2');
    }
  });

  it('refuses a field the schema does not know, unless Validate=false', async () => {
    const dest = uniqueName('validate');
    await kubectl(['create', 'namespace', dest]);
    const typo = (options?: string) =>
      JSON.stringify({
        ...(JSON.parse(configMap('typo', { a: '1' }, options)) as object),
        dataa: { b: '2' },
      });
    await bed.repo.commit({ 'validate/cm.json': typo() }, 'v1');
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('validate', dest, 'validate'));
    const refused = await syncNow('validate');
    expect(refused.status?.operationState?.phase).not.toBe('Succeeded');
    expect(refused.status?.operationState?.message).toMatch(/dataa/);
    expect(
      await kubectl(['-n', dest, 'get', 'configmap', 'typo', '--ignore-not-found', '-o', 'name']),
    ).toBe('');

    await publish('validate', { 'validate/cm.json': typo('Validate=false') }, 'v2');
    const allowed = await syncNow('validate');
    expect(allowed.status?.operationState?.phase, allowed.status?.operationState?.message).toBe(
      'Succeeded',
    );
    expect((await get(dest, 'configmap', 'typo'))['data']).toEqual({ a: '1' });
  });

  it('PrunePropagationPolicy=orphan prunes a Deployment and leaves its ReplicaSet', async () => {
    const dest = uniqueName('orphan');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      { 'orphan/web.yaml': deployment('web'), 'orphan/cm.json': configMap('keep', { a: '1' }) },
      'o1',
    );
    await bed.repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('orphan', dest, 'orphan', {
        syncPolicy: { syncOptions: ['PrunePropagationPolicy=orphan'] },
      }),
    );
    expect((await syncNow('orphan')).status?.operationState?.phase).toBe('Succeeded');
    await waitApp('orphan', (a) => a.status?.health?.status === 'Healthy');
    const replicaSets = async () =>
      (await getJson<{ items: KubeObject[] }>(['-n', dest, 'replicasets'])).items;
    const [rs] = await replicaSets();
    if (!rs) throw new Error('the Deployment made no ReplicaSet');

    await publish('orphan', { 'orphan/web.yaml': null }, 'o2');
    const a = await syncNow('orphan', { prune: true });
    expect(a.status?.operationState?.phase, a.status?.operationState?.message).toBe('Succeeded');
    // The garbage collector orphans the ReplicaSet and finishes the delete after the sync ends.
    await expect
      .poll(
        () => kubectl(['-n', dest, 'get', 'deployment', 'web', '--ignore-not-found', '-o', 'name']),
        { timeout: 30_000, interval: 250 },
      )
      .toBe('');
    await expect
      .poll(
        async () =>
          (await replicaSets()).map((r) => ({
            uid: uid(r),
            owners: (r.metadata as { ownerReferences?: unknown[] }).ownerReferences ?? [],
          })),
        { timeout: 30_000, interval: 250 },
      )
      .toEqual([{ uid: uid(rs), owners: [] }]);
  });

  it('ApplyOutOfSyncOnly=true applies only what differs', async () => {
    const dest = uniqueName('only');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'only/a.json': configMap('a', { v: '1' }),
        'only/b.json': configMap('b', { v: '1' }),
      },
      'a1',
    );
    await bed.repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('only', dest, 'only', {
        syncPolicy: { syncOptions: ['ApplyOutOfSyncOnly=true'] },
      }),
    );
    expect((await syncNow('only')).status?.operationState?.phase).toBe('Succeeded');
    const before = await get(dest, 'configmap', 'a');
    await publish('only', { 'only/b.json': configMap('b', { v: '2' }) }, 'a2');
    const a = await syncNow('only');
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    const applied = a.status?.operationState?.syncResult?.resources?.map((r) => r.name);
    expect(applied).toEqual(['b']);
    // `a` was not written at all: same resourceVersion.
    expect((await get(dest, 'configmap', 'a')).metadata['resourceVersion']).toBe(
      before.metadata['resourceVersion'],
    );
    expect((await get(dest, 'configmap', 'b'))['data']).toEqual({ v: '2' });
  });
});
