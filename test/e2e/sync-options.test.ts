import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import {
  appNamespace as ns,
  cm,
  deployment,
  exists,
  opDone,
  refresh,
  requestSync,
  waitGone,
} from './support/sync-fixtures.ts';

// Sync options that change what is sent (FailOnSharedResource, RespectIgnoreDifferences,
// SkipDryRunOnMissingResource and CRDs created in the same sync, ServerSideApply=false) and the
// PreDelete/PostDelete hooks of app deletion, against the real apiserver.

const bed = useSyncBed('sync-options');
const { waitApp, application, publish } = bed;
const get = (dest: string, kind: string, name: string) =>
  getJson<KubeObject>(['-n', dest, kind, name, '--show-managed-fields']);
const resultOf = (a: Application, name: string) =>
  a.status?.operationState?.syncResult?.resources?.find((r) => r.name === name);
/** Asserts `check` keeps holding for `ms` (for things that must not happen yet). */
async function holds(check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    expect(await check()).toBe(true);
    await sleep(250);
  }
}
const configMap = (name: string, data: Record<string, string>, annotations = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, annotations }, data });

/** A hook Job whose pod runs only once the kwok node carries `gate=open`. */
const gatedJob = (name: string, hook: string, gate: string, spec: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      annotations: {
        'argocd.argoproj.io/hook': hook,
        'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded',
      },
    },
    spec: {
      ...spec,
      template: {
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { [gate]: 'open' },
          containers: [{ name: 'run', image: 'registry.invalid/job:1' }],
        },
      },
    },
  });
const node = 'kwok-node-0';
const openGate = (gate: string) => kubectl(['label', 'node', node, `${gate}=open`, '--overwrite']);
const removeGate = (gate: string) => kubectl(['label', 'node', node, `${gate}-`]);

const crd = (group: string, kind: string, wave?: number) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: {
    name: `${kind.toLowerCase()}s.${group}`,
    ...(wave === undefined
      ? {}
      : { annotations: { 'argocd.argoproj.io/sync-wave': String(wave) } }),
  },
  spec: {
    group,
    scope: 'Namespaced',
    names: { plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), kind },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    ],
  },
});
const customResource = (group: string, kind: string, name: string, annotations = {}) => ({
  apiVersion: `${group}/v1`,
  kind,
  metadata: { name, annotations },
  spec: { size: 1 },
});

