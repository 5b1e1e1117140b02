import { describe, expect, it } from 'vitest';
import { HealthStatusCode as H, type KubeObject } from '@gitward/model';
import { assessHealth } from './assess.ts';
import { aggregateHealth } from './aggregate.ts';
import { applicationHealth, healthOverridesOf, noHealthOverrides } from './customizations.ts';

const app = (group: string, status?: unknown): KubeObject => ({
  apiVersion: `${group}/v1alpha1`,
  kind: 'Application',
  metadata: { name: 'child', namespace: 'argocd' },
  ...(status === undefined ? {} : { status }),
});

describe('applicationHealth (the documented app-of-apps script)', () => {
  const cases: [string, unknown, object][] = [
    ['no status yet', undefined, { status: H.Progressing }],
    ['a status without health', { sync: { status: 'Synced' } }, { status: H.Progressing }],
    [
      'a health without status keeps its message',
      { health: { message: 'x' } },
      { status: H.Progressing, message: 'x' },
    ],
    ['Healthy', { health: { status: 'Healthy' } }, { status: H.Healthy }],
    [
      'Degraded, with the child message',
      { health: { status: 'Degraded', message: 'apps/Deployment:shop/web is Degraded' } },
      { status: H.Degraded, message: 'apps/Deployment:shop/web is Degraded' },
    ],
    ['Missing', { health: { status: 'Missing' } }, { status: H.Missing }],
    ['Suspended', { health: { status: 'Suspended' } }, { status: H.Suspended }],
    [
      'a status that is no health code',
      { health: { status: 'Great' } },
      { status: H.Unknown, message: 'invalid health status "Great"' },
    ],
    ['a health that is not an object', { health: 'Healthy' }, { status: H.Progressing }],
  ];
  it.each(cases)('%s', (_name, status, want) => {
    expect(applicationHealth(app('argoproj.io', status))).toEqual(want);
  });
});

describe('healthOverridesOf (settings ConfigMap data)', () => {
  const yamlWith = (key: string) => `${key}:\n  health.lua: |\n    return {status = "Healthy"}\n`;
  const cases: [string, Record<string, string>, boolean][] = [
    ['nothing configured', {}, false],
    [
      'the argoproj.io key Argo CD documents',
      { 'resource.customizations.health.argoproj.io_Application': 'hs = {}' },
      true,
    ],
    [
      'its gitward.dev twin',
      { 'resource.customizations.health.gitward.dev_Application': '' },
      true,
    ],
    ['another kind only', { 'resource.customizations.health.apps_Deployment': 'hs = {}' }, false],
    [
      'the resource.customizations YAML',
      { 'resource.customizations': yamlWith('argoproj.io/Application') },
      true,
    ],
    [
      'the YAML without health.lua',
      { 'resource.customizations': 'argoproj.io/Application:\n  ignoreDifferences: "x"\n' },
      false,
    ],
    [
      'the YAML for another kind',
      { 'resource.customizations': yamlWith('apps/Deployment') },
      false,
    ],
    ['YAML that does not parse', { 'resource.customizations': 'a: [' }, false],
    ['YAML that is not a map', { 'resource.customizations': '- argoproj.io/Application' }, false],
  ];
  it.each(cases)('%s', (_name, settings, enabled) => {
    const overrides = healthOverridesOf(settings);
    // Either key judges the Application kinds of both API groups.
    for (const group of ['argoproj.io', 'gitward.dev'])
      expect(overrides.has(`${group}/Application`)).toBe(enabled);
  });

  it('reads own properties only: a polluted prototype enables nothing', () => {
    const settings = Object.create({
      'resource.customizations.health.argoproj.io_Application': 'hs = {}',
    }) as Record<string, string>;
    expect(healthOverridesOf(settings).size).toBe(0);
  });
});

describe('assessHealth with overrides', () => {
  const enabled = healthOverridesOf({
    'resource.customizations.health.argoproj.io_Application': 'hs = {}',
  });
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
      'configured: the child health (gitward.dev)',
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
