import { beforeAll, describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { adminApi, syncThroughApi, type AdminCall } from './support/api-session.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { historyLength, messageOf, phaseOf, resultOf } from './support/operation-results.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { deployment, exists, job } from './support/sync-fixtures.ts';

// A dry-run sync requested as `gitward app sync --dry-run` requests it (POST .../sync with
// dryRun: true), against the real controller: nothing changes, and the result says what would.

const bed = useSyncBed('sync-dry-run');
let call: AdminCall;

beforeAll(async () => {
  call = await adminApi('dry-run-admin-pass');
});

const configMap = (name: string, value: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value } });
const sync = (app: string, body: Record<string, unknown>): Promise<Application> =>
  syncThroughApi(call, bed.waitApp, app, body);
const valueOf = async (dest: string, name: string) =>
  (await getJson<KubeObject & { data: { value: string } }>(['-n', dest, 'configmap', name])).data
    .value;

/** An app of directory `path` in a new namespace, created and compared (OutOfSync). */
async function createApp(app: string, path: string): Promise<string> {
  const dest = uniqueName(app);
  await kubectl(['create', 'namespace', dest]);
  await kubectl(['apply', '-f', '-'], bed.application(app, dest, path));
  await bed.waitApp(app, (a) => a.status?.sync?.status === 'OutOfSync');
  return dest;
}

describe('dry-run sync', () => {
  const app = 'dry-run';
  let dest = '';

  it('first syncs for real: one history entry', async () => {
    await bed.repo.commit(
      { 'dry/kept.json': configMap('kept', 'old'), 'dry/old.json': configMap('old', 'x') },
      'v1',
    );
    await bed.repo.push();
    dest = await createApp(app, 'dry');
    const first = await sync(app, {});
    expect(phaseOf(first), messageOf(first)).toBe('Succeeded');
    expect(historyLength(first)).toBe(1);
  });

  it('changes nothing (no create, no update, no prune, no hook, no history) and reports what it would do', async () => {
    // The next commit changes one object, adds two (one in a later wave), drops one, and adds a
    // PreSync hook: a real sync would do all of that, and wait between the waves.
    await bed.publish(
      app,
      {
        'dry/kept.json': configMap('kept', 'new'),
        'dry/old.json': null,
        'dry/fresh.json': configMap('fresh', 'x'),
        'dry/web.yaml': deployment('dry-web', 1),
        'dry/hook.json': job('dry-hook', 'PreSync', 'BeforeHookCreation'),
      },
      'v2',
    );
    const done = await sync(app, { dryRun: true, prune: true });
    expect(phaseOf(done), messageOf(done)).toBe('Succeeded');

    // The cluster is as it was.
    expect(await exists(dest, 'configmap', 'fresh')).toBe(false);
    expect(await exists(dest, 'deployment', 'dry-web')).toBe(false);
    expect(await exists(dest, 'job', 'dry-hook')).toBe(false);
    expect(await exists(dest, 'configmap', 'old')).toBe(true);
    expect(await valueOf(dest, 'kept')).toBe('old');

    // What it would have done, resource by resource.
    expect(resultOf(done, 'ConfigMap', 'fresh')).toMatchObject({
      status: 'Synced',
      message: 'configmap/fresh created (dry run)',
      hookPhase: 'Succeeded',
    });
    expect(resultOf(done, 'ConfigMap', 'kept')).toMatchObject({
      status: 'Synced',
      message: 'configmap/kept configured (dry run)',
    });
    expect(resultOf(done, 'Deployment', 'dry-web')).toMatchObject({
      status: 'Synced',
      message: 'deployment/dry-web created (dry run)',
    });
    expect(resultOf(done, 'ConfigMap', 'old')).toMatchObject({
      status: 'Pruned',
      message: 'pruned (dry run)',
    });
    expect(resultOf(done, 'Job', 'dry-hook')).toMatchObject({
      status: 'Synced',
      hookType: 'PreSync',
      hookPhase: 'Succeeded',
      message: 'job/dry-hook created (dry run)',
    });

    // No history, and the app is still OutOfSync.
    expect(historyLength(done)).toBe(1);
    expect(done.status?.sync?.status).toBe('OutOfSync');
  });

  it('reports an extraneous object as skipped without prune', async () => {
    const done = await sync(app, { dryRun: true });
    expect(resultOf(done, 'ConfigMap', 'old')).toMatchObject({
      status: 'PruneSkipped',
      message: 'ignored (requires pruning)',
    });
    expect(await exists(dest, 'configmap', 'old')).toBe(true);
    expect(historyLength(done)).toBe(1);
  });

  it('leaves the real sync afterwards to do it all', async () => {
    const real = await sync(app, { prune: true });
    expect(phaseOf(real), messageOf(real)).toBe('Succeeded');
    expect(await exists(dest, 'configmap', 'fresh')).toBe(true);
    expect(await valueOf(dest, 'kept')).toBe('new');
    expect(historyLength(real)).toBe(2);
  });

  it('fails without changing anything when the server refuses an object', async () => {
    await bed.repo.commit(
      {
        'dry-bad/good.json': configMap('good', 'x'),
        'dry-bad/bad.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'bad' },
          dataa: { typo: 'x' },
        }),
      },
      'bad',
    );
    await bed.repo.push();
    const badDest = await createApp('dry-run-bad', 'dry-bad');
    const done = await sync('dry-run-bad', { dryRun: true });
    expect(phaseOf(done)).toBe('Failed');
    expect(messageOf(done)).toMatch(/^one or more objects failed to apply \(dry run\): .*dataa/);
    expect(await exists(badDest, 'configmap', 'good')).toBe(false);
    expect(historyLength(done)).toBe(0);
  });
});