describe('sync options', () => {
  it('FailOnSharedResource=true fails before applying anything when another app tracks an object', async () => {
    const dest = uniqueName('shared');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'shared-owner/shared.json': cm('shared'),
        'shared-taker/shared.json': cm('shared'),
        'shared-taker/mine.json': cm('taker-only'),
      },
      'shared apps',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('owner', dest, 'shared-owner'));
    await requestSync('owner');
    await waitApp('owner', (a) => opDone(a) && a.status?.sync?.status === 'Synced');

    const taker = application('taker', dest, 'shared-taker', {
      syncPolicy: { syncOptions: ['FailOnSharedResource=true'] },
    });
    await kubectl(['apply', '-f', '-'], taker);
    await requestSync('taker');
    const a = await waitApp('taker', opDone);
    expect(a.status?.operationState?.phase).toBe('Failed');
    expect(a.status?.operationState?.message).toBe(
      'Shared resource found: ConfigMap/shared is part of applications taker and owner',
    );
    expect(await exists(dest, 'configmap', 'taker-only')).toBe(false);
    const shared = await get(dest, 'configmap', 'shared');
    expect(shared.metadata.annotations?.['gitward.dev/tracking-id']).toBe(
      `owner:/ConfigMap:${dest}/shared`,
    );
  });

  it('RespectIgnoreDifferences=true keeps the live value of an ignored field (replicas scaled by someone else)', async () => {
    const dest = uniqueName('respect');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      { 'respect/kept.yaml': deployment('kept'), 'respect/reset.yaml': deployment('reset') },
      'respect app',
    );
    await bed.repo.push();
    const manifest = application('respect', dest, 'respect', {
      syncPolicy: { syncOptions: ['RespectIgnoreDifferences=true'] },
      ignoreDifferences: [
        { group: 'apps', kind: 'Deployment', name: 'kept', jsonPointers: ['/spec/replicas'] },
      ],
    });
    await kubectl(['apply', '-f', '-'], manifest);
    await requestSync('respect');
    // Every resource compared Synced after the sync, so the drift below is the scale's own.
    await waitApp(
      'respect',
      (a) =>
        opDone(a) &&
        a.status?.operationState?.phase === 'Succeeded' &&
        (a.status.resources ?? []).every((r) => r.status === 'Synced'),
    );

    for (const name of ['kept', 'reset'])
      await kubectl(['-n', dest, 'scale', 'deployment', name, '--replicas=3']);
    await refresh('respect');
    // The controller has seen the scale once `reset` (not ignored) shows as drift.
    await waitApp('respect', (a) =>
      (a.status?.resources ?? []).some((r) => r.name === 'reset' && r.status === 'OutOfSync'),
    );
    const before = Date.now();
    await requestSync('respect');
    await waitApp(
      'respect',
      (a) => opDone(a) && Date.parse(a.status?.operationState?.startedAt ?? '') >= before - 1000,
    );
    const replicas = async (name: string) =>
      ((await get(dest, 'deployment', name))['spec'] as { replicas: number }).replicas;
    expect(await replicas('kept')).toBe(3);
    expect(await replicas('reset')).toBe(1);
  });

  it('ignores the fields another manager owns (managedFieldsManagers), though the cache drops other managers’ entries', async () => {
    const dest = uniqueName('mfm');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit({ 'mfm/cm.json': configMap('scaled', { a: '1', b: '1' }) }, 'mfm app');
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('mfm', dest, 'mfm'));
    await requestSync('mfm');
    await waitApp('mfm', (a) => opDone(a) && a.status?.operationState?.phase === 'Succeeded');
    // Another field manager takes `a` over by server-side apply.
    const other = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'scaled', namespace: dest },
      data: { a: '2' },
    });
    await kubectl(
      ['apply', '--server-side', '--force-conflicts', '--field-manager=e2e-scaler', '-f', '-'],
      other,
    );
    await refresh('mfm');
    await waitApp('mfm', (a) => a.status?.sync?.status === 'OutOfSync');
    // Now the app names that manager: the controller's cache had dropped its managedFields
    // entries (no app named it), gets them back, and the field it owns is no drift.
    await kubectl(
      ['apply', '-f', '-'],
      application('mfm', dest, 'mfm', {
        ignoreDifferences: [{ kind: 'ConfigMap', managedFieldsManagers: ['e2e-scaler'] }],
      }),
    );
    await waitApp('mfm', (a) => a.status?.sync?.status === 'Synced');
    // A change to a field it does not own still shows.
    await kubectl(['-n', dest, 'patch', 'configmap', 'scaled', '-p', '{"data":{"b":"9"}}']);
    await refresh('mfm');
    await waitApp('mfm', (a) => a.status?.sync?.status === 'OutOfSync');
  });

  it('skips the dry run of a custom resource whose CRD comes earlier in the same sync (SkipDryRunOnMissingResource)', async () => {
    const dest = uniqueName('crdwave');
    await kubectl(['create', 'namespace', dest]);
    const group = `${uniqueName('w')}.gitward.dev`;
    await bed.repo.commit(
      {
        'crdwave/crd.json': JSON.stringify(crd(group, 'Gizmo', -1)),
        'crdwave/cr.json': JSON.stringify(
          customResource(group, 'Gizmo', 'g1', {
            'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
          }),
        ),
      },
      'crd in an earlier wave',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('crdwave', dest, 'crdwave'));
    await requestSync('crdwave');
    const a = await waitApp('crdwave', opDone);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(resultOf(a, 'g1')).toMatchObject({ status: 'Synced', message: 'gizmo/g1 created' });
    const cr = await get(dest, `gizmos.${group}`, 'g1');
    const def = await getJson<KubeObject>(['customresourcedefinition', `gizmos.${group}`]);
    const established = (
      def['status'] as { conditions: { type: string; lastTransitionTime: string }[] }
    ).conditions.find((c) => c.type === 'Established');
    // Second precision on both sides: the CR is never older than its type.
    expect(
      Date.parse((cr.metadata as { creationTimestamp: string }).creationTimestamp),
    ).toBeGreaterThanOrEqual(Date.parse(established?.lastTransitionTime ?? ''));
  });

  it('syncs a CRD and its custom resource in one wave without any option (as Argo CD), and fails a CR of an unknown type', async () => {
    const dest = uniqueName('crdone');
    await kubectl(['create', 'namespace', dest]);
    const group = `${uniqueName('o')}.gitward.dev`;
    const missing = `${uniqueName('m')}.gitward.dev`;
    await bed.repo.commit(
      {
        'crdone/crd.json': JSON.stringify(crd(group, 'Doohickey')),
        'crdone/cr.json': JSON.stringify(customResource(group, 'Doohickey', 'd1')),
        'crdmissing/cr.json': JSON.stringify(customResource(missing, 'Nothing', 'n1')),
      },
      'crd and cr together',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('crdone', dest, 'crdone'));
    await kubectl(['apply', '-f', '-'], application('crdmissing', dest, 'crdmissing'));
    await requestSync('crdone');
    await requestSync('crdmissing');
    const a = await waitApp('crdone', opDone);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(await exists(dest, `doohickeys.${group}`, 'd1')).toBe(true);
    const b = await waitApp('crdmissing', opDone);
    expect(b.status?.operationState?.phase).toBe('Failed');
    expect(b.status?.operationState?.message).toContain(
      'one or more objects failed to apply (dry run)',
    );
  });

  it('ServerSideApply=false applies client-side: last-applied annotation, removed fields deleted, others kept', async () => {
    const dest = uniqueName('csa');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'csa/client.json': configMap('client', { a: '1', b: '2' }),
        'csa/server.json': configMap(
          'server',
          { a: '1' },
          { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' },
        ),
      },
      'csa v1',
    );
    await bed.repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('csa', dest, 'csa', { syncPolicy: { syncOptions: ['ServerSideApply=false'] } }),
    );
    await requestSync('csa');
    let a = await waitApp('csa', opDone);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    const managers = (o: KubeObject) =>
      (
        (o.metadata as { managedFields?: { manager: string; operation: string }[] })
          .managedFields ?? []
      )
        .filter((m) => m.manager === 'gitward')
        .map((m) => m.operation);
    const client = await get(dest, 'configmap', 'client');
    const lastApplied = JSON.parse(
      client.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '{}',
    ) as KubeObject;
    expect(lastApplied['data']).toEqual({ a: '1', b: '2' });
    expect(managers(client)).toEqual(['Update']);
    const serverSide = await get(dest, 'configmap', 'server');
    expect(
      serverSide.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
    ).toBeUndefined();
    expect(managers(serverSide)).toEqual(['Apply']);

    // Another writer adds a key; the manifest drops `b` and changes `a`.
    await kubectl([
      '-n',
      dest,
      'patch',
      'configmap',
      'client',
      '--type=merge',
      '-p',
      '{"data":{"manual":"x"}}',
    ]);
    await publish('csa', { 'csa/client.json': configMap('client', { a: '3' }) }, 'csa v2');
    const before = Date.now();
    await requestSync('csa');
    a = await waitApp(
      'csa',
      (x) => opDone(x) && Date.parse(x.status?.operationState?.startedAt ?? '') >= before - 1000,
    );
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(resultOf(a, 'client')?.message).toBe('configmap/client configured');
    expect((await get(dest, 'configmap', 'client'))['data']).toEqual({ a: '3', manual: 'x' });
  });
});

