/**
 * What one status write costs the apiserver, the write every refresh makes: merge patches of an
 * Application's status against merge patches of a ConfigMap holding the same JSON (same bytes, no
 * schema), on one fresh control plane, a fixed number in flight, interleaved run by run.
 */
import { createKubeClient, loadKubeconfig, type KubeClient, type KubeMethod } from '@gitward/infra';
import { ensureInstalled } from '@gitward/controller';
import { ApiGroup } from '@gitward/model';
import { formatWhole, spread, type Spread } from './stats.ts';
import { withCluster } from './sync-throughput.ts';

export interface WriteFigures {
  /** Size of the stored Application, managed fields included. */
  readonly appBytes: number;
  /** Writes per second. */
  readonly app: Spread;
  readonly configMap: Spread;
}

const objects = 50;
const writesPerRun = 500;
const inFlight = 10;
const ns = 'gitward';
const appsPath = `/apis/gitward.dev/v1alpha1/namespaces/${ns}/applications`;
const cmsPath = `/api/v1/namespaces/${ns}/configmaps`;

/** The status of a synced 10-resource app, as the controller writes it after a sync. */
function appStatus(at: string) {
  const revision = 'a'.repeat(40);
  const source = {
    repoURL: 'http://127.0.0.1:1/bench.git',
    path: 'apps/a',
    targetRevision: 'HEAD',
  };
  const resources = Array.from({ length: 10 }, (_, i) => ({
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    namespace: 'bench',
    name: `web-${i}`,
    status: 'Synced',
    health: { status: 'Healthy' },
  }));
  return {
    sync: {
      status: 'Synced',
      revision,
      comparedTo: {
        source,
        destination: { server: 'https://kubernetes.default.svc', namespace: 'bench' },
      },
    },
    health: { status: 'Healthy' },
    resources,
    reconciledAt: at,
    sourceType: 'Directory',
    summary: { images: ['registry.k8s.io/pause:3.9'] },
    history: [
      {
        id: 0,
        revision,
        deployedAt: at,
        deployStartedAt: at,
        source,
        initiatedBy: { automated: true },
      },
    ],
    operationState: {
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: at,
      finishedAt: at,
      operation: { sync: { revision, prune: true }, initiatedBy: { automated: true } },
      syncResult: {
        revision,
        source,
        resources: resources.map((r) => ({
          group: r.group,
          version: r.version,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          status: r.status,
          message: `deployment.apps/${r.name} serverside-applied`,
          syncPhase: 'Sync',
        })),
      },
    },
  };
}

async function must(kube: KubeClient, method: KubeMethod, path: string, body: unknown) {
  const res = await kube.request(method, path, { body });
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  return res;
}

/** Writes per second for `writesPerRun` patches, `inFlight` at a time. */
async function rate(write: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < writesPerRun) await write(next++);
    }),
  );
  return writesPerRun / ((performance.now() - t0) / 1000);
}

export async function benchApiserverWrites(cacheDir: string, runs: number): Promise<WriteFigures> {
  return withCluster(
    cacheDir,
    async (state) => {
      const kube = createKubeClient(await loadKubeconfig(state.kubeconfig));
      await ensureInstalled(kube, ApiGroup.Gitward, ns);
      const spec = {
        project: 'default',
        source: { repoURL: 'http://127.0.0.1:1/bench.git', path: 'apps/a' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'bench' },
      };
      const status = () => appStatus(new Date().toISOString());
      for (let i = 0; i < objects; i++) {
        const metadata = { name: `w${i}` };
        await must(kube, 'POST', appsPath, {
          apiVersion: 'gitward.dev/v1alpha1',
          kind: 'Application',
          metadata,
          spec,
        });
        await must(kube, 'PATCH', `${appsPath}/w${i}`, { status: status() });
        await must(kube, 'POST', cmsPath, { metadata, data: { status: JSON.stringify(status()) } });
      }
      const stored = await must(kube, 'GET', `${appsPath}/w0`, undefined);
      const app: number[] = [];
      const configMap: number[] = [];
      for (let r = 0; r < runs; r++) {
        app.push(
          await rate((i) =>
            must(kube, 'PATCH', `${appsPath}/w${i % objects}`, { status: status() }),
          ),
        );
        configMap.push(
          await rate((i) =>
            must(kube, 'PATCH', `${cmsPath}/w${i % objects}`, {
              data: { status: JSON.stringify(status()) },
            }),
          ),
        );
      }
      return {
        appBytes: JSON.stringify(stored.body).length,
        app: spread(app),
        configMap: spread(configMap),
      };
    },
    'bench-writes',
  );
}

export function writesSection(f: WriteFigures): string {
  const fmt = formatWhole;
  return [
    '## Apiserver cost of a status write',
    '',
    'Every refresh ends in one merge patch of the Application (status, and the refresh',
    `annotation's removal). Here ${objects} Applications carrying the status of a synced 10-resource app`,
    `(${(f.appBytes / 1024).toFixed(1)} KiB stored, managed fields included) get ${writesPerRun} such patches per run, ${inFlight} in flight,`,
    'on a fresh local control plane with nothing else running. The baseline is the same number of',
    'merge patches of ConfigMaps holding the same status as a string: the same bytes without a',
    'schema. Interleaved run by run.',
    '',
    '| object | writes/s |',
    '| --- | --- |',
    `| Application (status patch) | ${fmt(f.app)} |`,
    `| baseline: ConfigMap of the same JSON | ${fmt(f.configMap)} |`,
    '',
    `Ratio (Application / ConfigMap, medians): **${(f.app.median / f.configMap.median).toFixed(2)}**. What the`,
    "apiserver does beyond storing the bytes (the Application's typed schema, its managed fields)",
    'sets how many refreshes per second a control plane can take, whatever the controller does.',
  ].join('\n');
}
