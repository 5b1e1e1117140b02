import { describe, expect, it } from 'vitest';
import { formatResourceKey, resourceKeyOf, type KubeObject } from '@gitward/model';
import { planSync, type PlanInput } from './plan.ts';
import type { SyncTask } from './types.ts';

interface ObjOpts {
  ns?: string;
  wave?: number;
  hook?: string;
  annotations?: Record<string, string>;
  generateName?: string;
  spec?: unknown;
}

function mk(apiVersion: string, kind: string, name: string, o: ObjOpts = {}): KubeObject {
  const annotations: Record<string, string> = { ...o.annotations };
  if (o.wave !== undefined) annotations['argocd.argoproj.io/sync-wave'] = String(o.wave);
  if (o.hook !== undefined) annotations['argocd.argoproj.io/hook'] = o.hook;
  return {
    apiVersion,
    kind,
    metadata: {
      ...(name ? { name } : {}),
      ...(o.generateName ? { generateName: o.generateName } : {}),
      ...(o.ns === '' ? {} : { namespace: o.ns ?? 'ns' }),
      annotations,
    },
    ...(o.spec ? { spec: o.spec } : {}),
  };
}
const cm = (name: string, o: ObjOpts = {}) => mk('v1', 'ConfigMap', name, o);
const job = (name: string, o: ObjOpts = {}) => mk('batch/v1', 'Job', name, o);
const keyOf = (o: KubeObject) => formatResourceKey(resourceKeyOf(o));

function input(over: Partial<PlanInput>): PlanInput {
  return {
    desired: [],
    live: new Map(),
    outOfSync: new Set(),
    extraneous: [],
    syncOptions: [],
    prune: true,
    strategy: 'hook',
    revision: 'ABCDEF1234567890',
    startedAtUnix: 1700000000,
    ...over,
  };
}

/** `phase/wave action Kind/name`, one line per task in plan order. */
const summary = (tasks: readonly SyncTask[]) =>
  tasks.map((t) => `${t.phase}/${t.wave} ${t.action} ${t.key.kind}/${t.key.name}`);

