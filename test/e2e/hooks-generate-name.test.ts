import { describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { cm, generateNameJob, waitGone } from './support/sync-fixtures.ts';

// Hooks named by metadata.generateName (the usual way to write a hook that runs on every sync, and
// what Helm charts' hook Jobs use): the name the sync gives the hook is the one every later pass
// looks for, so the hook is followed to completion instead of being judged vanished at once.
const bed = useSyncBed('gen-hooks');

const argoHook = (hook: string, policy?: string, wave?: string) => ({
  'argocd.argoproj.io/hook': hook,
  ...(policy ? { 'argocd.argoproj.io/hook-delete-policy': policy } : {}),
  ...(wave ? { 'argocd.argoproj.io/sync-wave': wave } : {}),
});

type Result = NonNullable<
  NonNullable<NonNullable<Application['status']>['operationState']>['syncResult']
>['resources'];
const hooksOf = (a: Application): NonNullable<Result> =>
  (a.status?.operationState?.syncResult?.resources ?? []).filter((r) => r.hookType);
/** `Kind/name` of each resource in status.resources. */
const managedOf = (a: Application): string[] =>
  (a.status?.resources ?? []).map((r) => `${r.kind ?? ''}/${r.name ?? ''}`);
const named = (a: Application, prefix: string) =>
  hooksOf(a).filter((r) => (r.name ?? '').startsWith(prefix));

describe('hooks named by generateName', () => {
  const dest = uniqueName('genhook');

  it('run in PreSync, Sync (in waves) and PostSync, with each delete policy, and the sync succeeds', async () => {
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'gen/pre.json': generateNameJob('migrate-', argoHook('PreSync', 'BeforeHookCreation')),
        'gen/sync-w1.json': generateNameJob('seed-', argoHook('Sync', undefined, '1')),
        'gen/post.json': generateNameJob('smoke-', argoHook('PostSync', 'HookSucceeded')),
        'gen/helm.json': generateNameJob('helm-pre-', {
          'helm.sh/hook': 'pre-install',
          'helm.sh/hook-delete-policy': 'hook-succeeded',
        }),
        'gen/cm.yaml': cm('plain'),
      },
      'generateName hooks',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], bed.application('genhook', dest, 'gen'));
    const a = await bed.syncNow('genhook');
    expect(a.status?.operationState?.message).toMatch(/^successfully synced/);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    for (const [prefix, type] of [
      ['migrate-', 'PreSync'],
      ['seed-', 'Sync'],
      ['smoke-', 'PostSync'],
      ['helm-pre-', 'PreSync'],
    ] as const) {
      const [r] = named(a, prefix);
      expect(r, prefix).toMatchObject({ hookType: type, hookPhase: 'Succeeded' });
      // The name the sync gave it: generateName + revision, phase and start time.
      expect(r?.name).toMatch(new RegExp(`^${prefix}[0-9a-f]{7}-${type.toLowerCase()}-\\d+$`));
    }
    // HookSucceeded (Argo CD's and Helm's spelling) removed the finished hooks; the PreSync hook
    // (BeforeHookCreation) stays until the next sync.
    await waitGone(dest, 'job', named(a, 'smoke-')[0]?.name ?? '');
    await waitGone(dest, 'job', named(a, 'helm-pre-')[0]?.name ?? '');
    const migrate = named(a, 'migrate-')[0]?.name ?? '';
    expect((await getJson<KubeObject>(['-n', dest, 'job', migrate])).metadata.name).toBe(migrate);
    const synced = await bed.waitApp('genhook', (x) => x.status?.sync?.status === 'Synced');
    expect(synced.status?.health?.status).toBe('Healthy');
    // Hooks are never managed resources (as in Argo CD): neither under their generateName nor
    // under the name the sync gave them, though the PreSync hook is still live and tracked.
    expect(managedOf(synced)).toEqual(['ConfigMap/plain']);
  });

  it('run again on the next sync, under a new name', async () => {
    const before = await bed.waitApp('genhook', (x) => named(x, 'migrate-').length === 1);
    const first = named(before, 'migrate-')[0]?.name;
    // The start time is part of the name: wait for the next second.
    await new Promise((r) => setTimeout(r, 1100));
    const a = await bed.syncNow('genhook');
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    const [again] = named(a, 'migrate-');
    expect(again).toMatchObject({ hookPhase: 'Succeeded' });
    expect(again?.name).not.toBe(first);
  });
});
