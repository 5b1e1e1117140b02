import { beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import type { TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { useCliBed } from './support/cli-bed.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { appNamespace, refresh } from './support/sync-fixtures.ts';

// The controller's sync status and the API's diff (`gitward app diff`, managed-resources) are one
// three-way prediction (issue 16): a field removed from Git is drift in both, a field only the
// apiserver defaults is drift in neither. Real controller, real API server, real CLI (`app diff`
// prints the managed-resources route's diffs, which the UI's Diff tab shows too).

const bed = useCliBed('three-way-admin-pass');
const { gitward } = bed;
const name = uniqueName('threeway');
const dest = uniqueName('threeway');
let repo: TestRepo;
let firstRevision = '';

const settings = (data: Record<string, string>) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data });
// The apiserver defaults type, sessionAffinity, clusterIP(s), ipFamilies, port protocol and
// targetPort: none of them is in Git, none of them is drift.
const service = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
});

const ref = { group: 'gitward.dev', namespace: appNamespace, name };
const waitApp = (ok: (a: Application) => boolean) =>
  waitApplication(ref, ok, { timeoutMs: 90_000, logFile: bed.controller().logFile });
const resourceStatus = (a: Application, kind: string) =>
  a.status?.resources?.find((r) => r.kind === kind)?.status;

beforeAll(async () => {
  repo = await bed.git().createRepo('three-way');
  firstRevision = await repo.commit(
    { 'app/settings.json': settings({ mode: 'blue', replicas: '2' }), 'app/svc.json': service },
    'v1',
  );
  await repo.push();
  await kubectl(['create', 'namespace', dest]);
  const create = await gitward([
    ...['app', 'create', name, '--repo', repo.url, '--path', 'app', '--revision', 'main'],
    ...['--dest-namespace', dest],
  ]);
  expect(create.code, create.stderr).toBe(0);
  const sync = await gitward(['app', 'sync', name, '--timeout', '120']);
  expect(sync.code, sync.stderr + sync.stdout).toBe(0);
});

describe('the API diff is the controller diff', () => {
  it('shows no drift for what only the apiserver defaults, in the status and in app diff', async () => {
    const app = await waitApp(
      (a) => a.status?.sync?.revision === firstRevision && a.status.sync.status === 'Synced',
    );
    expect(resourceStatus(app, 'Service')).toBe('Synced');
    const live = await kubectl([
      '-n',
      dest,
      'get',
      'service',
      'web',
      '-o',
      'jsonpath={.spec.type}',
    ]);
    expect(live).toBe('ClusterIP');
    const diff = await gitward(['app', 'diff', name]);
    expect(diff.code, diff.stdout + diff.stderr).toBe(0);
    expect(diff.stdout).toBe('');
  });

  it('shows a field removed from Git as drift in the status and in app diff alike', async () => {
    const second = await repo.commit({ 'app/settings.json': settings({ mode: 'blue' }) }, 'v2');
    await repo.push();
    await refresh(name);
    const app = await waitApp(
      (a) => a.status?.sync?.revision === second && a.status.sync.status === 'OutOfSync',
    );
    expect(resourceStatus(app, 'ConfigMap')).toBe('OutOfSync');
    expect(resourceStatus(app, 'Service')).toBe('Synced');

    const diff = await gitward(['app', 'diff', name]);
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/ConfigMap .*settings/);
    expect(diff.stdout).toMatch(/^-\s+replicas: "2"$/m);
    expect(diff.stdout).not.toMatch(/Service/);
  });
});
