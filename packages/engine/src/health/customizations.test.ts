import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HealthStatusCode as H, type KubeObject } from '@gitward/model';
import { assessHealth } from './assess.ts';
import { aggregateHealth } from './aggregate.ts';
import {
  healthFromScript,
  healthOverridesFrom,
  healthOverridesOf,
  noHealthOverrides,
  overrideFor,
  resourceOverridesOf,
  type ScriptRunner,
} from './customizations.ts';

// The engine never runs Lua itself: these tests give it a runner that answers as the scripts
// named would (infra/lua's tests and the e2e run the real engine).

const app = (group: string, status?: unknown): KubeObject => ({
  apiVersion: `${group}/v1alpha1`,
  kind: 'Application',
  metadata: { name: 'child', namespace: 'argocd' },
  ...(status === undefined ? {} : { status }),
});

describe('resourceOverridesOf (settings ConfigMap data)', () => {
  const block = [
    'argoproj.io/Rollout:',
    '  health.lua: block-rollout',
    '  health.lua.useOpenLibs: true',
    '  actions: block-actions',
    '"*.crossplane.io/*":',
    '  health.lua: crossplane',
    'apps/Deployment:',
    '  ignoreDifferences: "x"',
  ].join('\n');
  it('reads the block, then the per-key form over it, field by field', () => {
    const o = resourceOverridesOf({
      'resource.customizations': block,
      'resource.customizations.health.argoproj.io_Rollout': 'key-rollout',
      'resource.customizations.useOpenLibs.argoproj.io_Rollout': 'false',
      'resource.customizations.health.ConfigMap': 'core',
      'resource.customizations.actions.apps_Deployment': 'deploy-actions',
      'resource.customizations.ignoreDifferences.all': 'not ours here',
    });
    expect(o.get('argoproj.io/Rollout')).toEqual({
      healthLua: 'key-rollout',
      useOpenLibs: false,
      actions: 'block-actions',
    });
    expect(o.get('*.crossplane.io/*')).toEqual({ healthLua: 'crossplane' });
    expect(o.get('ConfigMap')).toEqual({ healthLua: 'core' });
    expect(o.get('apps/Deployment')).toEqual({ actions: 'deploy-actions' });
  });

  it.each([
    ['nothing', {}],
    ['not a map', 'resource.customizations'],
    ['YAML that does not parse', { 'resource.customizations': 'a: [' }],
    ['YAML that is not a map', { 'resource.customizations': '- argoproj.io/Application' }],
    ['a value that is not a string', { 'resource.customizations.health.x_Y': 1 }],
  ])('declares nothing for %s', (_name, data) => {
    expect(resourceOverridesOf(data).size).toBe(0);
  });

  it('reads own properties only: a polluted prototype declares nothing', () => {
    const settings = Object.create({
      'resource.customizations.health.argoproj.io_Application': 'hs = {}',
    }) as Record<string, string>;
    expect(resourceOverridesOf(settings).size).toBe(0);
  });

  it('never throws and never touches a prototype, whatever the map holds', () => {
    const key = fc.oneof(
      fc.constantFrom(
        'resource.customizations',
        'resource.customizations.health.__proto___x',
        'resource.customizations.health.__proto__',
        'resource.customizations.actions.constructor',
      ),
      fc.string().map((s) => `resource.customizations.${s}`),
    );
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('__proto__:\n  health.lua: x\n', 'a:\n  health.lua: [1]\n', '{'),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value), (data) => {
        resourceOverridesOf(data);
        expect(({} as Record<string, unknown>)['health.lua']).toBeUndefined();
        expect(({} as Record<string, unknown>)['healthLua']).toBeUndefined();
      }),
    );
  });
});

describe('overrideFor (Argo CD lookup order)', () => {
  const o = resourceOverridesOf({
    'resource.customizations': [
      '"argoproj.io/*":',
      '  health.lua: any-argo',
      '"*.io/Rollout":',
      '  health.lua: any-io-rollout',
      '"*.aws.crossplane.io/*":',
      '  health.lua: aws',
      'argoproj.io/Rollout:',
      '  actions: only-actions',
    ].join('\n'),
    'resource.customizations.health.argoproj.io_Workflow': 'workflow',
  });
  const has = (x: { healthLua?: string }) => Boolean(x.healthLua);
  it.each([
    ['argoproj.io', 'Workflow', 'argoproj.io/Workflow'],
    // The exact key has no health script, so the globs are asked, in sorted order.
    ['argoproj.io', 'Rollout', '*.io/Rollout'],
    ['argoproj.io', 'AppProject', 'argoproj.io/*'],
    ['ec2.aws.crossplane.io', 'Instance', '*.aws.crossplane.io/*'],
    ['apps', 'Deployment', undefined],
    ['', 'ConfigMap', undefined],
  ])('%s/%s → %s', (group, kind, want) => {
    expect(overrideFor(o, group, kind, has)?.key).toBe(want);
  });
});

