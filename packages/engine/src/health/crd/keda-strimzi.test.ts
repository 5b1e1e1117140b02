import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const c = (type: string, status: string, message?: string, reason?: string) => ({
  type,
  status,
  ...(message ? { message } : {}),
  ...(reason ? { reason } : {}),
});
const so = (...list: ReturnType<typeof c>[]) =>
  object('keda.sh/v1alpha1', 'ScaledObject', { status: conditions(...list) });
const sj = (...list: ReturnType<typeof c>[]) =>
  object('keda.sh/v1alpha1', 'ScaledJob', { status: conditions(...list) });
const kafka = (kind: string, ...list: ReturnType<typeof c>[]) =>
  object('kafka.strimzi.io/v1beta2', kind, list.length ? { status: conditions(...list) } : {});

const cases: [string, ReturnType<typeof object>, string][] = [
  [
    'scaled object: ready',
    so(c('Ready', 'True', 'active'), c('Active', 'True', 'scaling')),
    'Healthy: active',
  ],
  [
    'scaled object: ready and paused',
    so(c('Ready', 'True', 'ok'), c('Paused', 'True', 'paused')),
    'Suspended: paused',
  ],
  [
    'scaled object: fallback',
    so(c('Ready', 'True', 'ok'), c('Fallback', 'True', 'fallback on')),
    'Degraded: fallback on',
  ],
  [
    'scaled object: the last counted message',
    so(c('Ready', 'False', 'bad trigger'), c('Paused', 'True', 'paused')),
    'Degraded: paused',
  ],
  [
    'scaled object: Ready Unknown waits',
    so(c('Ready', 'Unknown', 'x')),
    'Progressing: Creating HorizontalPodAutoscaler Object',
  ],
  [
    'scaled job: Ready Unknown is Degraded',
    sj(c('Ready', 'Unknown', 'no scaler')),
    'Degraded: no scaler',
  ],
  ['scaled job: nothing yet', sj(), 'Progressing: Waiting for ScaledJob'],
  ['kafka: ready', kafka('Kafka', c('Ready', 'True', 'ignored')), 'Healthy'],
  [
    'kafka: still creating',
    kafka('Kafka', c('NotReady', 'True', 'creating', 'Creating')),
    'Progressing: Waiting for Kafka Cluster',
  ],
  [
    'kafka: not ready',
    kafka('Kafka', c('NotReady', 'True', 'broker down', 'Error')),
    'Degraded: broker down',
  ],
  [
    'topic: creating is not ready',
    kafka('KafkaTopic', c('NotReady', 'True', 'creating', 'Creating')),
    'Degraded: creating',
  ],
  ['topic: no status', kafka('KafkaTopic'), 'Progressing: Waiting for Kafka Topic'],
  ['user: no status', kafka('KafkaUser'), 'Progressing: Waiting for Kafka User'],
  ['connect: no status', kafka('KafkaConnect'), 'Progressing: Waiting for Kafka Connect'],
  ['connector: no status', kafka('KafkaConnector'), 'Progressing: Waiting for KafkaConnector'],
  ['bridge: ready', kafka('KafkaBridge', c('Ready', 'True')), 'Healthy'],
];

describe('KEDA and Strimzi health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
