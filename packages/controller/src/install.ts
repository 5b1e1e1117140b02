import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '@gitward/infra';
import { ErrorCode, GitwardError, installManifests, type ApiGroup } from '@gitward/model';
import { applyPatch } from './kube-paths.ts';

const installManager = 'gitward-install';

async function apply(kube: KubeClient, path: string, obj: unknown): Promise<void> {
  const res = await kube.request('PATCH', path, {
    body: obj,
    contentType: applyPatch,
    query: { fieldManager: installManager, force: 'true' },
  });
  if (res.status >= 300) {
    throw new GitwardError(
      ErrorCode.KubeRequestFailed,
      `installing ${path} failed (HTTP ${res.status}): ${JSON.stringify(res.body).slice(0, 300)}`,
    );
  }
}

/**
 * Makes sure the CRDs, the control namespace and the `default` AppProject exist (server-side
 * apply, so a rerun is a no-op and Argo CD's own CRDs are left as they are in argoproj.io mode).
 */
export async function ensureInstalled(
  kube: KubeClient,
  group: ApiGroup,
  namespace: string,
): Promise<void> {
  const objects = installManifests(group, namespace) as {
    kind: string;
    metadata: { name: string };
  }[];
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    const path = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`;
    const existing = await kube.request('GET', path);
    if (existing.status === 404) await apply(kube, path, crd);
  }
  for (const crd of objects.filter((o) => o.kind === 'CustomResourceDefinition')) {
    await waitEstablished(kube, crd.metadata.name);
  }
  await apply(
    kube,
    `/api/v1/namespaces/${namespace}`,
    objects.find((o) => o.kind === 'Namespace'),
  );
  const projectPath = `/apis/${group}/v1alpha1/namespaces/${namespace}/appprojects/default`;
  if ((await kube.request('GET', projectPath)).status === 404) {
    await apply(
      kube,
      projectPath,
      objects.find((o) => o.kind === 'AppProject'),
    );
  }
}

async function waitEstablished(kube: KubeClient, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const res = await kube.request<{
      status?: { conditions?: { type: string; status: string }[] };
    }>('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
    if (res.body.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
      return;
    await sleep(100);
  }
  throw new GitwardError(ErrorCode.Timeout, `CRD ${name} was not established after 10s`);
}
