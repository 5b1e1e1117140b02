import { describe, expect, it } from 'vitest';
import {
  formatResourceKey,
  resourceKeyOf,
  type Application,
  type KubeObject,
} from '@gitward/model';
import {
  isDeletionHook,
  mayHaveHooks,
  nextDeletionStep,
  type DeletionInput,
  type DeletionStep,
} from './app-deletion.ts';
import { planSync } from './plan.ts';

const cascade = 'resources-finalizer.argocd.argoproj.io';

const cm = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', annotations },
});
const hook = (name: string, type: string, policy?: string, generateName?: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    ...(generateName ? { generateName } : { name }),
    namespace: 'ns',
    annotations: {
      'argocd.argoproj.io/hook': type,
      ...(policy ? { 'argocd.argoproj.io/hook-delete-policy': policy } : {}),
    },
  },
});
type JobState = 'running' | 'complete' | 'failed' | 'terminating';
const jobConditions: Record<JobState, unknown> = {
  running: { active: 1 },
  complete: { conditions: [{ type: 'Complete', status: 'True' }] },
  failed: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] },
  terminating: { conditions: [{ type: 'Failed', status: 'True' }] },
};
const liveJob = (h: KubeObject, state: JobState): KubeObject => ({
  ...h,
  metadata: {
    ...h.metadata,
    ...(state === 'terminating' ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
  status: jobConditions[state],
});

function input(over: Partial<DeletionInput> & { liveObjects?: KubeObject[] }): DeletionInput {
  const byKey = new Map(
    (over.liveObjects ?? []).map((o) => [formatResourceKey(resourceKeyOf(o)), o]),
  );
  return {
    finalizers: [cascade],
    target: [],
    mayHaveHooks: false,
    managed: [],
    live: (k) => byKey.get(formatResourceKey(k)),
    approved: false,
    deletedAtUnix: 1700000000,
    ...over,
  };
}

/** A step in short: kind plus the names it acts on. */
function summary(step: DeletionStep): string {
  const names = (os: readonly KubeObject[]) => os.map((o) => o.metadata.name).join(',');
  switch (step.kind) {
    case 'orphan':
      return 'orphan';
    case 'create-hooks':
      return `create ${step.type} ${names(step.hooks)}`;
    case 'wait':
      return `wait: ${step.message}`;
    case 'blocked':
      return `blocked: ${step.message}${step.deleteHooks.length ? ` (delete ${names(step.deleteHooks)})` : ''}`;
    case 'delete':
      return `delete ${step.propagation} ${names(step.objects)} (${step.remaining} left)`;
    case 'done':
      return `done [${step.finalizers.join(',')}] cleanup ${names(step.deleteHooks)}`;
  }
}

const pre = hook('pre', 'PreDelete');
const post = hook('post', 'PostDelete', 'HookSucceeded');
const app = [cm('a'), pre, post];

describe('nextDeletionStep', () => {
  const cases: { name: string; in: DeletionInput; expected: string }[] = [
    {
      name: 'no finalizer of ours: orphan',
      in: input({ finalizers: ['other'], target: app, managed: [cm('a')] }),
      expected: 'orphan',
    },
    {
      name: 'PreDelete hooks are created first, before anything is deleted',
      in: input({ target: app, managed: [cm('a')], liveObjects: [cm('a')] }),
      expected: 'create PreDelete pre',
    },
    {
      name: 'a running PreDelete hook holds the deletion',
      in: input({
        target: app,
        managed: [cm('a'), liveJob(pre, 'running')],
        liveObjects: [cm('a'), liveJob(pre, 'running')],
      }),
      expected: 'wait: waiting for PreDelete hook Job/ns/pre',
    },
    {
      name: 'a failed PreDelete hook blocks, and is deleted to be retried',
      in: input({
        target: app,
        liveObjects: [cm('a'), liveJob(pre, 'failed')],
        managed: [cm('a')],
      }),
      expected: 'blocked: PreDelete hook(s) failed: ns/pre (delete pre)',
    },
    {
      name: 'a failed hook already being deleted is waited for',
      in: input({ target: app, liveObjects: [liveJob(pre, 'terminating')], managed: [cm('a')] }),
      expected: 'wait: waiting for PreDelete hook Job/ns/pre',
    },
    {
      name: 'PreDelete done: the resources are deleted, never the deletion hooks',
      in: input({
        target: app,
        managed: [cm('a'), cm('b'), liveJob(pre, 'complete')],
        liveObjects: [liveJob(pre, 'complete')],
      }),
      expected: 'delete foreground a,b (2 left)',
    },
    {
      name: 'background finalizer, Delete=false kept, terminating ones waited for',
      in: input({
        finalizers: ['resources-finalizer.argocd.argoproj.io/background'],
        managed: [
          cm('keep', { 'argocd.argoproj.io/sync-options': 'Delete=false' }),
          { ...cm('going'), metadata: { ...cm('going').metadata, deletionTimestamp: 'x' } },
          cm('c'),
        ],
      }),
      expected: 'delete background c (2 left)',
    },
    {
      name: 'CRDs and Helm keep resources are never deleted with the app',
      in: input({
        managed: [
          {
            apiVersion: 'apiextensions.k8s.io/v1',
            kind: 'CustomResourceDefinition',
            metadata: { name: 'widgets.x.io' },
          },
          cm('kept', { 'helm.sh/resource-policy': 'keep' }),
          cm('c'),
        ],
      }),
      expected: 'delete foreground c (1 left)',
    },
    {
      name: 'Delete=confirm waits for approval',
      in: input({ managed: [cm('c', { 'argocd.argoproj.io/sync-options': 'Delete=confirm' })] }),
      expected:
        'blocked: waiting for deletion confirmation of ConfigMap/c: annotate the Application with argocd.argoproj.io/deletion-approved=<current time>',
    },
    {
      name: 'Delete=confirm approved: deleted',
      in: input({
        approved: true,
        managed: [cm('c', { 'argocd.argoproj.io/sync-options': 'Delete=confirm' })],
      }),
      expected: 'delete foreground c (1 left)',
    },
    {
      name: 'all resources gone: PostDelete hooks are created',
      in: input({ target: app, liveObjects: [liveJob(pre, 'complete')] }),
      expected: 'create PostDelete post',
    },
    {
      name: 'a running PostDelete hook holds the finalizer',
      in: input({
        target: app,
        liveObjects: [liveJob(pre, 'complete'), liveJob(post, 'running')],
      }),
      expected: 'wait: waiting for PostDelete hook Job/ns/post',
    },
    {
      name: 'everything done: finalizer removed, hooks cleaned per policy',
      in: input({
        finalizers: [cascade, 'someone-else'],
        target: [...app, hook('kept', 'PostDelete', 'BeforeHookCreation')],
        liveObjects: [
          liveJob(pre, 'complete'),
          liveJob(post, 'complete'),
          liveJob(hook('kept', 'PostDelete', 'BeforeHookCreation'), 'complete'),
        ],
      }),
      expected: 'done [someone-else] cleanup pre,post',
    },
    {
      name: 'hooks run under the pre-delete finalizer alone; resources are then orphaned',
      in: input({
        finalizers: ['pre-delete-finalizer.argocd.argoproj.io'],
        target: app,
        managed: [cm('a')],
        liveObjects: [liveJob(pre, 'complete'), liveJob(post, 'complete')],
      }),
      expected: 'done [] cleanup pre,post',
    },
    {
      name: 'a hook with generateName gets a name from the deletion time',
      in: input({ target: [hook('', 'PreDelete', undefined, 'cleanup-')] }),
      expected: 'create PreDelete cleanup-predelete-1700000000',
    },
    {
      name: 'a Helm pre-delete hook counts',
      in: input({
        target: [
          {
            ...cm('h'),
            metadata: { ...cm('h').metadata, annotations: { 'helm.sh/hook': 'pre-delete' } },
          },
        ],
      }),
      expected: 'create PreDelete h',
    },
    {
      name: 'no target but hooks were seen: blocked until it renders',
      in: input({ target: undefined, targetError: 'repo gone', mayHaveHooks: true }),
      expected:
        'blocked: cannot render the target to find its PreDelete/PostDelete hooks: repo gone',
    },
    {
      name: 'no target and no hooks seen: the cascade goes on',
      in: input({ target: undefined, mayHaveHooks: false, managed: [cm('a')] }),
      expected: 'delete foreground a (1 left)',
    },
  ];
  it.each(cases)('$name', ({ in: i, expected }) => {
    expect(summary(nextDeletionStep(i))).toBe(expected);
  });
});

describe('deletion hooks and sync', () => {
  it.each([
    ['PreDelete', true],
    ['PostDelete', true],
    ['PreSync,PreDelete', true],
    ['PreSync', false],
  ])('isDeletionHook(%s) = %s', (type, expected) => {
    const h = hook('h', type);
    expect(isDeletionHook(h, 'PreDelete') || isDeletionHook(h, 'PostDelete')).toBe(expected);
  });

  it('a sync never applies or prunes PreDelete/PostDelete hooks', () => {
    const { tasks } = planSync({
      desired: [cm('a'), pre, post, hook('mixed', 'PreSync,PostDelete')],
      live: new Map(),
      outOfSync: new Set(),
      extraneous: [liveJob(pre, 'complete'), liveJob(post, 'complete')],
      syncOptions: [],
      prune: true,
      strategy: 'hook',
      revision: 'abc',
      startedAtUnix: 1,
    });
    expect(tasks.map((t) => `${t.phase} ${t.action} ${t.key.name}`)).toEqual([
      'PreSync apply mixed',
      'Sync apply a',
    ]);
  });
});

describe('mayHaveHooks', () => {
  type Status = NonNullable<Application['status']>;
  const app = (finalizers: string[], status: Status = {}): Application => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: 'a', namespace: 'argocd', finalizers },
    spec: { destination: {}, project: 'default' },
    status,
  });
  const lastSync = (hookType?: string): Status => ({
    operationState: {
      phase: 'Succeeded',
      syncResult: { resources: [{ kind: 'Job', name: 'j', ...(hookType ? { hookType } : {}) }] },
    },
  });
  // Hooks are not among status.resources any more: the evidence must outlive a failed render.
  it.each<[string, Application, KubeObject[], boolean]>([
    ['nothing says so', app([cascade], lastSync()), [cm('plain')], false],
    ['Argo CD pre-delete finalizer', app(['pre-delete-finalizer.argocd.argoproj.io']), [], true],
    [
      'a post-delete cleanup finalizer',
      app(['post-delete-finalizer.argocd.argoproj.io/cleanup']),
      [],
      true,
    ],
    ['a live sync hook tracking the app', app([cascade]), [hook('migrate', 'PreSync')], true],
    ['a live deletion hook tracking the app', app([cascade]), [hook('bye', 'PreDelete')], true],
    ['a live Helm hook', app([cascade]), [cm('h', { 'helm.sh/hook': 'post-install' })], true],
    ['the last sync ran a hook', app([cascade], lastSync('PreSync')), [], true],
    [
      'a status from when hooks were resources',
      app([cascade], { resources: [{ kind: 'Job', name: 'j', hook: true }] }),
      [],
      true,
    ],
  ])('%s', (_, a, managed, want) => {
    expect(mayHaveHooks(a, managed)).toBe(want);
  });
});
