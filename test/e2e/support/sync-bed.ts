import { afterAll, beforeAll } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './applications.ts';
import { startController, type ControllerProcess } from './controller-process.ts';
import {
  appNamespace,
  application as appManifest,
  opDone,
  refresh,
  requestSync,
} from './sync-fixtures.ts';

type Spec = Partial<Application['spec']>;

/**
 * What the sync e2e files share: a git server with one repository and a controller, started
 * before the file's tests and stopped after, plus helpers bound to them. Call at module level.
 */
export function useSyncBed(repoName: string, controllerArgs = ['--sync-timeout-seconds', '60']) {
  let server: GitServer | undefined;
  let repo: TestRepo | undefined;
  let controller: ControllerProcess | undefined;
  beforeAll(async () => {
    server = await createGitServer();
    repo = await server.createRepo(repoName);
    controller = await startController(controllerArgs);
    await controller.ready();
  });
  afterAll(async () => {
    await controller?.stop();
    await server?.close();
  });
  const started = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the sync test bed is used before beforeAll ran');
    return v;
  };

  const theRepo = () => started(repo);
  const theController = () => started(controller);
  /** Waits (never a fixed sleep) until the Application satisfies `ok`. */
  const waitApp = (name: string, ok: (a: Application) => boolean): Promise<Application> =>
    waitApplication({ group: 'gitward.dev', namespace: appNamespace, name }, ok, {
      timeoutMs: 90_000,
      logFile: theController().logFile,
    });
  /** The Application for a directory of the bed's repository, with spec fields and finalizers. */
  const application = (
    name: string,
    dest: string,
    path: string,
    spec: Spec = {},
    finalizers?: string[],
  ): string => {
    const app = JSON.parse(appManifest(name, theRepo().url, dest, path)) as Application;
    app.spec = { ...app.spec, ...spec };
    if (finalizers) app.metadata.finalizers = finalizers;
    return JSON.stringify(app);
  };
  /** Commits, pushes and waits until the app has compared the new commit. */
  const publish = async (app: string, files: Record<string, string | null>, message: string) => {
    const sha = await theRepo().commit(files, message);
    await theRepo().push();
    await refresh(app);
    await waitApp(app, (a) => a.status?.sync?.revision === sha);
  };
  /** Requests a sync and waits for that operation (not an earlier one) to finish. */
  const syncNow = async (app: string, sync: Record<string, unknown> = {}) => {
    // An operation that ended a moment before the request can look as new as ours by the clock:
    // ours is also told apart from the one the app showed before.
    const previous = (await waitApp(app, () => true)).status?.operationState?.startedAt;
    const before = Date.now();
    await requestSync(app, sync);
    return waitApp(
      app,
      (a) =>
        opDone(a) &&
        Date.parse(a.status?.operationState?.startedAt ?? '') >= before - 1000 &&
        a.status?.operationState?.startedAt !== previous,
    );
  };
  return {
    get repo(): TestRepo {
      return theRepo();
    },
    get controller(): ControllerProcess {
      return theController();
    },
    waitApp,
    application,
    publish,
    syncNow,
  };
}
