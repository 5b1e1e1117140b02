/** Knative: serving.knative.dev Service, operator.knative.dev KnativeServing and KnativeEventing. */
import type { KubeObject } from '@gitward/model';
import { field } from './conditions.ts';
import { concat, get, pairs, verdict, type Check, type Verdict } from './lua.ts';

const serviceReady: ReadonlySet<unknown> = new Set(['ConfigurationsReady', 'RoutesReady', 'Ready']);

/** `Type is Status, since Reason. Message`, as the script writes a condition that is not True. */
function describe(c: unknown, state: string): string {
  let line = concat(field(c, 'type'), ' is ', state);
  const reason = field(c, 'reason');
  if (reason !== undefined && reason !== '') line = concat(line, ', since ', reason, '.');
  const text = field(c, 'message');
  if (text !== undefined && text !== '') line = concat(line, ' ', text);
  return line;
}

/**
 * Healthy with its three readiness conditions True and none False or Unknown; any False is
 * Degraded, else Progressing. The message lists each False or Unknown condition, one a line.
 */
export function knativeServiceHealth(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  const conditions = status === undefined ? undefined : get(status, 'conditions');
  if (conditions === undefined) return verdict('Progressing', 'Waiting for status update.');
  let ready = 0;
  let failed = 0;
  let unknown = 0;
  let message = '';
  for (const [, c] of pairs(conditions)) {
    const state = field(c, 'status');
    if (state === 'True' && serviceReady.has(field(c, 'type'))) {
      ready += 1;
    } else if (state === 'False' || state === 'Unknown') {
      message = concat(message, describe(c, state), '\n');
      if (state === 'False') failed += 1;
      else unknown += 1;
    }
  }
  if (ready === 3 && failed === 0 && unknown === 0)
    return verdict('Healthy', 'Knative Service is healthy.');
  return verdict(failed > 0 ? 'Degraded' : 'Progressing', message);
}

interface OperatorKind {
  readonly name: string;
  /** Condition types whose True counts, and how many make Healthy. */
  readonly succeeding: ReadonlySet<unknown>;
  /** Condition types whose False means still working (Progressing). */
  readonly pendingWhenFalse: ReadonlySet<unknown>;
}

/**
 * Any pending condition (one listed as such False, or any Unknown) is Progressing; all the
 * succeeding ones True is Healthy; anything else Degraded. The message lists the conditions.
 */
function knativeOperatorHealth(obj: KubeObject, kind: OperatorKind): Verdict {
  const status = get(obj, 'status');
  const conditions = status === undefined ? undefined : get(status, 'conditions');
  if (conditions === undefined) return verdict('Progressing', `Waiting for ${kind.name}`);
  let succeeded = 0;
  let pending = 0;
  let message = '';
  for (const [i, c] of pairs(conditions)) {
    const type = field(c, 'type');
    const state = field(c, 'status');
    message = concat(message, i, ': ', type, ' | ', state, '\n');
    if (state === 'True' && kind.succeeding.has(type)) succeeded += 1;
    else if (state === 'False' && kind.pendingWhenFalse.has(type)) pending += 1;
    else if (state === 'Unknown') pending += 1;
  }
  if (pending > 0) return verdict('Progressing', message);
  if (succeeded === kind.succeeding.size) return verdict('Healthy', `${kind.name} is healthy.`);
  return verdict('Degraded', message);
}

const serving: OperatorKind = {
  name: 'KnativeServing',
  succeeding: new Set([
    'Ready',
    'InstallSucceeded',
    'DependenciesInstalled',
    'DeploymentsAvailable',
  ]),
  pendingWhenFalse: new Set(['Ready', 'DeploymentsAvailable']),
};
const eventing: OperatorKind = {
  name: 'KnativeEventing',
  succeeding: new Set(['Ready', 'InstallSucceeded']),
  pendingWhenFalse: new Set(['Ready']),
};

export const knativeChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['serving.knative.dev/Service', knativeServiceHealth],
  ['operator.knative.dev/KnativeServing', (o) => knativeOperatorHealth(o, serving)],
  ['operator.knative.dev/KnativeEventing', (o) => knativeOperatorHealth(o, eventing)],
]);
