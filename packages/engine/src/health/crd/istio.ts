/** install.istio.io/IstioOperator: by status.status, a number or its name. */
import type { KubeObject } from '@gitward/model';
import { at, get, verdict, type Check, type Verdict } from './lua.ts';

const states: readonly (readonly [number, string, Verdict])[] = [
  [0, 'NONE', verdict('Unknown', 'Component is not present.')],
  [1, 'UPDATING', verdict('Progressing', 'Component is being updated to a different version.')],
  [
    2,
    'RECONCILING',
    verdict(
      'Progressing',
      'Controller has started but not yet completed reconciliation loop for the component.',
    ),
  ],
  [3, 'HEALTHY', verdict('Healthy', 'Component is healthy.')],
  [4, 'ERROR', verdict('Degraded', 'Component is in an error state.')],
];

export function istioOperatorHealth(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  const state = status === undefined ? undefined : at(status, 'status');
  const known = states.find(([n, name]) => state === n || state === name);
  return known?.[2] ?? verdict('Progressing', 'Waiting for Istio Control Plane');
}

export const istioChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['install.istio.io/IstioOperator', istioOperatorHealth],
]);
