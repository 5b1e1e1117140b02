import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGpgKey, type GpgKey } from '@gitward/testkit';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { appNamespace, applyProject, cm, exists, refresh } from './support/sync-fixtures.ts';

/**
 * GnuPG commit verification (AppProject `signatureKeys`, public keys in gitward-gpg-keys-cm) with
 * the real gpg, keys generated here and commits signed and pushed to the real git server: the app
 * syncs a commit signed by an allowed key, and an unsigned commit, one signed by a key the project
 * does not allow, or by a key the ConfigMap lacks is neither compared nor synced, with a
 * ComparisonError saying why.
 */
const bed = useSyncBed('signed');
const keysCm = 'gitward-gpg-keys-cm';
const project = uniqueName('signed-proj');
let allowed: GpgKey;
let notAllowed: GpgKey;
let unknown: GpgKey;

beforeAll(async () => {
  [allowed, notAllowed, unknown] = await Promise.all([
    createGpgKey('allowed <allowed@gitward.invalid>'),
    createGpgKey('other <other@gitward.invalid>'),
    createGpgKey('stranger <stranger@gitward.invalid>'),
  ]);
  // Both keys are known (in the ConfigMap); only one is allowed by the project.
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: keysCm, namespace: appNamespace },
      data: { [allowed.keyId]: allowed.publicKey, [notAllowed.keyId]: notAllowed.publicKey },
    }),
  );
  await applyProject(project, { signatureKeys: [{ keyID: allowed.keyId }] });
});
afterAll(async () => {
  await kubectl(['-n', appNamespace, 'delete', 'configmap', keysCm, '--ignore-not-found']);
  await kubectl(['-n', appNamespace, 'delete', 'appprojects.gitward.dev', project]);
  await Promise.all([allowed.close(), notAllowed.close(), unknown.close()]);
});

const comparisonError = (a: Application) =>
  (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError')?.message ?? '';

describe('signed commits (AppProject signatureKeys)', () => {
  const dest = uniqueName('signed');
  const app = 'signed-app';
  beforeAll(async () => {
    await kubectl(['create', 'namespace', dest]);
  });

  it('syncs a commit signed by an allowed key', async () => {
    const sha = await bed.repo.commit({ 'app/one.json': cm('one') }, 'signed one', {
      signWith: allowed,
    });
    await bed.repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      bed.application(app, dest, 'app', { project, syncPolicy: { automated: {} } }),
    );
    const a = await bed.waitApp(
      app,
      (x) => x.status?.sync?.status === 'Synced' && x.status.sync.revision === sha,
    );
    expect(comparisonError(a)).toBe('');
    expect(await exists(dest, 'configmap', 'one')).toBe(true);
  });

  it.each([
    ['unsigned', undefined, /in Git is not signed, but a signature is required by project/],
    [
      'signed by a key the project does not allow',
      () => notAllowed,
      /is not signed with a key allowed by project .*: found good signature made with key [0-9A-F]{16}, but this key is not allowed in AppProject/,
    ],
    [
      'signed by a key the ConfigMap lacks',
      () => unknown,
      /is not signed with a key allowed by project .*whose public key is not in the GPG keys ConfigMap/,
    ],
  ])('does not sync a commit %s, and says why', async (what, key, why) => {
    const name = uniqueName('bad');
    const signWith = key?.();
    const sha = await bed.repo.commit(
      { [`app/${name}.json`]: cm(name) },
      what,
      signWith ? { signWith } : {},
    );
    await bed.repo.push();
    await refresh(app);
    const a = await bed.waitApp(app, (x) => comparisonError(x).includes(sha));
    expect(comparisonError(a)).toMatch(why);
    expect(comparisonError(a)).toContain(`Target revision ${sha}`);
    expect(await exists(dest, 'configmap', name)).toBe(false);
  });

  it('syncs again once a signed commit is on top', async () => {
    const sha = await bed.repo.commit({ 'app/two.json': cm('two') }, 'signed two', {
      signWith: allowed,
    });
    await bed.repo.push();
    await refresh(app);
    const a = await bed.waitApp(
      app,
      (x) => x.status?.sync?.status === 'Synced' && x.status.sync.revision === sha,
    );
    expect(comparisonError(a)).toBe('');
    expect(await exists(dest, 'configmap', 'two')).toBe(true);
  });
});
