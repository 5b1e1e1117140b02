/** kafka.strimzi.io: Kafka, KafkaTopic, KafkaUser, KafkaConnect, KafkaConnector, KafkaBridge. */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is } from './conditions.ts';
import { verdict, type Check, type Verdict } from './lua.ts';

/**
 * The first NotReady=True (Degraded, with its message) or Ready=True (Healthy, no message)
 * decides. A Kafka cluster still Creating is not Degraded.
 */
function strimziHealth(obj: KubeObject, waiting: string, creatingIsFine: boolean): Verdict {
  for (const c of conditionsIfAny(obj) ?? []) {
    if (is(c, 'NotReady', 'True') && !(creatingIsFine && field(c, 'reason') === 'Creating'))
      return verdict('Degraded', field(c, 'message'));
    if (is(c, 'Ready', 'True')) return verdict('Healthy', '');
  }
  return verdict('Progressing', waiting);
}

const waitingFor =
  (what: string): Check =>
  (o) =>
    strimziHealth(o, `Waiting for ${what}`, false);

export const strimziChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['kafka.strimzi.io/Kafka', (o) => strimziHealth(o, 'Waiting for Kafka Cluster', true)],
  ['kafka.strimzi.io/KafkaTopic', waitingFor('Kafka Topic')],
  ['kafka.strimzi.io/KafkaUser', waitingFor('Kafka User')],
  ['kafka.strimzi.io/KafkaConnect', waitingFor('Kafka Connect')],
  ['kafka.strimzi.io/KafkaConnector', waitingFor('KafkaConnector')],
  ['kafka.strimzi.io/KafkaBridge', waitingFor('KafkaBridge')],
]);
