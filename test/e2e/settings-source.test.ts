import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { application } from './support/sync-fixtures.ts';

// The controller reads its tracking method from the settings ConfigMap (gitward-cm), as Argo CD's
// reads argocd-cm, with a flag only overriding it. Each part runs its own controller in its own
// control namespace: the ConfigMap written here must not change how other files' controllers
// track their objects.

const instanceLabel = 'app.kubernetes.io/instance';
const trackingAnnotation = 'gitward.dev/tracking-id';
let git: GitServer;
let repo: TestRepo;
const controlNamespaces: string[] = [];

beforeAll(async () => {
  git = await createGitServer();
  repo = await git.createRepo('settings-source');
  await repo.commit(
    {
      'app/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tracked\ndata:\n  v: "1"\n',
    },
    'a ConfigMap',
  );
  await repo.push();
});

afterAll(async () => {
  await git?.close();
  // Applications there carry no finalizer: the namespace goes with them.
  for (const ns of controlNamespaces)
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
});

/** A control namespace of this file, with a gitward-cm holding `data`. */
async function controlNamespace(prefix: string, data: Record<string, string>): Promise<string> {
  const ns = uniqueName(prefix);
  controlNamespaces.push(ns);
  await kubectl(['create', 'namespace', ns]);
  await writeSettings(ns, data);
  return ns;
}

async function writeSettings(ns: string, data: Record<string, string>): Promise<void> {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gitward-cm', namespace: ns },
      data,
    }),
  );
}

/** An auto-synced app of the repository's `app` directory into its own new namespace. */
async function syncedObject(
  controlNs: string,
  name: string,
  controller: ControllerProcess,
): Promise<KubeObject> {
  const dest = uniqueName(`${name}-dst`);
  const sync = { automated: {}, syncOptions: ['CreateNamespace=true'] };
  await kubectl(['apply', '-f', '-'], application(name, repo.url, dest, 'app', sync, controlNs));
  await waitApplication(
    { group: 'gitward.dev', namespace: controlNs, name },
    (a) => a.status?.sync?.status === 'Synced' && a.status.operationState?.phase === 'Succeeded',
    { timeoutMs: 90_000, logFile: controller.logFile },
  );
  return getJson<KubeObject>(['configmap', 'tracked', '-n', dest]);
}

const marks = (o: KubeObject) => ({
  label: o.metadata.labels?.[instanceLabel],
  annotation: o.metadata.annotations?.[trackingAnnotation] !== undefined,
});

describe('without --tracking-method', () => {
  let controller: ControllerProcess;
  let ns: string;
  beforeAll(async () => {
    ns = await controlNamespace('settings-cm', { 'application.resourceTrackingMethod': 'label' });
    controller = await startController(['--namespace', ns, '--resync-seconds', '0']);
    await controller.ready();
  });
  afterAll(async () => {
    await controller?.stop();
  });

  it('tracks by the label gitward-cm asks for', async () => {
    expect(marks(await syncedObject(ns, 'by-label', controller))).toEqual({
      label: 'by-label',
      annotation: false,
    });
  });

  it('follows a change of gitward-cm without a restart, and reports a bad value', async () => {
    await writeSettings(ns, { 'application.resourceTrackingMethod': 'annotation+label' });
    // The controller logs the settings it applies; its next reconcile uses the new method.
    await waitLog(controller, '"trackingMethod":"annotation+label"');
    expect(marks(await syncedObject(ns, 'by-both', controller))).toEqual({
      label: 'by-both',
      annotation: true,
    });

    // An unknown method is a warning naming the key, and the default (annotation), not a crash.
    await writeSettings(ns, { 'application.resourceTrackingMethod': 'uid' });
    await waitLog(controller, 'settings key application.resourceTrackingMethod');
    // ... and a Warning Event on the ConfigMap, for `kubectl describe configmap gitward-cm`.
    await waitEvent(ns, 'gitward-cm', 'InvalidSetting');
    expect(marks(await syncedObject(ns, 'by-default', controller))).toEqual({
      label: undefined,
      annotation: true,
    });
    expect(controller.child.exitCode).toBeNull();
  });
});

describe('with --tracking-method', () => {
  let controller: ControllerProcess;
  let ns: string;
  beforeAll(async () => {
    ns = await controlNamespace('settings-flag', {
      'application.resourceTrackingMethod': 'label',
      // No --resync-seconds: the ConfigMap's period applies (short, so the test sees it).
      'timeout.reconciliation': '2s',
      'timeout.reconciliation.jitter': '0s',
    });
    controller = await startController([
      ...['--namespace', ns],
      ...['--tracking-method', 'annotation'],
    ]);
    await controller.ready();
  });
  afterAll(async () => {
    await controller?.stop();
  });

  it('the flag wins over gitward-cm', async () => {
    expect(marks(await syncedObject(ns, 'by-flag', controller))).toEqual({
      label: undefined,
      annotation: true,
    });
  });

  it('refreshes every timeout.reconciliation of gitward-cm: a new commit is seen unasked', async () => {
    const sha = await repo.commit(
      {
        'app/cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tracked\ndata:\n  v: "2"\n',
      },
      'v2',
    );
    await repo.push();
    // No refresh annotation and no webhook: only the periodic refresh can find the commit.
    await waitApplication(
      { group: 'gitward.dev', namespace: ns, name: 'by-flag' },
      (a) => a.status?.sync?.revision === sha,
      { timeoutMs: 60_000, logFile: controller.logFile },
    );
  });
});

/** Polls the controller's log for `text` (the log is the only outside view of the settings). */
async function waitLog(controller: ControllerProcess, text: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if ((await readFile(controller.logFile, 'utf8')).includes(text)) return;
    await sleep(100);
  }
  throw new Error(`controller log never said ${text}; see ${controller.logFile}`);
}

/** Polls for an Event about `name` with `reason` in the namespace. */
async function waitEvent(ns: string, name: string, reason: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const list = await getJson<{ items: { reason?: string; message?: string }[] }>([
      'events',
      '-n',
      ns,
      '--field-selector',
      `involvedObject.name=${name},involvedObject.kind=ConfigMap`,
    ]);
    if (list.items.some((e) => e.reason === reason && e.message?.includes('uid'))) return;
    await sleep(100);
  }
  throw new Error(`no ${reason} Event about ${ns}/${name}`);
}
