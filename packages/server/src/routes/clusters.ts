/**
 * `/api/v1/clusters`: destination clusters as Argo CD registers them, one Secret each in the
 * control namespace (labelled secret-type=cluster). The in-cluster destination is always listed
 * and can be neither added nor removed. Answers never carry a credential; the RBAC object is the
 * server URL (`<project>/<server>` for a project-scoped cluster).
 */
import { clusterSecretData } from '@gitward/engine';
import {
  clusterCreateRequestSchema,
  clusterUpdateRequestSchema,
  secretTypeLabel,
  type ClusterView,
  type ItemList,
} from '@gitward/model';
import {
  applyClusterChanges,
  checkClusterBody,
  clusterObject,
  clusterSecretName,
  findCluster,
  publicCluster,
  registeredCluster,
  sameCluster,
} from '../cluster/cluster-api.ts';
import { createServiceAccountToken, deleteTokenSecret, tokenSecretRef } from '@gitward/infra';
import { errorMessage } from '@gitward/model';
import {
  destinationKube,
  forgetDestination,
  inClusterSpec,
  isInCluster,
  registeredClusters,
  withoutClusterPrefix,
} from '../cluster/destinations.ts';
import { conflict, forbidden, invalid, notFound, precondition } from '../http/api-error.ts';
import { checkedBody, ownBody } from '../own.ts';
import type { RouteDef, RouteRequest } from './route.ts';

const serverParam = (r: RouteRequest) => r.params['server'] ?? '';

async function listClusters(r: RouteRequest): Promise<ItemList<ClusterView>> {
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const registered = (await registeredClusters(r.ctx)).filter(
    (c) => !isInCluster(c.data['server'] ?? ''),
  );
  const items = [publicCluster(inClusterSpec), ...registered.map(registeredCluster)].filter((c) =>
    rbac.enforce(
      r.principal.subject,
      'clusters',
      'get',
      clusterObject({ server: c.server, ...(c.project ? { project: c.project } : {}) }),
    ),
  );
  return { items };
}

async function getCluster(r: RouteRequest): Promise<ClusterView> {
  const want = serverParam(r);
  if (isInCluster(want)) return publicCluster(inClusterSpec);
  const found = findCluster(await registeredClusters(r.ctx), want);
  if (!found) throw notFound(`cluster ${want} not found`);
  return registeredCluster(found);
}

/**
 * As `argocd cluster add`: the cluster is tried with its credentials first, so a wrong token or
 * CA is an error now rather than a failed sync later; re-adding the same content is a no-op, a
 * different one needs ?upsert=true.
 */
async function createCluster(r: RouteRequest): Promise<ClusterView> {
  const checked = checkClusterBody(checkedBody(clusterCreateRequestSchema, await r.json()));
  if (!checked.ok) throw invalid(checked.reason);
  const { cluster, data } = checked;
  const registered = await registeredClusters(r.ctx);
  const existing = findCluster(registered, cluster.server);
  if (existing && !sameCluster(existing, cluster) && r.query('upsert') !== 'true')
    throw conflict(
      `cluster ${cluster.server} already exists with a different configuration; use upsert to replace it`,
    );
  const namesake = findCluster(registered, cluster.name);
  if (namesake && namesake !== existing)
    throw conflict(`a cluster named ${cluster.name} already exists (${namesake.data['server']})`);
  if (r.ctx.checkCluster) {
    const out = await r.ctx.checkCluster(cluster);
    if (!out.ok)
      throw precondition(
        `cannot connect to cluster ${cluster.server}: ${withoutClusterPrefix(out.message, cluster.server)}`,
      );
  }
  // A merge write: keys the new content drops (namespaces, project) are removed explicitly.
  await r.ctx.store.writeSecret(
    existing?.secretName ?? clusterSecretName(cluster.server),
    { namespaces: null, project: null, ...data },
    { [secretTypeLabel(r.ctx.store.group)]: 'cluster' },
  );
  return publicCluster(cluster);
}

async function deleteCluster(r: RouteRequest) {
  const want = serverParam(r);
  if (isInCluster(want))
    throw invalid(`${inClusterSpec.server} (${inClusterSpec.name}) cannot be removed`);
  const found = findCluster(await registeredClusters(r.ctx), want);
  if (!found) throw notFound(`cluster ${want} not found`);
  await r.ctx.store.deleteSecret(found.secretName);
  if (found.parsed.ok) forgetDestination(r.ctx, found.parsed.cluster.server);
  return {};
}

/**
 * As `argocd cluster set`: renames a registered cluster, or changes the namespaces it may deploy
 * to or the project it belongs to. The credentials stay as stored. Moving it to another project
 * needs `clusters, update` on the new object too, so no one can hand a cluster to a project they
 * do not administer.
 */
async function updateCluster(r: RouteRequest): Promise<ClusterView> {
  const want = serverParam(r);
  if (isInCluster(want))
    throw invalid(`${inClusterSpec.server} (${inClusterSpec.name}) cannot be changed`);
  const changes = checkedBody(clusterUpdateRequestSchema, await r.json());
  const registered = await registeredClusters(r.ctx);
  const found = findCluster(registered, want);
  if (!found) throw notFound(`cluster ${want} not found`);
  if (!found.parsed.ok) throw invalid(found.parsed.reason);
  const updated = applyClusterChanges(found.parsed.cluster, changes);
  const namesake = findCluster(registered, updated.name);
  if (updated.name !== found.parsed.cluster.name && namesake && namesake !== found)
    throw conflict(`a cluster named ${updated.name} already exists (${namesake.data['server']})`);
  if (isInCluster(updated.name))
    throw invalid(`${inClusterSpec.name} is the in-cluster destination's name`);
  if (updated.project !== found.parsed.cluster.project) {
    const rbac = await r.ctx.rbac(await r.ctx.settings.get());
    const object = clusterObject(updated);
    if (!rbac.enforce(r.principal.subject, 'clusters', 'update', object))
      throw forbidden(`permission denied: clusters, update, ${object}`);
  }
  await r.ctx.store.writeSecret(found.secretName, {
    namespaces: null,
    project: null,
    ...clusterSecretData(updated),
  });
  forgetDestination(r.ctx, updated.server);
  return publicCluster(updated);
}