describe('deletion hooks', () => {
  const cascade = ['resources-finalizer.argocd.argoproj.io'];

  it('runs PreDelete hooks before deleting anything and PostDelete hooks after, then removes the finalizer', async () => {
    const dest = uniqueName('delhooks');
    await kubectl(['create', 'namespace', dest]);
    const preGate = uniqueName('pre-gate');
    const postGate = uniqueName('post-gate');
    await bed.repo.commit(
      {
        'delhooks/payload.json': cm('payload'),
        'delhooks/pre.json': gatedJob('pre-clean', 'PreDelete', preGate),
        'delhooks/post.json': gatedJob('post-clean', 'PostDelete', postGate),
      },
      'deletion hooks app',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('delhooks', dest, 'delhooks', {}, cascade));
    await requestSync('delhooks');
    const synced = await waitApp(
      'delhooks',
      (a) => opDone(a) && a.status?.sync?.status === 'Synced',
    );
    expect(synced.status?.operationState?.phase).toBe('Succeeded');
    // A sync never runs deletion hooks.
    expect(await exists(dest, 'job', 'pre-clean')).toBe(false);
    expect(await exists(dest, 'job', 'post-clean')).toBe(false);

    try {
      await kubectl(['-n', ns, 'delete', 'applications.gitward.dev', 'delhooks', '--wait=false']);
      await expect.poll(() => exists(dest, 'job', 'pre-clean'), { timeout: 30_000 }).toBe(true);
      // While the PreDelete hook runs, nothing is deleted and no PostDelete hook starts.
      await holds(
        async () =>
          (await exists(dest, 'configmap', 'payload')) &&
          !(await exists(dest, 'job', 'post-clean')),
        3000,
      );

      await openGate(preGate);
      await expect.poll(() => exists(dest, 'job', 'post-clean'), { timeout: 60_000 }).toBe(true);
      await waitGone(dest, 'configmap', 'payload');
      // The finalizer stays while the PostDelete hook runs.
      await holds(() => exists(ns, 'applications.gitward.dev', 'delhooks'), 3000);

      await openGate(postGate);
      await expect
        .poll(() => exists(ns, 'applications.gitward.dev', 'delhooks'), { timeout: 60_000 })
        .toBe(false);
      // Both hooks say HookSucceeded: cleaned up once the deletion is done.
      await expect
        .poll(
          async () =>
            (await exists(dest, 'job', 'pre-clean')) || (await exists(dest, 'job', 'post-clean')),
          { timeout: 30_000 },
        )
        .toBe(false);
    } finally {
      await removeGate(preGate);
      await removeGate(postGate);
    }
  });

  it('blocks the deletion with a DeletionError when a PreDelete hook fails', async () => {
    const dest = uniqueName('badhook');
    await kubectl(['create', 'namespace', dest]);
    // Never schedulable, and out of time after a second: the Job fails (DeadlineExceeded).
    await bed.repo.commit(
      {
        'badhook/payload.json': cm('payload'),
        'badhook/pre.json': gatedJob('bad-pre', 'PreDelete', uniqueName('never'), {
          activeDeadlineSeconds: 1,
        }),
      },
      'failing PreDelete hook',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('badhook', dest, 'badhook', {}, cascade));
    await requestSync('badhook');
    await waitApp('badhook', (a) => opDone(a) && a.status?.sync?.status === 'Synced');

    await kubectl(['-n', ns, 'delete', 'applications.gitward.dev', 'badhook', '--wait=false']);
    const a = await waitApp('badhook', (x) =>
      (x.status?.conditions ?? []).some((c) => c.type === 'DeletionError'),
    );
    expect(a.status?.conditions?.find((c) => c.type === 'DeletionError')?.message).toBe(
      `PreDelete hook(s) failed: ${dest}/bad-pre`,
    );
    expect(a.metadata.finalizers).toEqual(cascade);
    await holds(() => exists(dest, 'configmap', 'payload'), 3000);

    // The way out a user has: drop the finalizer (the resources are then left alone).
    await kubectl([
      '-n',
      ns,
      'patch',
      'applications.gitward.dev',
      'badhook',
      '--type=merge',
      '-p',
      '{"metadata":{"finalizers":null}}',
    ]);
    await expect
      .poll(() => exists(ns, 'applications.gitward.dev', 'badhook'), { timeout: 30_000 })
      .toBe(false);
    expect(await exists(dest, 'configmap', 'payload')).toBe(true);
  });
});
