import { createHash } from 'node:crypto';
import { withRepoTrust, withoutUrlCredentials } from '@gitward/engine';
import {
  repositoryCreateRequestSchema,
  repositoryRequestSchema,
  repoTypeOf,
  secretTypeLabel,
  type BodyOf,
  type ItemList,
  type RepoCredentials,
  type RepositoryValidateResponse,
  type RepositoryView,
} from '@gitward/model';
import { forbidden, invalid, notFound } from '../http/api-error.ts';
import { checkedBody, ownBody } from '../own.ts';
import type { RouteDef, RouteRequest } from './route.ts';

/**
 * What the API shows of a repository: never a credential, only whether one is set; a URL that
 * embeds one (`https://user:token@host/x`) is shown without it.
 */
function publicRepo(data: Record<string, string>): RepositoryView {
  return {
    repo: withoutUrlCredentials(data['url'] ?? ''),
    type: data['type'] ?? 'git',
    ...(data['name'] ? { name: data['name'] } : {}),
    ...(data['project'] ? { project: data['project'] } : {}),
    ...(data['username'] ? { username: data['username'] } : {}),
    hasCredentials: ['password', 'sshPrivateKey', 'bearerToken', 'tlsClientCertKey'].some((k) =>
      Boolean(data[k]),
    ),
    insecure: data['insecure'] === 'true',
    ...ociFlagsView(data),
  };
}

/** The OCI settings of a repository or template Secret, as the API shows them (Argo CD's names). */
export const ociFlagsView = (data: Readonly<Record<string, string>>) => ({
  ...(data['enableOCI'] === 'true' ? { enableOCI: true } : {}),
  ...(data['insecureOCIForceHttp'] === 'true' ? { insecureOCIForceHttp: true } : {}),
});

/** The Secret keys of a body's OCI settings (`"true"` strings, as Argo CD writes them). */
export function ociFlagsData(b: {
  readonly enableOCI?: boolean | undefined;
  readonly insecureOCIForceHttp?: boolean | undefined;
}): Record<string, string> {
  return {
    ...(b.enableOCI ? { enableOCI: 'true' } : {}),
    ...(b.insecureOCIForceHttp ? { insecureOCIForceHttp: 'true' } : {}),
  };
}

/** `<project>/<url>` for project-scoped repositories, the URL otherwise (Argo CD's objects). */
const repoObject = (data: { project?: string; url: string }) =>
  data.project ? `${data.project}/${data.url}` : data.url;

/** Argo CD names repository Secrets after a hash of the URL; so do we, so upserts find them. */
const secretName = (url: string) =>
  `repo-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`;

async function findRepo(r: RouteRequest, url: string) {
  const all = await r.ctx.store.secretsOfType('repository');
  return all.find((s) => s.data['url'] === url);
}

async function listRepos(r: RouteRequest): Promise<ItemList<RepositoryView>> {
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const items = (await r.ctx.store.secretsOfType('repository'))
    .filter((s) =>
      rbac.enforce(
        r.principal.subject,
        'repositories',
        'get',
        repoObject({
          url: s.data['url'] ?? '',
          ...(s.data['project'] ? { project: s.data['project'] } : {}),
        }),
      ),
    )
    .map((s) => publicRepo(s.data));
  return { items };
}

async function getRepo(r: RouteRequest) {
  const url = r.params['repo'] ?? '';
  const found = await findRepo(r, url);
  if (!found) throw notFound(`repository ${withoutUrlCredentials(url)} not found`);
  return publicRepo(found.data);
}

type RepoBody = BodyOf<typeof repositoryRequestSchema>;

/** The repository Secret's data for a body: string fields as given, no empty keys. */
function repoSecretData(b: RepoBody & { repo: string }): Record<string, string> {
  const data: Record<string, string> = { url: b.repo, type: repoTypeOf(b.type) };
  for (const k of [
    'name',
    'project',
    'username',
    'password',
    'sshPrivateKey',
    'bearerToken',
  ] as const) {
    const v = b[k];
    if (v) data[k] = v;
  }
  if (b.insecure) data['insecure'] = 'true';
  return { ...data, ...ociFlagsData(b) };
}

async function createRepo(r: RouteRequest) {
  const b = checkedBody(repositoryCreateRequestSchema, await r.json());
  const existing = await findRepo(r, b.repo);
  if (existing && r.query('upsert') !== 'true')
    throw invalid(
      `repository ${withoutUrlCredentials(b.repo)} already exists; use upsert to replace it`,
    );
  if (existing) await mayReplace(r, existing.data);
  const problem = await connectionProblem(r, b);
  if (problem) throw invalid(`repository not accessible: ${redactUrl(problem, b.repo)}`);
  const data = repoSecretData(b);
  await r.ctx.store.writeSecret(existing?.name ?? secretName(b.repo), data, {
    [secretTypeLabel(r.ctx.store.group)]: 'repository',
  });
  return publicRepo(data);
}

