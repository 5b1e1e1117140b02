import {
  ApplicationConditionType,
  type Application,
  type ApplicationDestination,
  type AppProject,
} from '@gitward/model';
import { normalizeRepoUrl } from '../repo-creds.ts';
import { globMatch, permittedBy } from './glob.ts';

/** The in-cluster destination: the cluster gitward itself talks to. */
export const inClusterServer = 'https://kubernetes.default.svc';
export const inClusterName = 'in-cluster';

export interface SpecProblem {
  readonly type: typeof ApplicationConditionType.InvalidSpecError;
  readonly message: string;
}

const invalid = (message: string): SpecProblem => ({
  type: ApplicationConditionType.InvalidSpecError,
  message,
});

/** A glob, or with a leading `!` a glob the value must not match (Argo CD's deny patterns). */
const matchOrDeny = (pattern: string, value: string) =>
  pattern.startsWith('!') ? !globMatch(pattern.slice(1), value) : globMatch(pattern, value);

/**
 * Argo CD's destination rule: some project destination must match (server or name, and
 * namespace), and an entry with a `!` pattern that the destination fails denies it outright, e.g.
 * `{server: '*', namespace: '!kube-system'}` keeps every app out of kube-system.
 */
export function destinationPermitted(
  project: AppProject,
  d: { server: string | undefined; name: string | undefined; namespace: string },
): boolean {
  let matched = false;
  for (const pd of project.spec.destinations ?? []) {
    const serverOk =
      pd.server !== undefined && d.server !== undefined && matchOrDeny(pd.server, d.server);
    const nameOk = pd.name !== undefined && d.name !== undefined && matchOrDeny(pd.name, d.name);
    const nsOk = matchOrDeny(pd.namespace ?? '*', d.namespace);
    if ((serverOk || nameOk) && nsOk) {
      matched = true;
      continue;
    }
    const denies = (p: string | undefined, ok: boolean) => p?.startsWith('!') === true && !ok;
    if (denies(pd.server, serverOk) || denies(pd.name, nameOk) || denies(pd.namespace, nsOk))
      return false;
  }
  return matched;
}

/**
 * permitOnlyProjectScopedClusters: the destination must also be a cluster scoped to this project
 * (Argo CD's IsDestinationPermitted); the message is the same as for a mismatch.
 */
function scopedEnough(project: AppProject, cluster: KnownCluster | undefined): boolean {
  return (
    !project.spec.permitOnlyProjectScopedClusters || cluster?.project === project.metadata.name
  );
}

function destinationProblems(
  app: Application,
  project: AppProject,
  clusters: readonly KnownCluster[],
): SpecProblem[] {
  const d: ApplicationDestination = app.spec.destination;
  if (d.server && d.name)
    return [invalid("application destination can't have both name and server defined")];
  // As Argo CD: a destination given by name is checked against the project by its server too,
  // and one given by server by its registered name.
  const known = d.server
    ? clusters.find((c) => c.server === d.server)
    : clusters.find((c) => c.name === d.name);
  const server =
    d.server ?? known?.server ?? (d.name === inClusterName ? inClusterServer : undefined);
  const name = d.name ?? known?.name;
  const ns = d.namespace ?? '';
  const allowed =
    scopedEnough(project, known) && destinationPermitted(project, { server, name, namespace: ns });
  if (allowed) return [];
  const where = d.server ? `server '${d.server}'` : `name '${d.name ?? ''}'`;
  return [
    invalid(
      `application destination ${where} and namespace '${ns}' do not match any of the allowed destinations in project '${project.metadata.name}'`,
    ),
  ];
}

const multipleSourcesMessage = 'spec.sources (multiple sources) is not supported yet';

function sourceProblems(app: Application, project: AppProject): SpecProblem[] {
  const sources = app.spec.sources ?? (app.spec.source ? [app.spec.source] : []);
  if (sources.length === 0)
    return [invalid('application has no source: set spec.source or spec.sources')];
  // Rendering only the first source would leave out the objects of the others, and a sync would
  // prune them: refused until multiple sources are rendered.
  if (sources.length > 1) return [invalid(multipleSourcesMessage)];
  const repos = project.spec.sourceRepos ?? [];
  return sources
    .filter(
      (s) =>
        !permittedBy(repos, s.repoURL) &&
        !permittedBy(repos.map(normalizeRepoUrl), normalizeRepoUrl(s.repoURL)),
    )
    .map((s) =>
      invalid(
        `application repo ${s.repoURL} is not permitted in project '${project.metadata.name}'`,
      ),
    );
}

/** A destination cluster gitward can deploy to. */
export interface KnownCluster {
  readonly server: string;
  readonly name: string;
  /** The project the cluster is scoped to (the cluster Secret's `project`), if any. */
  readonly project?: string;
}

/** Only the cluster gitward runs against (no cluster Secrets registered). */
export const inClusterOnly: readonly KnownCluster[] = [
  { server: inClusterServer, name: inClusterName },
];

/**
 * A destination must be a cluster gitward knows (Argo CD: "cluster ... has not been configured"),
 * so an app aimed at another cluster is refused instead of landing on this one.
 */
function clusterProblems(app: Application, clusters: readonly KnownCluster[]): SpecProblem[] {
  const d = app.spec.destination;
  const known = clusters.some((c) =>
    d.server !== undefined ? c.server === d.server : c.name === d.name,
  );
  if (known) return [];
  const what = d.server !== undefined ? `server ${d.server}` : `name ${d.name ?? ''}`;
  return [
    invalid(
      `application destination ${what} is not a configured cluster: register it with gitward cluster add (known: ${clusters.map((c) => c.name).join(', ')})`,
    ),
  ];
}

/**
 * What makes an Application's spec unusable, as InvalidSpecError conditions (Argo CD's wording):
 * a missing project, no source, a repository or destination the project does not permit.
 * Empty means valid.
 */
export function validateApplication(
  app: Application,
  projects: readonly AppProject[],
  clusters?: readonly KnownCluster[],
): SpecProblem[] {
  const project = projects.find((p) => p.metadata.name === app.spec.project);
  if (!project)
    return [invalid(`Application referencing project ${app.spec.project} which does not exist`)];
  return [
    ...sourceProblems(app, project),
    ...destinationProblems(app, project, clusters ?? inClusterOnly),
    ...(clusters ? clusterProblems(app, clusters) : []),
  ];
}
