/** keda.sh: ScaledObject and ScaledJob. */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is } from './conditions.ts';
import { verdict, type Check, type Verdict } from './lua.ts';

interface KedaKind {
  /** A condition that makes the object Degraded besides Ready=False. */
  readonly degrades: (condition: unknown) => boolean;
  readonly waiting: string;
}

/**
 * Every condition is read; the message is that of the last one that counted. Degraded wins, then
 * Ready=True is Healthy, or Suspended while Paused=True.
 */
function kedaHealth(obj: KubeObject, kind: KedaKind): Verdict {
  let healthy = false;
  let degraded = false;
  let suspended = false;
  let message: unknown;
  for (const c of conditionsIfAny(obj) ?? []) {
    if (is(c, 'Ready', 'False') || kind.degrades(c)) {
      message = field(c, 'message');
      degraded = true;
    }
    if (is(c, 'Ready', 'True')) {
      message = field(c, 'message');
      healthy = true;
    }
    if (is(c, 'Paused', 'True')) {
      message = field(c, 'message');
      suspended = true;
    }
  }
  if (degraded) return verdict('Degraded', message);
  if (healthy) return verdict(suspended ? 'Suspended' : 'Healthy', message);
  return verdict('Progressing', kind.waiting);
}

const scaledObject: KedaKind = {
  degrades: (c) => is(c, 'Fallback', 'True'),
  waiting: 'Creating HorizontalPodAutoscaler Object',
};
const scaledJob: KedaKind = {
  degrades: (c) => is(c, 'Ready', 'Unknown'),
  waiting: 'Waiting for ScaledJob',
};

export const kedaChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['keda.sh/ScaledObject', (o) => kedaHealth(o, scaledObject)],
  ['keda.sh/ScaledJob', (o) => kedaHealth(o, scaledJob)],
]);