describe('healthFromScript (what a health.lua returned)', () => {
  it.each([
    ['nothing', null, undefined],
    ['an empty table', [], undefined],
    ['a valid status', { status: 'Healthy', message: 'ok' }, { status: H.Healthy, message: 'ok' }],
    ['an empty message', { status: 'Degraded', message: '' }, { status: H.Degraded }],
    [
      'a status that is no health code',
      { status: 'test' },
      { status: H.Unknown, message: 'Lua returned an invalid health status' },
    ],
    [
      'a message without status',
      { message: 'x' },
      { status: H.Unknown, message: 'Lua returned an invalid health status' },
    ],
  ])('%s', (_name, value, want) => {
    expect(healthFromScript(value)).toEqual(want);
  });

  it.each([
    [1, 'number'],
    ['x', 'string'],
    [true, 'boolean'],
    [['a'], 'table'],
  ])('refuses %j (not a map)', (value, type) => {
    expect(() => healthFromScript(value)).toThrow(
      `expect table output from Lua script, not ${type}`,
    );
  });
});

/** Answers as Argo CD's documented app-of-apps health.lua would. */
const appOfApps: ScriptRunner = (_script, obj) => {
  const h = (obj as { status?: { health?: { status?: string; message?: string } } }).status?.health;
  if (!h) return { status: 'Progressing', message: '' };
  return { status: h.status, message: h.message ?? '' };
};

describe('healthOverridesOf', () => {
  it('runs nothing without a runner or a script', () => {
    expect(healthOverridesOf({ 'resource.customizations.health.x_Y': 's' }, undefined)).toBe(
      noHealthOverrides,
    );
    expect(healthOverridesOf({}, appOfApps)).toBe(noHealthOverrides);
  });

  it('runs a script once per object instance, and names it in its errors', () => {
    const calls: string[] = [];
    const run: ScriptRunner = (script, _obj, name) => {
      calls.push(name);
      if (script === 'boom') throw new Error(`Lua script ${name}: boom`);
      return { status: 'Healthy' };
    };
    const overrides = healthOverridesFrom(
      resourceOverridesOf({
        'resource.customizations.health.example.com_Good': 'good',
        'resource.customizations.health.example.com_Bad': 'boom',
      }),
      run,
    );
    const good = { apiVersion: 'example.com/v1', kind: 'Good', metadata: { name: 'a' } };
    const check = overrides.get('example.com/Good');
    expect(check?.(good)).toEqual({ status: H.Healthy });
    expect(check?.(good)).toEqual({ status: H.Healthy });
    expect(calls).toEqual(['example.com/Good health.lua']);
    const bad = { apiVersion: 'example.com/v1', kind: 'Bad', metadata: { name: 'b' } };
    expect(overrides.get('example.com/Bad')?.(bad)).toEqual({
      status: H.Unknown,
      message: 'Lua script example.com/Bad health.lua: boom',
    });
    expect(overrides.get('example.com/Other')).toBeUndefined();
  });
});

describe('assessHealth with the app-of-apps check', () => {
  const enabled = healthOverridesOf(
    { 'resource.customizations.health.argoproj.io_Application': 'the documented script' },
    appOfApps,
  );
  const cases: [string, KubeObject, typeof enabled, object | undefined][] = [
    [
      'Argo CD ≥ 1.8 default: an Application has no health',
      app('argoproj.io', { health: { status: 'Degraded' } }),
      noHealthOverrides,
      undefined,
    ],
    [
      'configured: the child health (argoproj.io)',
      app('argoproj.io', { health: { status: 'Degraded' } }),
      enabled,
      { status: H.Degraded },
    ],
    [
      'configured for argoproj.io: gitward.dev Applications too',
      app('gitward.dev', { health: { status: 'Healthy' } }),
      enabled,
      { status: H.Healthy },
    ],
    [
      'configured: a child without health is Progressing',
      app('gitward.dev'),
      enabled,
      { status: H.Progressing },
    ],
    [
      'a pending deletion still comes first',
      {
        ...app('argoproj.io', { health: { status: 'Healthy' } }),
        metadata: { name: 'c', deletionTimestamp: '2026-01-01T00:00:00Z' },
      },
      enabled,
      { status: H.Progressing, message: 'Pending deletion' },
    ],
    [
      'ignore-healthcheck still opts out',
      {
        ...app('argoproj.io', { health: { status: 'Degraded' } }),
        metadata: { name: 'c', annotations: { 'argocd.argoproj.io/ignore-healthcheck': 'true' } },
      },
      enabled,
      undefined,
    ],
  ];
  it.each(cases)('%s', (_name, obj, overrides, want) => {
    expect(assessHealth(obj, overrides)).toEqual(want);
  });

  it('a script over a built-in kind wins over the built-in rule', () => {
    const overrides = healthOverridesOf(
      { 'resource.customizations.health.apps_Deployment': 'always degraded' },
      () => ({ status: 'Degraded', message: 'by script' }),
    );
    const d: KubeObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } };
    expect(assessHealth(d, overrides)).toEqual({ status: H.Degraded, message: 'by script' });
  });
});

describe('aggregateHealth over child apps of both groups', () => {
  const key = (group: string, name: string) => ({
    group,
    kind: 'Application',
    namespace: 'argocd',
    name,
  });
  it('follows the worst child, ignoring Missing or Unknown children', () => {
    expect(
      aggregateHealth([
        { key: key('gitward.dev', 'a'), health: { status: H.Healthy } },
        { key: key('gitward.dev', 'b'), health: { status: H.Progressing } },
        { key: key('gitward.dev', 'c'), health: { status: H.Missing } },
        { key: key('argoproj.io', 'd'), health: { status: H.Unknown } },
      ]),
    ).toEqual({
      status: H.Progressing,
      message: 'gitward.dev/Application:argocd/b is Progressing',
    });
  });
});
