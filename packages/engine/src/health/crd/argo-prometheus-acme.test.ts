import { describe, expect, it } from 'vitest';
import { judge, object } from './judge.test-support.ts';

const withConditions = (apiVersion: string, kind: string, ...conditions: unknown[]) =>
  object(apiVersion, kind, { status: { conditions } });
const appSet = (...list: unknown[]) =>
  withConditions('argoproj.io/v1alpha1', 'ApplicationSet', ...list);
const cron = (...list: unknown[]) =>
  withConditions('argoproj.io/v1alpha1', 'CronWorkflow', ...list);
const bus = (...list: unknown[]) => withConditions('argoproj.io/v1alpha1', 'EventBus', ...list);
const prom = (kind: string, ...list: unknown[]) =>
  withConditions('monitoring.coreos.com/v1', kind, ...list);
const acme = (kind: string, status?: Record<string, unknown>) =>
  object('acme.cert-manager.io/v1', kind, status ? { status } : {});
const bundle = (...list: unknown[]) =>
  withConditions('trust.cert-manager.io/v1alpha1', 'Bundle', ...list);
const c = (type: string, status: string, more: Record<string, unknown> = {}) => ({
  type,
  status,
  ...more,
});

const cases: [string, ReturnType<typeof object>, string][] = [
  [
    'application set: an error first',
    appSet(
      c('ResourcesUpToDate', 'True', { message: 'ok' }),
      c('ErrorOccurred', 'True', { message: 'bad template' }),
    ),
    'Degraded: bad template',
  ],
  [
    'application set: progressive sync under way',
    appSet(c('ResourcesUpToDate', 'True'), c('RolloutProgressing', 'True', { message: 'step 2' })),
    'Progressing: step 2',
  ],
  [
    'application set: up to date',
    appSet(c('ResourcesUpToDate', 'True', { message: 'all apps' })),
    'Healthy: all apps',
  ],
  [
    'application set: out of date',
    appSet(c('ResourcesUpToDate', 'False', { message: 'stale' })),
    'Degraded: stale',
  ],
  [
    'application set: no status',
    object('argoproj.io/v1alpha1', 'ApplicationSet'),
    'Progressing: Waiting for the status to be reported',
  ],
  ['cron workflow: fine', cron(), 'Healthy: CronWorkflow is healthy.'],
  [
    'cron workflow: submission error',
    cron(c('SubmissionError', 'True', { message: 'quota' })),
    'Degraded: quota',
  ],
  ['cron workflow: completed', cron(c('Completed', 'True', { message: 'done' })), 'Healthy: done'],
  [
    'event bus: deployed, with the reason',
    bus(c('Deployed', 'True', { reason: 'Succeeded' })),
    'Healthy: Succeeded',
  ],
  ['event bus: failed', bus(c('Deployed', 'False', { message: 'no nats' })), 'Degraded: no nats'],
  ['event bus: not yet', bus(c('Deployed', 'Unknown')), 'Progressing: Waiting for initialization'],
  [
    'prometheus: available',
    prom('Prometheus', c('Available', 'True')),
    'Healthy: All instances are available',
  ],
  [
    'alertmanager: pods starting',
    prom(
      'Alertmanager',
      c('Available', 'False', { reason: 'SomePodsNotReady', message: '1/2 ready' }),
    ),
    'Progressing: 1/2 ready',
  ],
  [
    'thanos ruler: failing, by reason',
    prom('ThanosRuler', c('Available', 'False', { reason: 'NoPodReady' })),
    'Degraded: NoPodReady',
  ],
  ['prometheus: nothing yet', prom('Prometheus'), 'Progressing: Waiting for initialization'],
  ['order: no status', acme('Order'), 'Progressing: Waiting for order'],
  ['order: valid', acme('Order', { state: 'valid' }), 'Healthy: Order is valid'],
  [
    'order: pending says its state only',
    acme('Order', { state: 'pending', reason: 'x' }),
    'Progressing: Order is pending',
  ],
  [
    'order: errored, with the reason',
    acme('Order', { state: 'errored', reason: 'rate limited' }),
    'Degraded: rate limited',
  ],
  [
    'challenge: pending, with the reason',
    acme('Challenge', { state: 'pending', reason: 'waiting for DNS' }),
    'Progressing: waiting for DNS',
  ],
  ['challenge: expired', acme('Challenge', { state: 'expired' }), 'Degraded: Challenge is expired'],
  [
    'challenge: empty state',
    acme('Challenge', { state: '' }),
    'Progressing: Waiting for challenge',
  ],
  ['bundle: synced', bundle(c('Synced', 'True')), 'Healthy: Bundle is synced'],
  [
    'bundle: not synced',
    bundle(c('Synced', 'False', { reason: 'SourceNotFound' })),
    'Degraded: SourceNotFound',
  ],
  ['bundle: nothing yet', bundle(), 'Progressing: Waiting for Bundle to be synced'],
];

describe('Argo, Prometheus Operator and cert-manager ACME health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