describe('planSync ordering', () => {
  const cases: { name: string; desired: KubeObject[]; expected: string[] }[] = [
    {
      name: 'phases: PreSync < Sync < PostSync < SyncFail',
      desired: [
        job('post', { hook: 'PostSync' }),
        job('fail', { hook: 'SyncFail' }),
        cm('a'),
        job('pre', { hook: 'PreSync' }),
      ],
      expected: [
        'PreSync/0 apply Job/pre',
        'Sync/0 apply ConfigMap/a',
        'PostSync/0 apply Job/post',
        'SyncFail/0 apply Job/fail',
      ],
    },
    {
      name: 'waves, negative first, before kind rank',
      desired: [cm('one', { wave: 1 }), mk('v1', 'Secret', 'zero'), cm('minus', { wave: -1 })],
      expected: [
        'Sync/-1 apply ConfigMap/minus',
        'Sync/0 apply Secret/zero',
        'Sync/1 apply ConfigMap/one',
      ],
    },
    {
      name: 'kind rank within a wave, unknown kinds last, then name',
      desired: [
        mk('apps/v1', 'Deployment', 'web'),
        mk('example.com/v1', 'Widget', 'w'),
        mk('v1', 'Service', 'web'),
        cm('b'),
        cm('a'),
        mk('v1', 'Namespace', 'ns', { ns: '' }),
        mk('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'gadgets.example.com', {
          ns: '',
        }),
        mk('networking.k8s.io/v1', 'Ingress', 'web'),
      ],
      expected: [
        'Sync/0 apply Namespace/ns',
        'Sync/0 apply ConfigMap/a',
        'Sync/0 apply ConfigMap/b',
        'Sync/0 apply CustomResourceDefinition/gadgets.example.com',
        'Sync/0 apply Service/web',
        'Sync/0 apply Deployment/web',
        'Sync/0 apply Ingress/web',
        'Sync/0 apply Widget/w',
      ],
    },
    {
      name: 'helm.sh/hook-weight is the wave when sync-wave is absent',
      desired: [
        cm('heavy', { annotations: { 'helm.sh/hook-weight': '5' } }),
        cm('light', { annotations: { 'helm.sh/hook-weight': '-3' } }),
        job('pre', { annotations: { 'helm.sh/hook': 'pre-install', 'helm.sh/hook-weight': '2' } }),
      ],
      expected: [
        'PreSync/2 apply Job/pre',
        'Sync/-3 apply ConfigMap/light',
        'Sync/5 apply ConfigMap/heavy',
      ],
    },
    {
      name: 'a Namespace sorted after an object inside it moves to that object’s wave, just before it',
      desired: [
        mk('v1', 'Namespace', 'apps', { ns: '', wave: 2 }),
        cm('settings', { ns: 'apps' }),
        cm('early', { ns: 'other', wave: -1 }),
      ],
      expected: [
        'Sync/-1 apply ConfigMap/early',
        'Sync/0 apply Namespace/apps',
        'Sync/0 apply ConfigMap/settings',
      ],
    },
    {
      name: 'a Namespace needed by a PreSync hook moves into PreSync',
      desired: [
        mk('v1', 'Namespace', 'apps', { ns: '' }),
        job('migrate', { ns: 'apps', hook: 'PreSync' }),
      ],
      expected: ['PreSync/0 apply Namespace/apps', 'PreSync/0 apply Job/migrate'],
    },
    {
      name: 'a CRD sorted after its custom resources moves before the first of them',
      desired: [
        mk('example.com/v1', 'Widget', 'w', { wave: 1 }),
        mk('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com', {
          ns: '',
          wave: 3,
          spec: { group: 'example.com', names: { kind: 'Widget' } },
        }),
        cm('c', { wave: 1 }),
      ],
      expected: [
        'Sync/1 apply ConfigMap/c',
        'Sync/1 apply CustomResourceDefinition/widgets.example.com',
        'Sync/1 apply Widget/w',
      ],
    },
  ];
  it.each(cases)('$name', ({ desired, expected }) => {
    const plan = planSync(input({ desired }));
    expect(plan.errors).toEqual([]);
    expect(summary(plan.tasks)).toEqual(expected);
  });

  it('does not depend on the input order', () => {
    const desired = [
      cm('b'),
      cm('a', { ns: 'x' }),
      cm('a', { ns: 'y' }),
      job('h', { hook: 'Sync' }),
    ];
    const forward = planSync(input({ desired }));
    const backward = planSync(input({ desired: [...desired].reverse() }));
    expect(backward).toEqual(forward);
  });

  it('gives ids as phase/wave/group/kind/namespace/name, with the moved wave', () => {
    const plan = planSync(
      input({
        desired: [
          mk('v1', 'Namespace', 'apps', { ns: '', wave: 4 }),
          cm('c', { ns: 'apps', wave: 1 }),
        ],
      }),
    );
    expect(plan.tasks.map((t) => t.id)).toEqual([
      'Sync/1//Namespace//apps',
      'Sync/1//ConfigMap/apps/c',
    ]);
  });
});

