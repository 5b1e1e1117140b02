/**
 * Flux (toolkit.fluxcd.io): Kustomization, HelmRelease and the sources (GitRepository,
 * HelmRepository, OCIRepository, HelmChart, Bucket). One pattern with per-kind differences: a
 * suspended object is Suspended; otherwise Ready (with Reconciling) decides, and the message is the
 * Ready condition's reason.
 */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is } from './conditions.ts';
import { at, concat, get, verdict, type Check, type Verdict } from './lua.ts';

interface FluxKind {
  /** Conditions that count as success besides Ready=True, and how many successes make Healthy. */
  readonly succeeded: (condition: unknown) => boolean;
  readonly needed: number;
  /** Sources: ArtifactOutdated adds its reason to the message. */
  readonly artifact: boolean;
}

function fluxHealth(obj: KubeObject, kind: FluxKind): Verdict {
  if (at(obj, 'spec', 'suspend') === true)
    return verdict('Suspended', concat(get(obj, 'kind'), ' is suspended'));
  const conditions = conditionsIfAny(obj);
  if (conditions === undefined) return verdict('Progressing', 'Status unknown');
  let progressing = 0;
  let succeeded = 0;
  let message: unknown = '';
  for (const c of conditions) {
    const type = field(c, 'type');
    const status = field(c, 'status');
    if (type === 'Ready') {
      if (status === 'True') succeeded += 1;
      else if (status === 'Unknown') progressing += 1;
      message = field(c, 'reason');
    } else if (type === 'Reconciling' && status === 'True') {
      progressing += 1;
    } else if (kind.artifact && is(c, 'ArtifactOutdated', 'True')) {
      message = concat(message, ' ', field(c, 'reason'));
    } else if (kind.succeeded(c)) {
      succeeded += 1;
    }
  }
  if (progressing === 2) return verdict('Progressing', message);
  if (succeeded === kind.needed) return verdict('Healthy', message);
  return verdict('Degraded', message);
}

const kustomization: FluxKind = { succeeded: () => false, needed: 1, artifact: false };
const helmRelease: FluxKind = {
  // Released or TestSuccess: True counts, any other status is passed over.
  succeeded: (c) => is(c, 'Released', 'True') || is(c, 'TestSuccess', 'True'),
  needed: 2,
  artifact: false,
};
const source: FluxKind = {
  succeeded: (c) => is(c, 'ArtifactInStorage', 'True'),
  needed: 2,
  artifact: true,
};

/** A HelmRepository of type oci keeps no status: Healthy once it is not suspended. */
function helmRepositoryHealth(obj: KubeObject): Verdict {
  if (at(obj, 'spec', 'suspend') !== true && at(obj, 'spec', 'type') === 'oci')
    return verdict(
      'Healthy',
      "Helm repositories of type 'oci' do not contain any information in the status.",
    );
  return fluxHealth(obj, source);
}

const sourceCheck: Check = (o) => fluxHealth(o, source);

export const fluxChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['kustomize.toolkit.fluxcd.io/Kustomization', (o) => fluxHealth(o, kustomization)],
  ['helm.toolkit.fluxcd.io/HelmRelease', (o) => fluxHealth(o, helmRelease)],
  ['source.toolkit.fluxcd.io/GitRepository', sourceCheck],
  ['source.toolkit.fluxcd.io/OCIRepository', sourceCheck],
  ['source.toolkit.fluxcd.io/HelmChart', sourceCheck],
  ['source.toolkit.fluxcd.io/Bucket', sourceCheck],
  ['source.toolkit.fluxcd.io/HelmRepository', helmRepositoryHealth],
]);
