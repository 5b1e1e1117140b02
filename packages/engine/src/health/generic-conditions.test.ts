import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { assessHealth } from './assess.ts';
import {
  genericConditionsOn,
  healthChecksOf,
  healthOverridesOf,
  noHealthOverrides,
  resourceOverridesOf,
  withGenericConditions,
} from './customizations.ts';
import { genericConditionsHealth } from './generic-conditions.ts';

const widget = (status: unknown, generation = 1): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', generation },
  ...(status === undefined ? {} : { status }),
});
const cond = (type: string, status: string, more: Record<string, string> = {}) => ({
  type,
  status,
  ...more,
});

describe('the generic conditions check', () => {
  it.each<[string, KubeObject, string]>([
    [
      'Ready True',
      widget({ conditions: [cond('Ready', 'True', { message: 'up' })] }),
      'Healthy: up',
    ],
    [
      'Ready True, no message',
      widget({ conditions: [cond('Ready', 'True', { reason: 'Done' })] }),
      'Healthy',
    ],
    [
      'Ready False',
      widget({ conditions: [cond('Ready', 'False', { reason: 'Broken' })] }),
      'Degraded: Broken',
    ],
    [
      'Ready Unknown',
      widget({ conditions: [cond('Ready', 'Unknown', { message: 'starting' })] }),
      'Progressing: starting',
    ],
    [
      'Reconciling wins over Ready',
      widget({
        conditions: [cond('Ready', 'True'), cond('Reconciling', 'True', { message: 'rolling' })],
      }),
      'Progressing: rolling',
    ],
    [
      'Stalled wins over Reconciling',
      widget({
        conditions: [cond('Reconciling', 'True'), cond('Stalled', 'True', { message: 'quota' })],
      }),
      'Degraded: quota',
    ],
    ['Stalled False says nothing', widget({ conditions: [cond('Stalled', 'False')] }), 'none'],
    [
      'a generation not observed yet',
      widget({ observedGeneration: 2, conditions: [cond('Ready', 'True')] }, 3),
      'Progressing: Waiting for the controller to observe generation 3 (observed 2)',
    ],
    [
      'an observed generation',
      widget({ observedGeneration: 3, conditions: [cond('Ready', 'True')] }, 3),
      'Healthy',
    ],
    ['no conditions', widget({ phase: 'Running' }), 'none'],
    ['no status', widget(undefined), 'none'],
    ['conditions not a list', widget({ conditions: 'Ready' }), 'none'],
  ])('%s', (_, obj, want) => {
    const h = genericConditionsHealth(obj);
    expect(h ? (h.message ? `${h.status}: ${h.message}` : h.status) : 'none').toBe(want);
  });

  const ready = widget({ conditions: [cond('Ready', 'True')] });

  it('is off by default: a kind without a check has no health', () => {
    expect(assessHealth(ready)).toBeUndefined();
    expect(assessHealth(ready, healthOverridesOf({}, undefined))).toBeUndefined();
  });

  it('is turned on by the settings key, for kinds nothing else judges', () => {
    const on = healthOverridesOf({ 'gitward.health.genericConditions': ' true ' }, undefined);
    expect(assessHealth(ready, on)).toEqual({ status: 'Healthy' });
    // A built-in check (Kubernetes' own kinds and the custom resources') still decides.
    const cert = {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'c' },
      status: { conditions: [cond('Ready', 'True'), cond('Stalled', 'True')] },
    } as KubeObject;
    expect(assessHealth(cert, on)?.status).toBe('Healthy');
  });

  it('comes after a configured script', () => {
    const data = {
      'gitward.health.genericConditions': 'true',
      'resource.customizations.health.example.com_Widget': 'return {status = "Suspended"}',
    };
    const checks = healthChecksOf(data, resourceOverridesOf(data), () => ({ status: 'Suspended' }));
    expect(assessHealth(ready, checks)?.status).toBe('Suspended');
  });

  it.each([
    [{ 'gitward.health.genericConditions': 'true' }, true],
    [{ 'gitward.health.genericConditions': 'True' }, false],
    [{ 'gitward.health.genericConditions': 'false' }, false],
    [{ 'gitward.health.genericConditions': true }, false],
    [Object.create({ 'gitward.health.genericConditions': 'true' }) as object, false],
    [undefined, false],
    [['true'], false],
  ])('reads %j as %s', (data, want) => {
    expect(genericConditionsOn(data)).toBe(want);
  });

  it('wraps any checks', () => {
    expect(withGenericConditions(noHealthOverrides).fallback).toBe(genericConditionsHealth);
    expect(noHealthOverrides.fallback).toBeUndefined();
  });
});
