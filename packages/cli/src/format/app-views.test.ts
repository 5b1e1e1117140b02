import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import type { ApplicationTree } from '../api/types.ts';
import {
  conditionsSummary,
  createProgressTracker,
  formatDuration,
  historyIds,
  renderAppGet,
  renderAppList,
  renderAppResources,
  renderAppTree,
  renderHistory,
  renderOperationState,
  resourceStates,
  syncPolicyLabel,
  syncStatusLabel,
} from './app-views.ts';

const sha = 'abc1234def5678abc1234def5678abc1234def56';

function application(patch: {
  name?: string;
  spec?: Partial<Application['spec']>;
  status?: Application['status'];
}): Application {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: patch.name ?? 'guestbook', namespace: 'gitward' },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' },
      source: {
        repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
        path: 'guestbook',
        targetRevision: 'main',
      },
      ...patch.spec,
    },
    ...(patch.status ? { status: patch.status } : {}),
  };
}

const synced = application({
  spec: { syncPolicy: { automated: { prune: true } } },
  status: {
    sync: { status: 'Synced', revision: sha },
    health: { status: 'Healthy' },
    resources: [
      {
        version: 'v1',
        kind: 'Service',
        namespace: 'guestbook',
        name: 'guestbook-ui',
        status: 'Synced',
      },
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        namespace: 'guestbook',
        name: 'guestbook-ui',
        status: 'Synced',
      },
      {
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'guestbook',
        name: 'settings',
        status: 'OutOfSync',
        health: { status: 'Missing' },
      },
    ],
    operationState: {
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: '2025-01-02T10:00:00Z',
      finishedAt: '2025-01-02T10:01:05Z',
      syncResult: {
        revision: sha,
        resources: [
          {
            group: 'batch',
            version: 'v1',
            kind: 'Job',
            namespace: 'guestbook',
            name: 'db-migrate',
            status: 'Synced',
            message: 'job.batch/db-migrate created',
            hookType: 'PreSync',
            hookPhase: 'Succeeded',
          },
          {
            version: 'v1',
            kind: 'Service',
            namespace: 'guestbook',
            name: 'guestbook-ui',
            status: 'Synced',
            message: 'service/guestbook-ui created',
          },
          {
            group: 'apps',
            version: 'v1',
            kind: 'Deployment',
            namespace: 'guestbook',
            name: 'guestbook-ui',
            status: 'Synced',
            message: 'deployment.apps/guestbook-ui created',
          },
        ],
      },
    },
    history: [
      {
        id: 1,
        revision: '0123456789abcdef',
        deployedAt: '2025-01-01T09:00:00Z',
        source: {
          repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
          targetRevision: 'main',
        },
      },
      {
        id: 2,
        revision: sha,
        deployedAt: '2025-01-02T10:01:05Z',
        source: {
          repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
          targetRevision: 'main',
        },
      },
    ],
  },
});

