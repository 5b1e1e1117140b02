import { describe, expect, it } from 'vitest';
import { ErrorCode, type KubeObject } from '@gitward/model';
import { resourceOverridesOf, type ScriptRunner } from '../health/customizations.ts';
import { actionSetFor, actionsFromDiscovery, impactedFromAction } from './actions.ts';

// Lua itself runs in infra (its tests and the e2e); here a runner answers as the scripts would.

const now = () => new Date('2026-12-07T10:11:12.345Z');
const deployment = (spec: object = { replicas: 2 }): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: {} },
  spec: { ...spec, template: { metadata: { labels: { app: 'web' } }, spec: {} } },
});
const cronJob: KubeObject = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'nightly', namespace: 'ops', uid: 'u-1' },
  spec: {
    schedule: '0 1 * * *',
    jobTemplate: {
      metadata: { labels: { a: 'b' } },
      spec: { template: { spec: { containers: [] } } },
    },
  },
};
const noOverrides = resourceOverridesOf({});

describe('actionsFromDiscovery', () => {
  it('lists what the map offers, by name', () => {
    expect(
      actionsFromDiscovery({
        scale: { params: [{ name: 'replicas', type: 'number', default: 3 }, { nope: 1 }] },
        resume: { disabled: true, iconClass: 'fa fa-play', displayName: 'Resume now' },
        plain: [],
      }),
    ).toEqual([
      { name: 'plain', disabled: false },
      { name: 'resume', disabled: true, iconClass: 'fa fa-play', displayName: 'Resume now' },
      {
        name: 'scale',
        disabled: false,
        params: [{ name: 'replicas', type: 'number', default: '3' }],
      },
    ]);
  });
  it.each([[[]], [null]])('offers nothing for %j', (v) => {
    expect(actionsFromDiscovery(v)).toEqual([]);
  });
  it('refuses anything but a table', () => {
    expect(() => actionsFromDiscovery(1)).toThrow(
      'expect table output from Lua script, not number',
    );
  });
});

describe('impactedFromAction', () => {
  it('reads the old style (the changed object) as a patch, empty maps kept maps', () => {
    const changed = { ...deployment(), metadata: { name: 'web', namespace: 'shop', labels: [] } };
    expect(impactedFromAction(changed, deployment())).toEqual([
      { operation: 'patch', resource: deployment() },
    ]);
  });
  it('reads the new style list', () => {
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' } };
    expect(
      impactedFromAction(
        [
          { operation: 'create', resource: job },
          { operation: 'patch', resource: deployment() },
        ],
        deployment(),
      ).map((i) => `${i.operation} ${i.resource.kind}`),
    ).toEqual(['create Job', 'patch Deployment']);
  });
  it.each([
    [[{ operation: 'delete', resource: {} }], /unsupported operation "delete"/],
    [[{ operation: 'create', resource: { kind: 'Job' } }], /is not a Kubernetes object/],
    ['text', /is not a Kubernetes object/],
  ])('refuses %j', (value, message) => {
    expect(() => impactedFromAction(value, deployment())).toThrow(message);
  });
});

