import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { useApiSync } from './support/api-session.ts';
import { liveValue as valueOf, valueConfigMap as configMap } from './support/config-maps.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import {
  historyLength,
  messageOf,
  phaseOf,
  resultLines,
  resultOf,
} from './support/operation-results.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { exists, job, waitGone } from './support/sync-fixtures.ts';

// A selective sync as `gitward app sync --resource` requests it (POST .../sync with resources),
// against the real controller: only the named resources are applied or pruned, hooks do not run
// and no history is written (Argo CD records none for a partial sync).

const bed = useSyncBed('sync-selective');
const sync = useApiSync('selective-admin-pass', bed.waitApp);
const resourceStatus = (a: Application, name: string) =>
  (a.status?.resources ?? []).find((r) => r.name === name)?.status;

describe('selective sync', () => {
  const app = 'selective';
  const dest = uniqueName('selective');

  it('starts from a full sync (one history entry), then v2 changes, adds, drops and brings a hook', async () => {
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'sel/a.json': configMap('a', 'v1'),
        'sel/b.json': configMap('b', 'v1'),
        'sel/c.json': configMap('c', 'v1'),
        'sel/gone.json': configMap('gone', 'v1'),
      },
      'v1',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], bed.application(app, dest, 'sel'));
    await bed.waitApp(app, (a) => a.status?.sync?.status === 'OutOfSync');
    const first = await sync(app, {});
    expect(phaseOf(first), messageOf(first)).toBe('Succeeded');
    expect(historyLength(first)).toBe(1);
    await bed.publish(
      app,
      {
        'sel/a.json': configMap('a', 'v2'),
        'sel/b.json': configMap('b', 'v2'),
        'sel/c.json': null,
        'sel/gone.json': null,
        'sel/d.json': configMap('d', 'v2'),
        'sel/hook.json': job('sel-hook', 'PreSync'),
      },
      'v2',
    );
  });

  it('applies only the named resource: nothing else changes or is pruned, no hook, no history', async () => {
    const onlyA = await sync(app, {
      prune: true,
      resources: [{ group: '', kind: 'ConfigMap', name: 'a', namespace: dest }],
    });
    expect(phaseOf(onlyA), messageOf(onlyA)).toBe('Succeeded');
    expect(resultLines(onlyA)).toEqual(['ConfigMap/a:Synced']);
    expect(await valueOf(dest, 'a')).toBe('v2');
    expect(await valueOf(dest, 'b')).toBe('v1');
    expect(await exists(dest, 'configmap', 'c')).toBe(true);
    expect(await exists(dest, 'configmap', 'gone')).toBe(true);
    expect(await exists(dest, 'configmap', 'd')).toBe(false);
    expect(await exists(dest, 'job', 'sel-hook')).toBe(false);
    expect(historyLength(onlyA)).toBe(1);
    const after = await bed.waitApp(app, (a) => resourceStatus(a, 'a') === 'Synced');
    expect(after.status?.sync?.status).toBe('OutOfSync');
    expect(resourceStatus(after, 'b')).toBe('OutOfSync');
  });

  it('prunes a named resource that is to be pruned, and only it, when prune is asked for', async () => {
    const onlyC = await sync(app, { prune: true, resources: [{ kind: 'ConfigMap', name: 'c' }] });
    expect(phaseOf(onlyC), messageOf(onlyC)).toBe('Succeeded');
    expect(resultLines(onlyC)).toEqual(['ConfigMap/c:Pruned']);
    await waitGone(dest, 'configmap', 'c');
    expect(await exists(dest, 'configmap', 'gone')).toBe(true);
    expect(await exists(dest, 'configmap', 'd')).toBe(false);
    expect(historyLength(onlyC)).toBe(1);
  });

  it('only reports a named resource to be pruned without prune', async () => {
    const skip = await sync(app, { resources: [{ kind: 'ConfigMap', name: 'gone' }] });
    expect(resultLines(skip)).toEqual(['ConfigMap/gone:PruneSkipped']);
    expect(await exists(dest, 'configmap', 'gone')).toBe(true);
  });

  it('leaves hooks and history to the next full sync', async () => {
    const full = await sync(app, { prune: true });
    expect(phaseOf(full), messageOf(full)).toBe('Succeeded');
    expect(resultOf(full, 'Job', 'sel-hook')).toMatchObject({ hookType: 'PreSync' });
    expect(await valueOf(dest, 'b')).toBe('v2');
    expect(await exists(dest, 'configmap', 'd')).toBe(true);
    expect(historyLength(full)).toBe(2);
  });
});
