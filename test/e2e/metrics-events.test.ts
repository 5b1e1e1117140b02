import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import {
  appNamespace as ns,
  application as appManifest,
  cm,
  opDone,
  requestSync,
} from './support/sync-fixtures.ts';

// The controller's /metrics (on its health port) and the Events it records on Applications.

let server: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;

interface EventList {
  items: { reason: string; type: string; message: string; source?: { component?: string } }[];
}

/** The app's Events once `done` holds: the controller posts them concurrently, in no set order. */
async function eventsOf(
  app: string,
  done: (items: EventList['items']) => boolean,
): Promise<EventList['items']> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const list = await getJson<EventList>([
      '-n',
      ns,
      'events',
      '--field-selector',
      `involvedObject.name=${app}`,
    ]);
    if (done(list.items) || Date.now() > deadline) return list.items;
    await new Promise((r) => setTimeout(r, 500));
  }
}

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo('metrics-events');
  controller = await startController();
  await controller.ready();
});
afterAll(async () => {
  await controller.stop();
  await server.close();
});

describe('metrics and events', () => {
  it('counts reconciles and syncs on /metrics and records sync Events on the Application', async () => {
    const dest = uniqueName('metrics');
    const name = uniqueName('metrics-app');
    await kubectl(['create', 'namespace', dest]);
    await repo.commit({ 'app/cm.json': cm('one') }, 'one config map');
    await repo.push();
    await kubectl(['apply', '-f', '-'], appManifest(name, repo.url, dest, 'app'));
    await waitApplication(
      { group: 'gitward.dev', namespace: ns, name },
      (a: Application) => a.status?.sync?.status === 'OutOfSync',
      { timeoutMs: 60_000, logFile: controller.logFile },
    );
    await requestSync(name);
    const a = await waitApplication({ group: 'gitward.dev', namespace: ns, name }, opDone, {
      timeoutMs: 60_000,
      logFile: controller.logFile,
    });
    expect(a.status?.operationState?.phase).toBe('Succeeded');

    const metricsUrl = `http://127.0.0.1:${controller.healthPort}/metrics`;
    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    await res.text();
    // The sync is counted once its outcome is written, which may be just after the test sees it.
    await expect
      .poll(async () => (await fetch(metricsUrl)).text(), { timeout: 10_000, interval: 250 })
      .toContain(
        `gitward_app_sync_total{namespace="${ns}",name="${name}",project="default",phase="Succeeded"} 1`,
      );
    const text = await (await fetch(metricsUrl)).text();
    expect(text).toContain(`gitward_app_reconcile_seconds_count{namespace="${ns}",name="${name}"}`);
    expect(text).toMatch(/^gitward_queue_depth \d+$/m);
    expect(text).toMatch(/^gitward_cluster_cache_resources [1-9]\d*$/m);
    expect(text).toMatch(/^gitward_render_duration_seconds_count\{result="rendered"\} [1-9]/m);
    expect(text).toMatch(
      /^gitward_git_request_duration_seconds_count\{request_type="[a-z-]+"\} [1-9]/m,
    );
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);

    const syncedMessage = 'Updated sync status: OutOfSync -> Synced';
    const events = await eventsOf(
      name,
      (items) =>
        ['OperationStarted', 'OperationCompleted'].every((r) =>
          items.some((e) => e.reason === r),
        ) && items.some((e) => e.reason === 'ResourceUpdated' && e.message === syncedMessage),
    );
    const byReason = (r: string) => events.filter((e) => e.reason === r);
    expect(byReason('OperationStarted')).toHaveLength(1);
    expect(byReason('OperationStarted')[0]?.message).toMatch(/^initiated sync to [0-9a-f]{40}$/);
    expect(byReason('OperationCompleted')).toEqual([
      expect.objectContaining({
        type: 'Normal',
        message: expect.stringMatching(/^Sync operation to [0-9a-f]{40} succeeded$/) as string,
        source: { component: 'gitward-controller' },
      }),
    ]);
    expect(byReason('ResourceUpdated').map((e) => e.message)).toContain(syncedMessage);
  });
});
