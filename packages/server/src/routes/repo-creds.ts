/**
 * `/api/v1/repocreds`: credential templates, as Argo CD's `repo-creds` Secrets. A template serves
 * every repository whose URL starts with its `url` and has no credentials of its own (the
 * longest prefix wins: engine `repoCredentialsFor`, which the controller and the server share).
 * As in Argo CD, the RBAC resource is `repositories` and the object the URL prefix (under
 * `<project>/` when scoped). Answers never carry a credential, only whether one is stored.
 */
import { createHash } from 'node:crypto';
import { withoutUrlCredentials } from '@gitward/engine';
import {
  RepoSecretType,
  repoCredsRequestSchema,
  repoTypeOf,
  secretTypeLabel,
  type BodyOf,
  type ItemList,
  type RepoCredsView,
} from '@gitward/model';
import { forbidden, invalid, notFound } from '../http/api-error.ts';
import { checkedBody, ownBody } from '../own.ts';
import { ociFlagsData, ociFlagsView } from './repositories.ts';
import type { RouteDef, RouteRequest } from './route.ts';

const secretKeys = ['password', 'sshPrivateKey', 'bearerToken'] as const;

/** What the API shows of a template Secret's data. */
export function publicRepoCreds(data: Readonly<Record<string, string>>): RepoCredsView {
  return {
    url: withoutUrlCredentials(data['url'] ?? ''),
    type: data['type'] ?? 'git',
    ...(data['username'] ? { username: data['username'] } : {}),
    ...(data['project'] ? { project: data['project'] } : {}),
    hasCredentials: secretKeys.some((k) => Boolean(data[k])),
    insecure: data['insecure'] === 'true',
    ...ociFlagsView(data),
  };
}

/** `creds-<hash of the URL>`, as Argo CD names the templates it writes. */
const secretName = (url: string) =>
  `creds-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`;

const credsObject = (data: { readonly url: string; readonly project?: string | undefined }) =>
  data.project ? `${data.project}/${data.url}` : data.url;

type CredsBody = BodyOf<typeof repoCredsRequestSchema>;

/** The body checked by its schema (own properties only); a field of the wrong type is a 400. */
export const parseCredsBody = (raw: unknown): CredsBody => checkedBody(repoCredsRequestSchema, raw);

/** The Secret data a template body becomes (no empty keys). */
export function credsSecretData(b: CredsBody): Record<string, string> {
  const data: Record<string, string> = { url: b.url, type: repoTypeOf(b.type) };
  for (const k of ['username', 'project', ...secretKeys] as const) {
    const v = b[k];
    if (v) data[k] = v;
  }
  if (b.insecure) data['insecure'] = 'true';
  return { ...data, ...ociFlagsData(b) };
}

async function findCreds(r: RouteRequest, url: string) {
  const all = await r.ctx.store.secretsOfType(RepoSecretType.RepoCreds);
  return all.find((s) => s.data['url'] === url);
}

async function listCreds(r: RouteRequest): Promise<ItemList<RepoCredsView>> {
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const items = (await r.ctx.store.secretsOfType(RepoSecretType.RepoCreds))
    .filter((s) =>
      rbac.enforce(
        r.principal.subject,
        'repositories',
        'get',
        credsObject({ url: s.data['url'] ?? '', project: s.data['project'] }),
      ),
    )
    .map((s) => publicRepoCreds(s.data));
  return { items };
}

async function createCreds(r: RouteRequest) {
  const b = parseCredsBody(await r.json());
  const url = b.url;
  const existing = await findCreds(r, url);
  if (existing && r.query('upsert') !== 'true')
    throw invalid(
      `repository credentials for ${withoutUrlCredentials(url)} already exist; use upsert to replace them`,
    );
  if (existing) {
    // The route checked the body's project; replacing needs update on the template as it is.
    const rbac = await r.ctx.rbac(await r.ctx.settings.get());
    const object = credsObject({ url, project: existing.data['project'] });
    if (!rbac.enforce(r.principal.subject, 'repositories', 'update', object))
      throw forbidden(`permission denied: repositories, update, ${withoutUrlCredentials(object)}`);
  }
  const data = credsSecretData(b);
  // A replace, not a merge: keys the new template drops must not linger from the old one.
  const cleared = Object.fromEntries(Object.keys(existing?.data ?? {}).map((k) => [k, null]));
  await r.ctx.store.writeSecret(
    existing?.name ?? secretName(url),
    { ...cleared, ...data },
    { [secretTypeLabel(r.ctx.store.group)]: RepoSecretType.RepoCreds },
  );
  return publicRepoCreds(data);
}

async function deleteCreds(r: RouteRequest) {
  const url = r.params['url'] ?? '';
  const found = await findCreds(r, url);
  if (!found) throw notFound(`repository credentials for ${withoutUrlCredentials(url)} not found`);
  await r.ctx.store.deleteSecret(found.name);
  return {};
}

export const repoCredsRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/v1/repocreds',
    summary: 'List credential templates (those the caller may get; credentials never shown)',
    access: { kind: 'authenticated' },
    handle: listCreds,
  },
  {
    method: 'POST',
    path: '/api/v1/repocreds',
    summary: 'Add a credential template for a URL prefix (?upsert=true to replace one)',
    access: {
      kind: 'rbac',
      resource: 'repositories',
      action: 'create',
      object: async (r) => {
        const b = ownBody(await r.json());
        const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
        return credsObject({ url: str(b['url']) ?? '', project: str(b['project']) });
      },
    },
    handle: createCreds,
  },
  {
    method: 'DELETE',
    path: '/api/v1/repocreds/:url',
    summary: 'Remove a credential template (URL-encoded prefix)',
    access: {
      kind: 'rbac',
      resource: 'repositories',
      action: 'delete',
      object: async (r) => {
        const url = r.params['url'] ?? '';
        return credsObject({ url, project: (await findCreds(r, url))?.data['project'] });
      },
    },
    handle: deleteCreds,
  },
];