describe('planSync hooks', () => {
  it('names nameless hooks deterministically: generateName + lower(rev[0:7]-phase-unix)', () => {
    const hook = job('', { generateName: 'migrate-', hook: 'PreSync,PostSync' });
    const plan = planSync(input({ desired: [hook] }));
    expect(plan.tasks.map((t) => [t.id, t.target?.metadata.name, t.hook?.type])).toEqual([
      [
        'PreSync/0/batch/Job/ns/migrate-abcdef1-presync-1700000000',
        'migrate-abcdef1-presync-1700000000',
        'PreSync',
      ],
      [
        'PostSync/0/batch/Job/ns/migrate-abcdef1-postsync-1700000000',
        'migrate-abcdef1-postsync-1700000000',
        'PostSync',
      ],
    ]);
    expect(plan.tasks[0]?.key.name).toBe('migrate-abcdef1-presync-1700000000');
    expect(planSync(input({ desired: [hook] }))).toEqual(plan);
  });

  it('keeps short revisions whole, and a hook’s own name', () => {
    const plan = planSync(
      input({
        revision: 'v1.2',
        desired: [job('', { generateName: 'g-', hook: 'Sync' }), job('fixed', { hook: 'Sync' })],
      }),
    );
    expect(plan.tasks.map((t) => t.key.name)).toEqual(['fixed', 'g-v1.2-sync-1700000000']);
  });

  it('reports a hook with neither name nor generateName', () => {
    const plan = planSync(input({ desired: [job('', { hook: 'PreSync' }), cm('a')] }));
    expect(plan.errors).toEqual(['Job hook has neither metadata.name nor metadata.generateName']);
    expect(summary(plan.tasks)).toEqual(['Sync/0 apply ConfigMap/a']);
  });

  it('leaves out Skip objects, delete-phase hooks and unmapped Helm hooks', () => {
    const plan = planSync(
      input({
        desired: [
          cm('skipped', { hook: 'Skip' }),
          job('pre-delete', { hook: 'PreDelete' }),
          job('helm-test', { annotations: { 'helm.sh/hook': 'test' } }),
          mk('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'x.example.com', {
            ns: '',
            annotations: { 'helm.sh/hook': 'crd-install' },
          }),
        ],
      }),
    );
    expect(summary(plan.tasks)).toEqual(['Sync/0 apply CustomResourceDefinition/x.example.com']);
    expect(plan.tasks[0]?.hook).toBeUndefined();
  });

  const policyCases: { annotations: Record<string, string>; policies: string[] }[] = [
    { annotations: {}, policies: ['BeforeHookCreation'] },
    {
      annotations: { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' },
      policies: ['HookSucceeded'],
    },
    { annotations: { 'helm.sh/hook-delete-policy': 'hook-failed' }, policies: ['HookFailed'] },
  ];
  it.each(policyCases)('carries delete policies $policies', ({ annotations, policies }) => {
    const plan = planSync(input({ desired: [job('h', { hook: 'PreSync', annotations })] }));
    expect(plan.tasks[0]?.hook?.deletePolicies).toEqual(policies);
  });

  it('skips hooks with the apply strategy', () => {
    const plan = planSync(
      input({ strategy: 'apply', desired: [job('pre', { hook: 'PreSync' }), cm('a')] }),
    );
    expect(summary(plan.tasks)).toEqual(['Sync/0 apply ConfigMap/a']);
  });
});

