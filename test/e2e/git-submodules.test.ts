import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer } from '@gitward/testkit';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { application, cm } from './support/sync-fixtures.ts';

/**
 * Submodules through the real controller and the real git server: an app whose kustomization
 * reaches into a submodule syncs what the submodule holds (Argo CD's `git submodule update --init
 * --recursive`), and a repository whose submodule points at the controller's own disk (file://)
 * is refused with a ComparisonError naming the submodule, having fetched nothing.
 */
const bed = useSyncBed('submodules');
let other: GitServer;
beforeAll(async () => {
  other = await createGitServer();
});
afterAll(() => other.close());

const comparisonError = (a: Application) =>
  (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError');

describe('git submodules', () => {
  const dest = uniqueName('submodules');
  beforeAll(async () => {
    await kubectl(['create', 'namespace', dest]);
  });

  it('an app renders and syncs the files of its repository submodule', async () => {
    const lib = await other.createRepo('shared-lib');
    const libSha = await lib.commit(
      {
        'base/kustomization.yaml': 'resources: [cm.yaml]\n',
        'base/cm.yaml': cm('from-submodule'),
      },
      'shared base',
    );
    await lib.push();
    await bed.repo.submodule('vendor/lib', lib.url, libSha);
    const sha = await bed.repo.commit(
      { 'app/kustomization.yaml': 'resources: [../vendor/lib/base]\nnamePrefix: app-\n' },
      'app over the submodule',
    );
    await bed.repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      bed.application('with-submodule', dest, 'app', { syncPolicy: { automated: {} } }),
    );
    const a = await bed.waitApp(
      'with-submodule',
      (x) => x.status?.sync?.status === 'Synced' && x.status.sync.revision === sha,
    );
    expect(comparisonError(a)).toBeUndefined();
    const got = await kubectl(['-n', dest, 'get', 'configmap', 'app-from-submodule', '-o', 'name']);
    expect(got.trim()).toBe('configmap/app-from-submodule');
  });

  it('a submodule URL reaching the controller disk (file://) is refused with a clear condition', async () => {
    const secret = await other.createRepo('not-for-you');
    const hostile = await other.createRepo('hostile-submodule');
    // The bare repository on the server's disk stands for any repository on the controller's.
    await hostile.submodule('steal', `file://${other.root}/not-for-you.git`, await secret.head());
    await hostile.commit({ 'app/cm.yaml': cm('never') }, 'hostile');
    await hostile.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('hostile-submodule', hostile.url, dest, 'app', { automated: {} }),
    );
    const a = await bed.waitApp('hostile-submodule', (x) => comparisonError(x) !== undefined);
    expect(comparisonError(a)?.message).toMatch(
      /submodule steal of .*hostile-submodule\.git: submodule URL "file:\/\/.*not-for-you\.git" is refused: the file transport is not allowed/,
    );
    const none = await kubectl(['-n', dest, 'get', 'configmap', 'never', '--ignore-not-found']);
    expect(none.trim()).toBe('');
  });
});
