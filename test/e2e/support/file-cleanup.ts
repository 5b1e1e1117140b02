/**
 * After each e2e file: remove the Applications it left in the shared control namespace. The next
 * file's controller would otherwise reconcile them all, fetching repositories that are long gone
 * (closed loopback git servers, or the made-up outside URLs the API tests store but never sync),
 * and a file's timing would depend on which files ran before it.
 *
 * Finalizers are dropped first: the controller that would cascade the deletion is already stopped
 * (this afterAll is registered first, so it runs last), and the objects it deployed live in each
 * test's own namespace.
 */
import { afterAll, inject } from 'vitest';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';

const groups = ['gitward.dev', 'argoproj.io'];
const namespace = 'gitward';

afterAll(async () => {
  const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
  for (const group of groups) {
    const path = `/apis/${group}/v1alpha1/namespaces/${namespace}/applications`;
    // 404: the argoproj.io CRDs are only installed by the files that use them.
    const list = await kube.list(path).catch(() => ({ items: [] }));
    await Promise.all(
      list.items.map(async (app) => {
        const one = `${path}/${encodeURIComponent(app.metadata.name ?? '')}`;
        if ((app.metadata as { finalizers?: string[] }).finalizers?.length)
          await kube.request('PATCH', one, { body: { metadata: { finalizers: null } } });
        await kube.request('DELETE', one);
      }),
    );
  }
});
