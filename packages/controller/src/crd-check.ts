/**
 * Without `--install-crds` the CRDs come with the manifests (the controller needs no cluster-admin
 * right to create them), so at start it only checks they are served at the version it speaks, and
 * names what to apply when not. It asks discovery, which every authenticated identity may read,
 * so a least-privilege ServiceAccount can run the check.
 */
import type { KubeClient } from '@gitward/infra';
import { ErrorCode, GitwardError, type ApiGroup } from '@gitward/model';

/** The version of Application and AppProject this controller reads and writes. */
export const crdVersion = 'v1alpha1';
/** The kinds the controller needs (ApplicationSets are optional). */
export const requiredPlurals = ['applications', 'appprojects'] as const;

const whatToDo =
  'apply the CRDs of this gitward version (deploy/crds) or start with --install-crds';

/**
 * What is wrong with the served API, or undefined when every required kind is served at
 * `crdVersion`. `groupVersions` are the versions /apis/<group> lists (undefined: 404, no such
 * group); `resources` the plurals /apis/<group>/<crdVersion> lists.
 */
export function crdProblem(
  group: ApiGroup,
  groupVersions: readonly string[] | undefined,
  resources: readonly string[],
): string | undefined {
  const missing = (plurals: readonly string[]) => {
    const names = plurals.map((p) => `${p}.${group}`);
    return `CRD${names.length > 1 ? 's' : ''} ${names.join(', ')} not found: ${whatToDo}`;
  };
  if (groupVersions === undefined) return missing(requiredPlurals);
  if (!groupVersions.includes(crdVersion))
    return `CRDs of ${group} serve ${groupVersions.join(', ') || 'no version'}, not ${crdVersion}: ${whatToDo}`;
  const absent = requiredPlurals.filter((p) => !resources.includes(p));
  return absent.length ? missing(absent) : undefined;
}

/** Reads discovery and throws the one-line problem (ErrorCode.NotFound) when there is one. */
export async function checkCrds(kube: Pick<KubeClient, 'request'>, group: ApiGroup): Promise<void> {
  const groupDoc = await kube.request<{ versions?: { version?: unknown }[] }>(
    'GET',
    `/apis/${group}`,
  );
  let versions: string[] | undefined;
  let resources: string[] = [];
  if (groupDoc.status === 200) {
    versions = (groupDoc.body.versions ?? []).flatMap((v) =>
      typeof v.version === 'string' ? [v.version] : [],
    );
    if (versions.includes(crdVersion)) resources = await servedPlurals(kube, group);
  } else if (groupDoc.status !== 404) {
    throw new GitwardError(
      ErrorCode.KubeRequestFailed,
      `cannot read the API group ${group} (HTTP ${groupDoc.status}) to check the CRDs`,
    );
  }
  const problem = crdProblem(group, versions, resources);
  if (problem) throw new GitwardError(ErrorCode.NotFound, problem);
}

async function servedPlurals(kube: Pick<KubeClient, 'request'>, group: ApiGroup) {
  const res = await kube.request<{ resources?: { name?: unknown }[] }>(
    'GET',
    `/apis/${group}/${crdVersion}`,
  );
  if (res.status === 404) return [];
  if (res.status !== 200)
    throw new GitwardError(
      ErrorCode.KubeRequestFailed,
      `cannot read ${group}/${crdVersion} (HTTP ${res.status}) to check the CRDs`,
    );
  return (res.body.resources ?? []).flatMap((r) => (typeof r.name === 'string' ? [r.name] : []));
}