/**
 * An upsert replaces the repository that exists, so the caller must be allowed to update THAT
 * one, under the project it belongs to now: the route's check saw only the body's project, and
 * a body naming the caller's own project must not take over (and re-scope) another team's
 * repository and its credentials.
 */
async function mayReplace(r: RouteRequest, existing: Record<string, string>): Promise<void> {
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const object = repoObject({
    url: existing['url'] ?? '',
    ...(existing['project'] ? { project: existing['project'] } : {}),
  });
  if (!rbac.enforce(r.principal.subject, 'repositories', 'update', object))
    throw forbidden(`permission denied: repositories, update, ${withoutUrlCredentials(object)}`);
}

/** A message that may quote the URL (git's errors do), with the URL's credentials removed. */
const redactUrl = (message: string, url: string) =>
  message.split(url).join(withoutUrlCredentials(url));

const credsOf = (b: RepoBody): RepoCredentials => ({
  ...(b.username ? { username: b.username } : {}),
  ...(b.password ? { password: b.password } : {}),
  ...(b.sshPrivateKey ? { sshPrivateKey: b.sshPrivateKey } : {}),
  ...(b.bearerToken ? { bearerToken: b.bearerToken } : {}),
  ...(b.insecure ? { insecure: true } : {}),
  ...(b.enableOCI ? { enableOCI: true } : {}),
  ...(b.insecureOCIForceHttp ? { insecureOCIForceHttp: true } : {}),
});

/**
 * As `argocd repo add`: a git repository is tried with its credentials before it is saved, so a
 * typo or a wrong token is an error now, not a ComparisonError later; so is the login of a Helm
 * OCI registry (`enableOCI` or `oci://`; without a login there is nothing to test, as in Argo
 * CD). Classic Helm repositories are saved unchecked.
 */
async function connectionProblem(r: RouteRequest, b: RepoBody): Promise<string | undefined> {
  const type = repoTypeOf(b.type);
  const oci = type === 'helm' && (b.enableOCI === true || /^oci:\/\//i.test(b.repo ?? ''));
  if ((type !== 'git' && !oci) || !r.ctx.checkRepo || !b.repo) return undefined;
  // The body's credentials, with the ConfigMaps' known hosts or CAs for the URL, as a fetch
  // would get them once the repository is saved.
  const trust = await r.ctx.repoTrust?.();
  const out = await r.ctx.checkRepo(b.repo, withRepoTrust(credsOf(b), b.repo, trust) ?? {});
  return out.ok ? undefined : out.message;
}

/** `POST /repositories/:repo/validate`: the connection test alone (credentials in the body). */
async function validateRepo(r: RouteRequest): Promise<RepositoryValidateResponse> {
  const b = {
    ...checkedBody(repositoryRequestSchema, await r.json()),
    repo: r.params['repo'] ?? '',
  };
  const problem = await connectionProblem(r, b);
  return {
    connectionState: problem
      ? { status: 'Failed', message: redactUrl(problem, b.repo) }
      : { status: 'Successful', message: '' },
  };
}

async function deleteRepo(r: RouteRequest) {
  const url = r.params['repo'] ?? '';
  const found = await findRepo(r, url);
  if (!found) throw notFound(`repository ${withoutUrlCredentials(url)} not found`);
  await r.ctx.store.deleteSecret(found.name);
  return {};
}

const repoAccess = (action: 'get' | 'create' | 'delete') =>
  ({
    kind: 'rbac',
    resource: 'repositories',
    action,
    object: async (r: RouteRequest) => {
      if (action === 'create') {
        // Before validation (a malformed body is a 400 in the handler): own strings only.
        const b = ownBody(await r.json());
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const url = text(b['repo']) ?? r.params['repo'] ?? '';
        const project = text(b['project']);
        return repoObject({ url, ...(project ? { project } : {}) });
      }
      const url = r.params['repo'] ?? '';
      const found = await findRepo(r, url);
      return repoObject({
        url,
        ...(found?.data['project'] ? { project: found.data['project'] } : {}),
      });
    },
  }) as const;

export const repositoryRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/v1/repositories',
    summary: 'List repositories',
    access: { kind: 'authenticated' },
    handle: listRepos,
  },
  {
    method: 'POST',
    path: '/api/v1/repositories',
    summary: 'Add a repository (?upsert=true)',
    access: repoAccess('create'),
    handle: createRepo,
  },
  {
    method: 'GET',
    path: '/api/v1/repositories/:repo',
    summary: 'Get a repository (URL-encoded)',
    access: repoAccess('get'),
    handle: getRepo,
  },
  {
    method: 'DELETE',
    path: '/api/v1/repositories/:repo',
    summary: 'Remove a repository',
    access: repoAccess('delete'),
    handle: deleteRepo,
  },
  {
    method: 'POST',
    path: '/api/v1/repositories/:repo/validate',
    summary: 'Test the connection to a repository (credentials in the body)',
    access: repoAccess('create'),
    handle: validateRepo,
  },
];