/**
 * As `argocd cluster rotate-auth`: a new long-lived token for the service account the cluster's
 * token belongs to, made in that cluster with the stored credentials; the cluster Secret then
 * holds the new token, and the old token's Secret is deleted, which revokes the old token. Only
 * a service-account token Secret's token can be rotated (its claims name the Secret).
 */
async function rotateAuth(r: RouteRequest): Promise<ClusterView> {
  const want = serverParam(r);
  if (isInCluster(want))
    throw invalid(`${inClusterSpec.server} uses the server's own credentials; nothing to rotate`);
  const found = findCluster(await registeredClusters(r.ctx), want);
  if (!found) throw notFound(`cluster ${want} not found`);
  if (!found.parsed.ok) throw invalid(found.parsed.reason);
  const cluster = found.parsed.cluster;
  const old = cluster.config.bearerToken ? tokenSecretRef(cluster.config.bearerToken) : undefined;
  if (!old)
    throw invalid(
      `cluster ${cluster.server} has no service-account token Secret's token to rotate (only tokens "gitward cluster add" registered can be)`,
    );
  const dest = await destinationKube(r.ctx, { server: cluster.server });
  if (!dest.ok) throw dest.error;
  let fresh: Awaited<ReturnType<typeof createServiceAccountToken>>;
  try {
    fresh = await createServiceAccountToken(dest.kube, old.namespace, old.serviceAccount);
  } catch (err) {
    throw precondition(
      `cluster ${cluster.server}: ${withoutClusterPrefix(errorMessage(err), cluster.server)}`,
    );
  }
  const rotated = { ...cluster, config: { ...cluster.config, bearerToken: fresh.token } };
  await r.ctx.store.writeSecret(found.secretName, clusterSecretData(rotated));
  forgetDestination(r.ctx, cluster.server);
  // After the new token is stored: deleting first would leave the cluster unusable on a failure.
  if (old.secretName !== fresh.secretName) {
    const next = await destinationKube(r.ctx, { server: cluster.server });
    await deleteTokenSecret(next.ok ? next.kube : dest.kube, old).catch((err: unknown) => {
      r.ctx.logger.warn(
        {
          cluster: cluster.server,
          secret: `${old.namespace}/${old.secretName}`,
          err: errorMessage(err),
        },
        'rotate-auth: the old token Secret could not be deleted; the old token still works until it is',
      );
    });
  }
  r.ctx.logger.info(
    { cluster: cluster.server, user: r.principal.name },
    'cluster credentials rotated',
  );
  return publicCluster(rotated);
}

/** The RBAC object of the cluster a request names: as registered, or as given when unknown. */
async function namedObject(r: RouteRequest): Promise<string> {
  const want = serverParam(r);
  if (isInCluster(want)) return inClusterSpec.server;
  const found = findCluster(await registeredClusters(r.ctx), want);
  if (!found) return want;
  const project = found.data['project'];
  return clusterObject({ server: found.data['server'] ?? want, ...(project ? { project } : {}) });
}

/** The object a create names: the body's server (and project); a malformed body is 400 later. */
async function bodyObject(r: RouteRequest): Promise<string> {
  const b = ownBody(await r.json()) as { server?: unknown; project?: unknown };
  const server = typeof b?.server === 'string' ? b.server.replace(/\/+$/, '') : '';
  const project = typeof b?.project === 'string' ? b.project : '';
  return clusterObject({ server, ...(project ? { project } : {}) });
}

const clusterAccess = (action: 'get' | 'update' | 'delete') =>
  ({ kind: 'rbac', resource: 'clusters', action, object: namedObject }) as const;

export const clusterRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/api/v1/clusters',
    summary: 'List clusters: in-cluster and the registered ones (credentials never shown)',
    access: { kind: 'authenticated' },
    handle: listClusters,
  },
  {
    method: 'POST',
    path: '/api/v1/clusters',
    summary: 'Register a cluster after a connection test (?upsert=true to replace one)',
    access: { kind: 'rbac', resource: 'clusters', action: 'create', object: bodyObject },
    handle: createCluster,
  },
  {
    method: 'GET',
    path: '/api/v1/clusters/:server',
    summary: 'Get a cluster by server URL (URL-encoded) or name',
    access: clusterAccess('get'),
    handle: getCluster,
  },
  {
    method: 'PUT',
    path: '/api/v1/clusters/:server',
    summary: 'Change a registered cluster: name, namespaces, project (credentials kept)',
    access: clusterAccess('update'),
    handle: updateCluster,
  },
  {
    method: 'POST',
    path: '/api/v1/clusters/:server/rotate-auth',
    summary:
      "Rotate a cluster's service-account token (new token stored, old one's Secret deleted)",
    access: clusterAccess('update'),
    handle: rotateAuth,
  },
  {
    method: 'DELETE',
    path: '/api/v1/clusters/:server',
    summary: 'Remove a registered cluster (by server URL or name)',
    access: clusterAccess('delete'),
    handle: deleteCluster,
  },
];