// The resource tree gives the health the status no longer persists.
const tree: ApplicationTree = {
  nodes: [
    {
      version: 'v1',
      kind: 'Service',
      namespace: 'guestbook',
      name: 'guestbook-ui',
      uid: 's1',
      health: { status: 'Healthy' },
    },
    {
      version: 'v1',
      kind: 'Endpoints',
      namespace: 'guestbook',
      name: 'guestbook-ui',
      uid: 'e1',
      parentRefs: [
        { version: 'v1', kind: 'Service', namespace: 'guestbook', name: 'guestbook-ui' },
      ],
    },
    {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
      namespace: 'guestbook',
      name: 'guestbook-ui',
      uid: 'd1',
      health: { status: 'Progressing' },
    },
    {
      group: 'apps',
      version: 'v1',
      kind: 'ReplicaSet',
      namespace: 'guestbook',
      name: 'guestbook-ui-85985d774c',
      uid: 'rs2',
      parentRefs: [
        {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'guestbook',
          name: 'guestbook-ui',
          uid: 'd1',
        },
      ],
      health: { status: 'Progressing' },
    },
    {
      group: 'apps',
      version: 'v1',
      kind: 'ReplicaSet',
      namespace: 'guestbook',
      name: 'guestbook-ui-6b8f7d9c5',
      uid: 'rs1',
      parentRefs: [
        {
          group: 'apps',
          kind: 'Deployment',
          namespace: 'guestbook',
          name: 'guestbook-ui',
          uid: 'd1',
        },
      ],
      health: { status: 'Healthy' },
    },
    {
      version: 'v1',
      kind: 'Pod',
      namespace: 'guestbook',
      name: 'guestbook-ui-6b8f7d9c5-x2',
      uid: 'p2',
      parentRefs: [
        {
          group: 'apps',
          kind: 'ReplicaSet',
          namespace: 'guestbook',
          name: 'guestbook-ui-6b8f7d9c5',
          uid: 'rs1',
        },
      ],
      health: { status: 'Healthy' },
    },
    {
      version: 'v1',
      kind: 'Pod',
      namespace: 'guestbook',
      name: 'guestbook-ui-6b8f7d9c5-a1',
      uid: 'p1',
      parentRefs: [
        {
          group: 'apps',
          kind: 'ReplicaSet',
          namespace: 'guestbook',
          name: 'guestbook-ui-6b8f7d9c5',
          uid: 'rs1',
        },
      ],
      health: { status: 'Healthy' },
    },
    {
      version: 'v1',
      kind: 'Pod',
      namespace: 'guestbook',
      name: 'guestbook-ui-85985d774c-q9',
      uid: 'p3',
      parentRefs: [
        {
          group: 'apps',
          kind: 'ReplicaSet',
          namespace: 'guestbook',
          name: 'guestbook-ui-85985d774c',
          uid: 'rs2',
        },
      ],
      health: { status: 'Progressing', message: 'ContainerCreating' },
    },
  ],
};

const outOfSync = application({
  name: 'billing',
  spec: {
    destination: { name: 'in-cluster', namespace: 'billing' },
    source: {
      repoURL: 'https://git.example.com/billing.git',
      path: 'deploy/prod',
      targetRevision: 'v1.4.0',
    },
  },
  status: {
    sync: { status: 'OutOfSync', revision: sha },
    health: { status: 'Degraded', message: 'Deployment billing has no available replicas' },
    conditions: [
      {
        type: 'SyncError',
        message: 'one or more objects failed to apply',
        lastTransitionTime: '2025-01-02T10:00:00Z',
      },
      { type: 'OrphanedResourceWarning', message: 'Application has 1 orphaned resources' },
      { type: 'SyncError', message: 'again\nand again' },
    ],
  },
});

describe('app list', () => {
  it('prints the wide table by default, as Argo CD', () => {
    expect(renderAppList([synced, outOfSync]).join('\n')).toMatchInlineSnapshot(`
      "NAME               CLUSTER                         NAMESPACE  PROJECT  STATUS     HEALTH    SYNCPOLICY  CONDITIONS                            REPO                                                 PATH         TARGET
      gitward/guestbook  https://kubernetes.default.svc  guestbook  default  Synced     Healthy   Auto-Prune  <none>                                https://github.com/argoproj/argocd-example-apps.git  guestbook    main
      gitward/billing    in-cluster                      billing    default  OutOfSync  Degraded  Manual      OrphanedResourceWarning,SyncError(2)  https://git.example.com/billing.git                  deploy/prod  v1.4.0"
    `);
  });

  it('drops REPO PATH TARGET when not wide', () => {
    expect(renderAppList([synced], { wide: false })[0]).toBe(
      'NAME               CLUSTER                         NAMESPACE  PROJECT  STATUS  HEALTH   SYNCPOLICY  CONDITIONS',
    );
  });

  it('colours sync and health', () => {
    const [, row] = renderAppList([outOfSync], { wide: false, color: true });
    expect(row).toContain('\u001b[33mOutOfSync\u001b[39m  \u001b[31mDegraded\u001b[39m');
  });
});