describe('planSync prune tasks', () => {
  it('mirrors the distinct prune waves: the highest wave is pruned first', () => {
    const plan = planSync(
      input({
        desired: [cm('keep', { wave: 1 })],
        extraneous: [cm('low', { wave: -1 }), cm('mid', { wave: 0 }), cm('high', { wave: 3 })],
      }),
    );
    expect(summary(plan.tasks)).toEqual([
      'Sync/-1 prune ConfigMap/high',
      'Sync/0 prune ConfigMap/mid',
      'Sync/1 apply ConfigMap/keep',
      'Sync/3 prune ConfigMap/low',
    ]);
  });

  it('puts PruneLast prunes (app or resource level) after the last Sync wave', () => {
    const desired = [cm('a', { wave: 2 }), job('post', { hook: 'PostSync', wave: 9 })];
    const extraneous = [
      cm('x'),
      cm('y', { annotations: { 'argocd.argoproj.io/sync-options': 'PruneLast=true' } }),
    ];
    expect(summary(planSync(input({ desired, extraneous })).tasks)).toEqual([
      'Sync/0 prune ConfigMap/x',
      'Sync/2 apply ConfigMap/a',
      'Sync/3 prune ConfigMap/y',
      'PostSync/9 apply Job/post',
    ]);
    expect(
      summary(planSync(input({ desired, extraneous, syncOptions: ['PruneLast=true'] })).tasks),
    ).toEqual([
      'Sync/2 apply ConfigMap/a',
      'Sync/3 prune ConfigMap/x',
      'Sync/3 prune ConfigMap/y',
      'PostSync/9 apply Job/post',
    ]);
  });

  it('puts PruneLast at wave 1 when every Sync wave is negative', () => {
    const plan = planSync(
      input({
        desired: [cm('a', { wave: -4 })],
        extraneous: [cm('x', { wave: -2 })],
        syncOptions: ['PruneLast=true'],
      }),
    );
    expect(summary(plan.tasks)).toEqual(['Sync/-4 apply ConfigMap/a', 'Sync/1 prune ConfigMap/x']);
  });

  const skipCases: { name: string; prune: boolean; obj: KubeObject; skip?: string }[] = [
    { name: 'prune requested', prune: true, obj: cm('x') },
    { name: 'prune not requested', prune: false, obj: cm('x'), skip: 'ignored (requires pruning)' },
    {
      name: 'Prune=false on the object',
      prune: true,
      obj: cm('x', { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' } }),
      skip: 'ignored (no prune)',
    },
  ];
  it.each(skipCases)('PruneSkipped: $name', ({ prune, obj, skip }) => {
    const [task] = planSync(input({ prune, extraneous: [obj] })).tasks;
    expect(task?.skip).toBe(skip ? 'PruneSkipped' : undefined);
    expect(task?.message).toBe(skip);
  });

  it('never prunes live hooks or Skip objects', () => {
    const plan = planSync(
      input({
        extraneous: [job('old-hook', { hook: 'PreSync' }), cm('skip', { hook: 'Skip' }), cm('x')],
      }),
    );
    expect(summary(plan.tasks)).toEqual(['Sync/0 prune ConfigMap/x']);
  });
});

describe('planSync options and selection', () => {
  it('resolves sync options per resource: the annotation overrides the app level', () => {
    const plan = planSync(
      input({
        syncOptions: ['ServerSideApply=false', 'Validate=false'],
        desired: [
          cm('a'),
          cm('b', { annotations: { 'argocd.argoproj.io/sync-options': 'ServerSideApply=true' } }),
        ],
      }),
    );
    expect(
      plan.tasks.map((t) => [t.key.name, t.options.serverSideApply, t.options.validate]),
    ).toEqual([
      ['a', false, false],
      ['b', true, false],
    ]);
  });

  it('selective sync plans only the named resources and no hooks', () => {
    const plan = planSync(
      input({
        resources: [
          { kind: 'ConfigMap', name: 'a' },
          { group: 'apps', kind: 'Deployment', name: 'web', namespace: 'other' },
          { kind: 'ConfigMap', name: 'gone' },
        ],
        desired: [
          cm('a'),
          cm('b'),
          mk('apps/v1', 'Deployment', 'web'),
          mk('apps/v1', 'Deployment', 'web', { ns: 'other' }),
          job('pre', { hook: 'PreSync' }),
        ],
        extraneous: [cm('gone'), cm('stays')],
      }),
    );
    expect(plan.tasks.map((t) => t.id)).toEqual([
      'Sync/0//ConfigMap/ns/a',
      'Sync/0//ConfigMap/ns/gone',
      'Sync/0/apps/Deployment/other/web',
    ]);
  });

  it('ApplyOutOfSyncOnly marks live, in-sync resources; missing, drifted and hooks stay', () => {
    const synced = cm('synced');
    const drifted = cm('drifted');
    const plan = planSync(
      input({
        syncOptions: ['ApplyOutOfSyncOnly=true'],
        desired: [synced, drifted, cm('missing'), job('pre', { hook: 'PreSync' })],
        live: new Map([
          [keyOf(synced), synced],
          [keyOf(drifted), drifted],
        ]),
        outOfSync: new Set([keyOf(drifted)]),
      }),
    );
    expect(plan.tasks.map((t) => [t.key.name, t.inSync ?? false])).toEqual([
      ['pre', false],
      ['drifted', false],
      ['missing', false],
      ['synced', true],
    ]);
    const without = planSync(
      input({ desired: [synced], live: new Map([[keyOf(synced), synced]]) }),
    );
    expect(without.tasks[0]?.inSync).toBeUndefined();
  });

  it('plans a repeated object once', () => {
    const plan = planSync(
      input({
        desired: [cm('a', { annotations: { v: '1' } }), cm('a', { annotations: { v: '2' } })],
      }),
    );
    expect(plan.tasks).toHaveLength(1);
    expect(plan.tasks[0]?.target?.metadata.annotations?.['v']).toBe('2');
  });
});
