import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrackingMethod } from '@gitward/model';
import { noHealthOverrides } from '../health/customizations.ts';
import { reconcileSettingsOf, settingsDefaults, settingsKeys } from './settings-cm.ts';

const k = settingsKeys;

describe('reconcileSettingsOf', () => {
  it.each<
    [string, unknown, object, { tracking: string; resync: number; jitter: number }, string[]]
  >([
    ['no ConfigMap', undefined, {}, { tracking: 'annotation', resync: 120, jitter: 60 }, []],
    ['not a map', ['x'], {}, { tracking: 'annotation', resync: 120, jitter: 60 }, []],
    [
      'label tracking',
      { [k.trackingMethod]: 'label' },
      {},
      { tracking: 'label', resync: 120, jitter: 60 },
      [],
    ],
    [
      'annotation+label, padded',
      { [k.trackingMethod]: ' annotation+label\n' },
      {},
      { tracking: 'annotation+label', resync: 120, jitter: 60 },
      [],
    ],
    [
      'durations as Argo CD writes them',
      { [k.reconciliation]: '180s', [k.jitter]: '1m30s' },
      {},
      { tracking: 'annotation', resync: 180, jitter: 90 },
      [],
    ],
    [
      '0 disables',
      { [k.reconciliation]: '0', [k.jitter]: '0s' },
      {},
      { tracking: 'annotation', resync: 0, jitter: 0 },
      [],
    ],
    [
      'sub-second durations stay fractional',
      { [k.reconciliation]: '1500ms' },
      {},
      { tracking: 'annotation', resync: 1.5, jitter: 60 },
      [],
    ],
    [
      'empty values are unset',
      { [k.trackingMethod]: '', [k.reconciliation]: ' ' },
      {},
      { tracking: 'annotation', resync: 120, jitter: 60 },
      [],
    ],
    [
      'bad values fall back, each reported',
      { [k.trackingMethod]: 'uid', [k.reconciliation]: '180', [k.jitter]: '-5s' },
      {},
      { tracking: 'annotation', resync: 120, jitter: 60 },
      [k.trackingMethod, k.reconciliation, k.jitter],
    ],
    [
      'flags win over the ConfigMap',
      { [k.trackingMethod]: 'label', [k.reconciliation]: '5m', [k.jitter]: '1s' },
      { trackingMethod: TrackingMethod.AnnotationAndLabel, resyncSeconds: 0, jitterSeconds: 2 },
      { tracking: 'annotation+label', resync: 0, jitter: 2 },
      [],
    ],
    [
      'an overridden key is not read, so its bad value is no problem',
      { [k.trackingMethod]: 'uid' },
      { trackingMethod: TrackingMethod.Label },
      { tracking: 'label', resync: 120, jitter: 60 },
      [],
    ],
    [
      'non-string values are ignored',
      { [k.trackingMethod]: 3, [k.reconciliation]: { s: 1 } },
      {},
      { tracking: 'annotation', resync: 120, jitter: 60 },
      [],
    ],
  ])('%s', (_name, data, overrides, want, problemKeys) => {
    const { settings, problems } = reconcileSettingsOf(data, overrides);
    expect({
      tracking: settings.trackingMethod,
      resync: settings.resyncSeconds,
      jitter: settings.jitterSeconds,
    }).toEqual(want);
    expect(problems.map((p) => p.key)).toEqual(problemKeys);
  });

  it('reads inherited keys as unset', () => {
    const data = Object.create({ [k.trackingMethod]: 'label' }) as Record<string, string>;
    expect(reconcileSettingsOf(data).settings.trackingMethod).toBe('annotation');
  });

  it('carries the health customizations, run through the runner given', () => {
    const none = reconcileSettingsOf({}).settings.healthOverrides;
    expect(none).toBe(noHealthOverrides);
    const data = { 'resource.customizations.health.argoproj.io_Application': 'return hs' };
    const { settings } = reconcileSettingsOf(data, {}, () => ({ status: 'Healthy' }));
    expect([...settings.resourceOverrides.keys()]).toEqual(['argoproj.io/Application']);
    expect(settings.healthOverrides.get('argoproj.io/Application')).toBeDefined();
    // Without a runner the scripts are known but none runs.
    expect(reconcileSettingsOf(data).settings.healthOverrides).toBe(noHealthOverrides);
  });

  it('turns on the generic conditions check with gitward.health.genericConditions', () => {
    const on = reconcileSettingsOf({ 'gitward.health.genericConditions': 'true' }).settings;
    expect(on.healthOverrides.fallback).toBeDefined();
    expect(on.healthOverrides.get('example.com/Widget')).toBeUndefined();
    const off = reconcileSettingsOf({ 'gitward.health.genericConditions': 'yes' }).settings;
    expect(off.healthOverrides.fallback).toBeUndefined();
  });

  it('never throws and never touches a prototype, whatever the map holds', () => {
    const key = fc.oneof(
      fc.constantFrom(...Object.values(k), '__proto__', 'constructor', 'prototype', 'toString'),
      fc.string(),
    );
    const value = fc.oneof(
      fc.string(),
      fc.constantFrom('label', '0', '3m', '-1s', '1e400h', '9999999999999h', '__proto__'),
    );
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 8 }), (data) => {
        const before = Object.getOwnPropertyNames(Object.prototype).length;
        const { settings, problems } = reconcileSettingsOf(data);
        expect(Object.values(TrackingMethod)).toContain(settings.trackingMethod);
        expect(Number.isFinite(settings.resyncSeconds) && settings.resyncSeconds >= 0).toBe(true);
        expect(Number.isFinite(settings.jitterSeconds) && settings.jitterSeconds >= 0).toBe(true);
        expect(problems.length).toBeLessThanOrEqual(Object.keys(k).length);
        expect(Object.getOwnPropertyNames(Object.prototype).length).toBe(before);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
    );
    expect(settingsDefaults.trackingMethod).toBe('annotation');
  });

  it.each<[string, Record<string, string>, object, string[]]>([
    [
      'defaults',
      {},
      {
        hardResyncSeconds: 0,
        instanceLabelKey: 'app.kubernetes.io/instance',
        compareOptions: { ignoreAggregatedRoles: false, ignoreResourceStatusField: 'all' },
      },
      [],
    ],
    [
      'Argo CD keys as written',
      {
        [k.hardReconciliation]: '1h',
        [k.instanceLabelKey]: 'argocd.argoproj.io/instance',
        [k.compareOptions]: 'ignoreAggregatedRoles: true\nignoreResourceStatusField: crd\n',
      },
      {
        hardResyncSeconds: 3600,
        instanceLabelKey: 'argocd.argoproj.io/instance',
        compareOptions: { ignoreAggregatedRoles: true, ignoreResourceStatusField: 'crd' },
      },
      [],
    ],
    [
      'bad values fall back, each reported',
      {
        [k.hardReconciliation]: 'soon',
        [k.instanceLabelKey]: 'not a label/key/',
        [k.compareOptions]: 'ignoreResourceStatusField: some',
      },
      {
        hardResyncSeconds: 0,
        instanceLabelKey: 'app.kubernetes.io/instance',
        compareOptions: { ignoreAggregatedRoles: false, ignoreResourceStatusField: 'all' },
      },
      [k.instanceLabelKey, k.compareOptions, k.hardReconciliation],
    ],
  ])('the comparison keys: %s', (_name, data, want, problemKeys) => {
    const { settings, problems } = reconcileSettingsOf(data);
    expect(settings).toMatchObject(want);
    expect(problems.map((p) => p.key).sort()).toEqual(problemKeys);
  });

  it('reads helm.valuesFileSchemes as a list of schemes, none by default', () => {
    expect(reconcileSettingsOf({}).settings.helmValuesFileSchemes).toEqual([]);
    expect(
      reconcileSettingsOf({ [k.helmValuesFileSchemes]: ' HTTPS, http ,, s3://, secrets+gpg' })
        .settings.helmValuesFileSchemes,
    ).toEqual(['https', 'http', 'secrets+gpg']);
  });

  it('carries the system-wide ignoreDifferences and the resource filter', () => {
    const { settings, problems } = reconcileSettingsOf({
      'resource.customizations.ignoreDifferences.apps_Deployment': 'jsonPointers: [/spec/replicas]',
      'resource.customizations.ignoreDifferences.all':
        'managedFieldsManagers: [kube-controller-manager]',
      [k.exclusions]: '- apiGroups: ["*"]\n  kinds: [ConfigMap]\n',
      [k.inclusions]: 'nope',
    });
    expect(settings.ignoreDifferences).toEqual([
      { group: '*', kind: '*', managedFieldsManagers: ['kube-controller-manager'] },
      { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
    ]);
    expect(settings.resourceFilter).toEqual({
      exclusions: [{ apiGroups: ['*'], kinds: ['ConfigMap'], clusters: [] }],
      inclusions: [],
    });
    expect(problems).toEqual([{ key: k.inclusions, message: 'not a list' }]);
  });
});