describe('labels', () => {
  it.each<[string, Application['spec']['syncPolicy'], string, string]>([
    ['none', undefined, 'Manual', 'Manual'],
    ['automated', { automated: {} }, 'Auto', 'Automated'],
    ['automated with prune', { automated: { prune: true } }, 'Auto-Prune', 'Automated (Prune)'],
    ['self heal', { automated: { selfHeal: true } }, 'Auto', 'Automated (Self Heal)'],
    [
      'prune, self heal and allow empty',
      { automated: { prune: true, selfHeal: true, allowEmpty: true } },
      'Auto-Prune',
      'Automated (Prune, Self Heal, Allow Empty)',
    ],
    ['automated but disabled', { automated: { enabled: false, prune: true } }, 'Manual', 'Manual'],
  ])('sync policy %s', (_name, syncPolicy, list, get) => {
    const app = application(syncPolicy ? { spec: { syncPolicy } } : {});
    expect([syncPolicyLabel(app, 'list'), syncPolicyLabel(app, 'get')]).toEqual([list, get]);
  });

  it.each<[string, string | undefined, Application['status'], string]>([
    [
      'synced to a branch',
      'main',
      { sync: { status: 'Synced', revision: sha } },
      'Synced to main (abc1234)',
    ],
    [
      'out of sync',
      'main',
      { sync: { status: 'OutOfSync', revision: sha } },
      'OutOfSync from main (abc1234)',
    ],
    [
      'no target means HEAD',
      undefined,
      { sync: { status: 'Synced', revision: sha } },
      'Synced to HEAD (abc1234)',
    ],
    [
      'a SHA target shows no second SHA',
      sha,
      { sync: { status: 'Synced', revision: sha } },
      `Synced to ${sha}`,
    ],
    [
      'multi-source revisions',
      'main',
      { sync: { status: 'Synced', revisions: [sha] } },
      'Synced to main (abc1234)',
    ],
    ['unknown', 'main', {}, 'Unknown'],
  ])('sync status %s', (_name, targetRevision, status, want) => {
    const source = { repoURL: 'r', ...(targetRevision ? { targetRevision } : {}) };
    expect(syncStatusLabel(application({ spec: { source }, status }))).toBe(want);
  });

  it('summarizes conditions by type, sorted, counted', () => {
    expect([conditionsSummary(outOfSync), conditionsSummary(synced)]).toEqual([
      'OrphanedResourceWarning,SyncError(2)',
      '<none>',
    ]);
  });
});

