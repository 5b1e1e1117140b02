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

function destinationProblems(app: Application, project: AppProject): SpecProblem[] {
  const d: ApplicationDestination = app.spec.destination;
  if (d.server && d.name)
    return [invalid("application destination can't have both name and server defined")];
  const server = d.server ?? (d.name === inClusterName ? inClusterServer : undefined);
  const ns = d.namespace ?? '';
  const allowed = (project.spec.destinations ?? []).some((pd) => {
    const serverOk =
      pd.server !== undefined && server !== undefined && globMatch(pd.server, server);
    const nameOk = pd.name !== undefined && d.name !== undefined && globMatch(pd.name, d.name);
    return (serverOk || nameOk) && globMatch(pd.namespace ?? '*', ns);
  });
  if (allowed) return [];
  const where = d.server ? `server '${d.server}'` : `name '${d.name ?? ''}'`;
  return [
    invalid(
      `application destination ${where} and namespace '${ns}' do not match any of the allowed destinations in project '${project.metadata.name}'`,
    ),
  ];
}

function sourceProblems(app: Application, project: AppProject): SpecProblem[] {
  const sources = app.spec.sources ?? (app.spec.source ? [app.spec.source] : []);
  if (sources.length === 0)
    return [invalid('application has no source: set spec.source or spec.sources')];
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

/**
 * What makes an Application's spec unusable, as InvalidSpecError conditions (Argo CD's wording):
 * a missing project, no source, a repository or destination the project does not permit.
 * Empty means valid.
 */
export function validateApplication(
  app: Application,
  projects: readonly AppProject[],
): SpecProblem[] {
  const project = projects.find((p) => p.metadata.name === app.spec.project);
  if (!project)
    return [invalid(`Application referencing project ${app.spec.project} which does not exist`)];
  return [...sourceProblems(app, project), ...destinationProblems(app, project)];
}