describe('built-in actions', () => {
  const set = (group: string, kind: string) =>
    actionSetFor(noOverrides, undefined, group, kind, now);

  it('lists a Deployment its actions, pause or resume as it would change something', () => {
    const names = (o: KubeObject) =>
      set('apps', 'Deployment')
        .list(o)
        .map((a) => `${a.name}${a.disabled ? ' (disabled)' : ''}`);
    expect(names(deployment())).toEqual(['pause', 'restart', 'resume (disabled)', 'scale']);
    expect(names(deployment({ paused: true }))).toEqual([
      'pause (disabled)',
      'restart',
      'resume',
      'scale',
    ]);
    expect(
      set('apps', 'Deployment')
        .list(deployment())
        .find((a) => a.name === 'scale')?.params,
    ).toEqual([{ name: 'replicas', type: 'number', default: '2' }]);
  });

  it('restarts as kubectl rollout restart does', () => {
    const [out] = set('apps', 'StatefulSet').run('restart', deployment(), {});
    expect(out?.operation).toBe('patch');
    expect(
      (out?.resource as unknown as { spec: { template: { metadata: { annotations: unknown } } } })
        .spec.template.metadata.annotations,
    ).toEqual({ 'kubectl.kubernetes.io/restartedAt': '2026-12-07T10:11:12Z' });
  });

  it('scales to a whole number only', () => {
    const [out] = set('apps', 'Deployment').run('scale', deployment(), { replicas: ' 5 ' });
    expect((out?.resource as unknown as { spec: { replicas: number } }).spec.replicas).toBe(5);
    for (const bad of [{}, { replicas: '-1' }, { replicas: 'x' }, { replicas: '1.5' }])
      expect(() => set('apps', 'Deployment').run('scale', deployment(), bad)).toThrow(
        /whole number/,
      );
    expect(() =>
      set('apps', 'Deployment').run('scale', deployment(), { replicas: '1', x: '1' }),
    ).toThrow('action scale takes no parameter "x"');
  });

  it('creates a Job from a CronJob, owned by it, and suspends and resumes', () => {
    const cron = set('batch', 'CronJob');
    expect(cron.list(cronJob).map((a) => a.name)).toEqual(['create-job', 'resume', 'suspend']);
    const [job] = cron.run('create-job', cronJob, {});
    expect(job).toEqual({
      operation: 'create',
      resource: {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          labels: { a: 'b' },
          name: 'nightly-1796638272',
          namespace: 'ops',
          annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
          ownerReferences: [
            {
              apiVersion: 'batch/v1',
              kind: 'CronJob',
              name: 'nightly',
              uid: 'u-1',
              blockOwnerDeletion: true,
              controller: true,
            },
          ],
        },
        spec: { template: { spec: { containers: [] } } },
      },
    });
    const [suspended] = cron.run('suspend', cronJob, {});
    expect((suspended?.resource as unknown as { spec: { suspend: boolean } }).spec.suspend).toBe(
      true,
    );
    expect(() => cron.run('resume', cronJob, {})).toThrow(
      'action resume is disabled for this object',
    );
  });

  it('says which actions a kind does not have', () => {
    expect(set('', 'ConfigMap').list(cronJob)).toEqual([]);
    expect(() => set('apps', 'DaemonSet').run('scale', deployment(), {})).toThrow(
      expect.objectContaining({ code: ErrorCode.NotFound }),
    );
  });
});

describe('customized actions', () => {
  const calls: { name: string; globals: unknown }[] = [];
  const run: ScriptRunner = (script, obj, name, globals) => {
    calls.push({ name, globals });
    if (script === 'discover') return { bump: { params: [{ name: 'by' }] } };
    if (script === 'bump')
      return { ...obj, metadata: { ...obj.metadata, labels: { bumped: 'yes' } } };
    throw new Error(`unexpected script ${script}`);
  };
  const actions = (merge: boolean) =>
    `discovery.lua: discover\nmergeBuiltinActions: ${merge}\ndefinitions:\n- name: bump\n  action.lua: bump\n`;

  it('replace the built-in ones, or join them with mergeBuiltinActions', () => {
    const only = resourceOverridesOf({
      'resource.customizations.actions.apps_Deployment': actions(false),
    });
    const merged = resourceOverridesOf({
      'resource.customizations.actions.apps_Deployment': actions(true),
    });
    expect(
      actionSetFor(only, run, 'apps', 'Deployment', now)
        .list(deployment())
        .map((a) => a.name),
    ).toEqual(['bump']);
    expect(
      actionSetFor(merged, run, 'apps', 'Deployment', now)
        .list(deployment())
        .map((a) => a.name),
    ).toEqual(['bump', 'pause', 'restart', 'resume', 'scale']);
  });

  it('run their script with the object and actionParams', () => {
    const set = actionSetFor(
      resourceOverridesOf({ 'resource.customizations.actions.apps_Deployment': actions(false) }),
      run,
      'apps',
      'Deployment',
      now,
    );
    calls.length = 0;
    const [out] = set.run('bump', deployment(), { by: '2' });
    expect(out?.resource.metadata.labels).toEqual({ bumped: 'yes' });
    expect(calls.map((c) => c.name)).toEqual([
      'apps/Deployment discovery.lua',
      'apps/Deployment bump/action.lua',
    ]);
    expect(calls[1]?.globals).toEqual({ actionParams: { by: '2' } });
    expect(() => set.run('restart', deployment(), {})).toThrow(
      'apps/Deployment offers no action "restart"',
    );
  });
});