describe('app get', () => {
  it('prints the summary and the resources, hooks and last results first', () => {
    expect(
      renderAppGet(synced, { tree, url: 'https://gitward.local/applications/guestbook' }).join(
        '\n',
      ),
    ).toMatchInlineSnapshot(`
        "Name:               gitward/guestbook
        Project:            default
        Server:             https://kubernetes.default.svc
        Namespace:          guestbook
        URL:                https://gitward.local/applications/guestbook
        Repo:               https://github.com/argoproj/argocd-example-apps.git
        Target:             main
        Path:               guestbook
        Sync Policy:        Automated (Prune)
        Sync Status:        Synced to main (abc1234)
        Health Status:      Healthy

        GROUP  KIND        NAMESPACE  NAME          STATUS     HEALTH       HOOK     MESSAGE
        batch  Job         guestbook  db-migrate    Succeeded  Synced       PreSync  job.batch/db-migrate created
               Service     guestbook  guestbook-ui  Synced     Healthy               service/guestbook-ui created
        apps   Deployment  guestbook  guestbook-ui  Synced     Progressing           deployment.apps/guestbook-ui created
               ConfigMap   guestbook  settings      OutOfSync  Missing"
      `);
  });

  it('prints conditions, the operation and no resources table when there are none', () => {
    const now = () => new Date('2025-01-02T10:00:30Z');
    const running = application({
      ...outOfSync,
      name: 'billing',
      spec: outOfSync.spec,
      status: {
        ...outOfSync.status,
        operationState: {
          phase: 'Running',
          message: 'waiting for healthy state of apps/Deployment/billing',
          startedAt: '2025-01-02T10:00:00Z',
          operation: { sync: { revision: 'v1.4.0' } },
        },
      },
    });
    expect(
      renderAppGet(running, { showOperation: true, syncWindow: 'Sync Allowed', now }).join('\n'),
    ).toMatchInlineSnapshot(`
        "Name:               gitward/billing
        Project:            default
        Server:             in-cluster
        Namespace:          billing
        Repo:               https://git.example.com/billing.git
        Target:             v1.4.0
        Path:               deploy/prod
        SyncWindow:         Sync Allowed
        Sync Policy:        Manual
        Sync Status:        OutOfSync from v1.4.0 (abc1234)
        Health Status:      Degraded (Deployment billing has no available replicas)

        CONDITION                MESSAGE                               LAST TRANSITION
        SyncError                one or more objects failed to apply   2025-01-02T10:00:00Z
        OrphanedResourceWarning  Application has 1 orphaned resources
        SyncError                again and again

        Operation:          Sync
        Phase:              Running
        Start:              2025-01-02T10:00:00Z
        Finished:
        Duration:           30s
        Message:            waiting for healthy state of apps/Deployment/billing"
      `);
  });

  it('lists every source of a multi-source Application', () => {
    const multi = application({
      spec: {
        source: undefined,
        sources: [
          {
            repoURL: 'https://charts.example.com',
            chart: 'redis',
            targetRevision: '18.1.0',
            helm: { valueFiles: ['$values/redis.yaml'] },
          },
          { repoURL: 'https://git.example.com/values.git', targetRevision: 'main', ref: 'values' },
        ],
      },
    });
    expect(renderAppGet(multi).join('\n')).toMatchInlineSnapshot(`
      "Name:               gitward/guestbook
      Project:            default
      Server:             https://kubernetes.default.svc
      Namespace:          guestbook
      Sources:
      - Repo:             https://charts.example.com
        Target:           18.1.0
        Chart:            redis
        Helm Values:      $values/redis.yaml
      - Repo:             https://git.example.com/values.git
        Target:           main
        Ref:              values
      Sync Policy:        Manual
      Sync Status:        Unknown
      Health Status:      Unknown"
    `);
  });

  it('merges health from the tree into the resource states', () => {
    expect(
      resourceStates(synced, tree).map((s) => `${s.kind} ${s.status} ${s.health} ${s.hook}`),
    ).toEqual([
      'Job Succeeded Synced PreSync',
      'Service Synced Healthy ',
      'Deployment Synced Progressing ',
      'ConfigMap OutOfSync Missing ',
    ]);
  });
});

describe('tree', () => {
  it('draws owners and their children; missing resources are roots', () => {
    expect(renderAppTree(synced, tree).join('\n')).toMatchInlineSnapshot(`
      "KIND/NAME                             STATUS     HEALTH       MESSAGE
      ConfigMap/settings                    OutOfSync  Missing
      Deployment/guestbook-ui               Synced     Progressing  deployment.apps/guestbook-ui created
      ├─ReplicaSet/guestbook-ui-6b8f7d9c5              Healthy
      │ ├─Pod/guestbook-ui-6b8f7d9c5-a1                Healthy
      │ └─Pod/guestbook-ui-6b8f7d9c5-x2                Healthy
      └─ReplicaSet/guestbook-ui-85985d774c             Progressing
        └─Pod/guestbook-ui-85985d774c-q9               Progressing
      Job/db-migrate                        Succeeded  Synced       job.batch/db-migrate created
      Service/guestbook-ui                  Synced     Healthy      service/guestbook-ui created
      └─Endpoints/guestbook-ui"
    `);
  });

  it('survives parentRef cycles and self-references', () => {
    const cyclic: ApplicationTree = {
      nodes: [
        { kind: 'A', name: 'a', uid: 'a', parentRefs: [{ kind: 'B', name: 'b', uid: 'b' }] },
        { kind: 'B', name: 'b', uid: 'b', parentRefs: [{ kind: 'A', name: 'a', uid: 'a' }] },
        { kind: 'C', name: 'c', uid: 'c', parentRefs: [{ kind: 'C', name: 'c', uid: 'c' }] },
      ],
    };
    expect(renderAppTree(application({}), cyclic)).toEqual([
      'KIND/NAME  STATUS  HEALTH  MESSAGE',
      'C/c',
      'A/a',
      '└─B/b',
    ]);
  });
});

