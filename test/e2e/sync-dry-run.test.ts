import { describe, expect, it } from 'vitest';
import { useApiSync } from './support/api-session.ts';
import { liveValue as valueOf, valueConfigMap as configMap } from './support/config-maps.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { historyLength, messageOf, phaseOf, resultOf } from './support/operation-results.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { deployment, exists, job } from './support/sync-fixtures.ts';

// A dry-run sync requested as `gitward app sync --dry-run` requests it (POST .../sync with
// dryRun: true), against the real controller: nothing changes, and the result says what would.

const bed = useSyncBed('sync-dry-run');
const sync = useApiSync('dry-run-admin-pass', bed.waitApp);

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

    // What it would have done, resource by resource, every result final at once.
    const expected: [string, string, Record<string, string>][] = [
      ['ConfigMap', 'fresh', { status: 'Synced', message: 'configmap/fresh created (dry run)' }],
      ['ConfigMap', 'kept', { status: 'Synced', message: 'configmap/kept configured (dry run)' }],
      [
        'Deployment',
        'dry-web',
        { status: 'Synced', message: 'deployment/dry-web created (dry run)' },
      ],
      ['ConfigMap', 'old', { status: 'Pruned', message: 'pruned (dry run)' }],
      [
        'Job',
        'dry-hook',
        { status: 'Synced', message: 'job/dry-hook created (dry run)', hookType: 'PreSync' },
      ],
    ];
    for (const [kind, name, want] of expected)
      expect(resultOf(done, kind, name), `${kind}/${name}`).toMatchObject({
        ...want,
        hookPhase: 'Succeeded',
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

  it('reports an app that brings its own namespace, then the real sync creates it', async () => {
    const own = uniqueName('dry-own-ns');
    await bed.repo.commit(
      {
        'dry-ns/ns.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: own },
        }),
        'dry-ns/cm.json': configMap('inside', 'x'),
      },
      'own namespace',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], bed.application('dry-run-ns', own, 'dry-ns'));
    await bed.waitApp('dry-run-ns', (a) => a.status?.sync?.status === 'OutOfSync');
    const dry = await sync('dry-run-ns', { dryRun: true });
    expect(phaseOf(dry), messageOf(dry)).toBe('Succeeded');
    expect(resultOf(dry, 'Namespace', own)?.message).toBe(`namespace/${own} created (dry run)`);
    expect(resultOf(dry, 'ConfigMap', 'inside')?.message).toBe(
      `configmap/inside created (dry run, not validated: namespace ${own} does not exist yet)`,
    );
    expect(await exists('default', 'namespace', own)).toBe(false);

    const real = await sync('dry-run-ns', {});
    expect(phaseOf(real), messageOf(real)).toBe('Succeeded');
    expect(await valueOf(own, 'inside')).toBe('x');
  });

  it('does not create the CreateNamespace=true destination in a dry run, and validates in an existing one', async () => {
    const fresh = uniqueName('dry-create-ns');
    await bed.repo.commit({ 'dry-create/cm.json': configMap('made', 'x') }, 'create ns');
    await bed.repo.push();
    const spec = { syncPolicy: { syncOptions: ['CreateNamespace=true'] } };
    await kubectl(
      ['apply', '-f', '-'],
      bed.application('dry-run-create', fresh, 'dry-create', spec),
    );
    await bed.waitApp('dry-run-create', (a) => a.status?.sync?.status === 'OutOfSync');
    const dry = await sync('dry-run-create', { dryRun: true });
    expect(phaseOf(dry), messageOf(dry)).toBe('Succeeded');
    expect(resultOf(dry, 'ConfigMap', 'made')?.message).toBe(
      `configmap/made created (dry run, not validated: namespace ${fresh} does not exist yet)`,
    );
    expect(await exists('default', 'namespace', fresh)).toBe(false);

    // Once the namespace exists, the dry run validates there again.
    await kubectl(['create', 'namespace', fresh]);
    const again = await sync('dry-run-create', { dryRun: true });
    expect(resultOf(again, 'ConfigMap', 'made')?.message).toBe('configmap/made created (dry run)');
    expect(await exists(fresh, 'configmap', 'made')).toBe(false);
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
    expect(messageOf(done)).toMatch(
      /^one or more objects failed to apply \(dry run\), reason: .*dataa/,
    );
    expect(await exists(badDest, 'configmap', 'good')).toBe(false);
    expect(historyLength(done)).toBe(0);
  });
});