describe('history', () => {
  it('groups by source with ID DATE REVISION', () => {
    expect(renderHistory(synced).join('\n')).toMatchInlineSnapshot(`
      "SOURCE  https://github.com/argoproj/argocd-example-apps.git
      ID      DATE                  REVISION
      1       2025-01-01T09:00:00Z  main (0123456)
      2       2025-01-02T10:01:05Z  main (abc1234)"
    `);
    expect(historyIds(synced)).toEqual(['1', '2']);
  });

  it('splits a multi-source entry per repository', () => {
    const app = application({
      status: {
        history: [
          {
            id: 7,
            deployedAt: '2025-01-03T00:00:00Z',
            revisions: ['18.1.0', sha],
            sources: [
              { repoURL: 'https://charts.example.com', chart: 'redis', targetRevision: '18.1.0' },
              { repoURL: 'https://git.example.com/values.git', targetRevision: 'main' },
            ],
          },
        ],
      },
    });
    expect(renderHistory(app).join('\n')).toMatchInlineSnapshot(`
      "SOURCE  https://charts.example.com
      ID      DATE                  REVISION
      7       2025-01-03T00:00:00Z  18.1.0

      SOURCE  https://git.example.com/values.git
      ID      DATE                  REVISION
      7       2025-01-03T00:00:00Z  main (abc1234)"
    `);
  });
});

describe('operation', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [125, '2m5s'],
    [3603, '1h0m3s'],
  ])('formatDuration(%d) = %s', (s, want) => {
    expect(formatDuration(s)).toBe(want);
  });

  it('prints the operation block', () => {
    const op = synced.status?.operationState;
    expect(op && renderOperationState(op).join('\n')).toMatchInlineSnapshot(`
      "Operation:          Sync
      Sync Revision:      abc1234def5678abc1234def5678abc1234def56
      Phase:              Succeeded
      Start:              2025-01-02T10:00:00Z
      Finished:           2025-01-02T10:01:05Z
      Duration:           1m5s
      Message:            successfully synced (all tasks run)"
    `);
  });

  it('a failed sync says why: the operation message (one line) and the failed hook’s message', () => {
    const why = 'BackoffLimitExceeded: Job has reached the specified backoff limit';
    const failed: Application = {
      ...synced,
      status: {
        ...synced.status,
        operationState: {
          phase: 'Failed',
          message: `one or more synchronization tasks completed unsuccessfully, reason: batch/Job ns/migrate-1: ${why}\none or more SyncFail hooks failed`,
          syncResult: {
            resources: [
              {
                group: 'batch',
                kind: 'Job',
                namespace: 'ns',
                name: 'migrate-1',
                status: 'Synced',
                hookType: 'PreSync',
                hookPhase: 'Failed',
                message: why,
              },
            ],
          },
        },
      },
    };
    const op = failed.status?.operationState;
    expect(op && renderOperationState(op).at(-1)).toBe(
      `Message:            one or more synchronization tasks completed unsuccessfully, reason: batch/Job ns/migrate-1: ${why} one or more SyncFail hooks failed`,
    );
    expect(renderAppResources(failed).join('\n')).toMatch(
      new RegExp(`batch\\s+Job\\s+ns\\s+migrate-1\\s+Failed\\s+Synced\\s+PreSync\\s+${why}`),
    );
  });

  it('tracks progress: header once, only changed resources, widths that only grow', () => {
    let t = Date.parse('2025-01-02T10:00:00Z');
    const tracker = createProgressTracker({ now: () => new Date((t += 1000)) });
    const snapshot = (
      phase: string,
      message: string,
      resources: NonNullable<Application['status']>['resources'],
      results: {
        kind: string;
        name: string;
        message: string;
        group?: string;
        hookType?: string;
        hookPhase?: string;
        status?: string;
      }[] = [],
    ): Application =>
      application({
        status: {
          resources,
          operationState: {
            phase,
            message,
            syncResult: { resources: results.map((r) => ({ namespace: 'guestbook', ...r })) },
          },
        },
      });
    const svc = { kind: 'Service', namespace: 'guestbook', name: 'guestbook-ui' };
    const deploy = {
      group: 'apps',
      kind: 'Deployment',
      namespace: 'guestbook',
      name: 'guestbook-ui',
    };
    const lines = [
      tracker.update(
        snapshot(
          'Running',
          'waiting for completion of hook batch/Job/db-migrate',
          [
            { ...svc, status: 'OutOfSync', health: { status: 'Missing' } },
            { ...deploy, status: 'OutOfSync', health: { status: 'Missing' } },
          ],
          [
            {
              group: 'batch',
              kind: 'Job',
              name: 'db-migrate',
              message: 'job.batch/db-migrate created',
              hookType: 'PreSync',
              hookPhase: 'Running',
              status: 'Synced',
            },
          ],
        ),
      ),
      tracker.update(
        snapshot(
          'Running',
          'waiting for completion of hook batch/Job/db-migrate',
          [
            { ...svc, status: 'OutOfSync', health: { status: 'Missing' } },
            { ...deploy, status: 'OutOfSync', health: { status: 'Missing' } },
          ],
          [
            {
              group: 'batch',
              kind: 'Job',
              name: 'db-migrate',
              message: 'job.batch/db-migrate created',
              hookType: 'PreSync',
              hookPhase: 'Running',
              status: 'Synced',
            },
          ],
        ),
      ),
      tracker.update(
        snapshot(
          'Succeeded',
          'successfully synced (all tasks run)',
          [
            { ...svc, status: 'Synced', health: { status: 'Healthy' } },
            { ...deploy, status: 'Synced', health: { status: 'Healthy' } },
          ],
          [
            {
              group: 'batch',
              kind: 'Job',
              name: 'db-migrate',
              message: 'Reached expected number of succeeded pods',
              hookType: 'PreSync',
              hookPhase: 'Succeeded',
              status: 'Synced',
            },
            { ...svc, message: 'service/guestbook-ui created' },
            { ...deploy, message: 'deployment.apps/guestbook-ui created' },
          ],
        ),
      ),
    ];
    expect(lines[1]).toEqual([]);
    expect(lines.flat().join('\n')).toMatchInlineSnapshot(`
      "2025-01-02T10:00:01Z  Operation Running: waiting for completion of hook batch/Job/db-migrate
      TIMESTAMP             GROUP  KIND        NAMESPACE  NAME          STATUS     HEALTH   HOOK     MESSAGE
      2025-01-02T10:00:01Z  batch  Job         guestbook  db-migrate    Running    Synced   PreSync  job.batch/db-migrate created
      2025-01-02T10:00:01Z         Service     guestbook  guestbook-ui  OutOfSync  Missing
      2025-01-02T10:00:01Z  apps   Deployment  guestbook  guestbook-ui  OutOfSync  Missing
      2025-01-02T10:00:03Z  Operation Succeeded: successfully synced (all tasks run)
      2025-01-02T10:00:03Z  batch  Job         guestbook  db-migrate    Succeeded  Synced   PreSync  Reached expected number of succeeded pods
      2025-01-02T10:00:03Z         Service     guestbook  guestbook-ui  Synced     Healthy           service/guestbook-ui created
      2025-01-02T10:00:03Z  apps   Deployment  guestbook  guestbook-ui  Synced     Healthy           deployment.apps/guestbook-ui created"
    `);
  });
});
