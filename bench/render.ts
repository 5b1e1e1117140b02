/**
 * Scenario 4, render and diff: first render and cached re-render of a Helm chart, a kustomize
 * overlay and a 1,000-object directory through @gitward/target's renderer in-process, served by a
 * real git repository over loopback; and the engine's diff throughput on the same 1,000 objects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareApplication, diffResource, type ScopeLookup } from '@gitward/engine';
import {
  createChartRepositories,
  createGitRepositories,
  type GitRepositories,
} from '@gitward/infra';
import { ensureBinaries, loadVersions } from '@gitward/local-cluster';
import { formatResourceKey, resourceKeyOf, type KubeObject } from '@gitward/model';
import { createTargetRenderer, type RenderRequest, type TargetRenderer } from '@gitward/target';
import { createGitServer, type TestRepo } from '@gitward/testkit';
import {
  thousandObjects,
  writeHelmChart,
  writeKustomizeOverlay,
  writeThousandObjects,
} from './fixtures.ts';
import { spread, timed, type Spread } from './stats.ts';

export interface RenderCase {
  readonly name: string;
  readonly pinned: boolean;
  readonly objects: number;
  readonly first: Spread;
  readonly cached: Spread;
  /** The git revision resolution alone, which every cached re-render still runs. */
  readonly resolveRevision: Spread;
}

export interface DiffFigures {
  readonly objects: number;
  readonly changed: number;
  /** Objects per second, one figure per run. */
  readonly diffResource: Spread;
  readonly compareApplication: Spread;
}

export interface RenderFigures {
  readonly cases: readonly RenderCase[];
  readonly diff: DiffFigures;
}

const clusterScoped = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
]);
const scope: ScopeLookup = (_group, kind) => !clusterScoped.has(kind);

interface Renderer {
  readonly renderer: TargetRenderer;
  readonly git: GitRepositories;
  /** Its caches and scratch space, removed after the run. */
  readonly dir: string;
}

async function newRenderer(cacheDir: string, env: NodeJS.ProcessEnv): Promise<Renderer> {
  const bin = await ensureBinaries({ cacheDir });
  const v = loadVersions();
  const dir = await mkdtemp(join(tmpdir(), 'gitward-bench-render-'));
  const git = createGitRepositories({ cacheDir: dir, env });
  const renderer = createTargetRenderer({
    git,
    charts: createChartRepositories({ cacheDir: dir }),
    tools: { helm: bin.path.helm, kustomize: bin.path.kustomize, jsonnet: bin.path.jsonnet },
    toolVersions: { helm: v.helm, kustomize: v.kustomize, jsonnet: v.jsonnet },
    env,
    workDir: join(dir, 'work'),
  });
  return { renderer, git, dir };
}

async function renderOnce(
  r: TargetRenderer,
  req: RenderRequest,
): Promise<{ ms: number; n: number; cached: boolean }> {
  const { ms, value } = await timed(() => r.render(req));
  if (value.kind === 'failed') throw value.error;
  return { ms, n: value.kind === 'rendered' ? value.objects.length : 0, cached: value.cached };
}

/** A few fields changed, and the fields the apiserver adds, as a live copy would have them. */
function liveCopy(o: KubeObject, i: number, changeEvery: number): KubeObject {
  const live = structuredClone(o) as KubeObject & { data?: Record<string, string> };
  live.metadata = {
    ...live.metadata,
    namespace: 'bench',
    uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    resourceVersion: String(1000 + i),
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
  if (i % changeEvery === 0) {
    if (live.data) live.data = { ...live.data, index: `changed-${i}` };
    else live.metadata = { ...live.metadata, labels: { ...live.metadata.labels, drift: 'yes' } };
  }
  return live;
}

function benchDiff(runs: number): DiffFigures {
  const desired = thousandObjects().map((o) => ({
    ...o,
    metadata: { ...o.metadata, namespace: 'bench' },
  }));
  const changeEvery = 20;
  const live = desired.map((o, i) => liveCopy(o, i, changeEvery));
  const liveByKey = new Map(live.map((o) => [formatResourceKey(resourceKeyOf(o)), o]));
  const perResource: number[] = [];
  const perApp: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    desired.forEach((d, j) => diffResource(d, live[j], undefined));
    perResource.push(desired.length / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    compareApplication({
      desired,
      live: liveByKey,
      managed: live,
      predicted: new Map(),
      ignoreDifferences: [],
    });
    perApp.push(desired.length / ((performance.now() - t0) / 1000));
  }
  return {
    objects: desired.length,
    changed: Math.ceil(desired.length / changeEvery),
    diffResource: spread(perResource),
    compareApplication: spread(perApp),
  };
}

/** Renders each source `runs` times on a fresh renderer (first render) and once more (cached). */
interface Source {
  readonly name: string;
  readonly path: string;
  /** Pinned to the commit SHA instead of the branch `main`. */
  readonly pinned?: boolean;
}

async function benchSource(
  s: Source,
  repo: TestRepo,
  runs: number,
  newR: () => Promise<Renderer>,
): Promise<RenderCase> {
  const req: RenderRequest = {
    appName: 'bench',
    project: 'default',
    source: {
      repoURL: repo.url,
      path: s.path,
      targetRevision: s.pinned ? await repo.head() : 'main',
    },
    destinationNamespace: 'bench',
    kubeVersion: loadVersions().kubernetes,
    apiVersions: ['v1', 'apps/v1'],
    scope,
  };
  const first: number[] = [];
  const cached: number[] = [];
  const resolve: number[] = [];
  let objects = 0;
  for (let i = 0; i < runs; i++) {
    const r = await newR();
    const a = await renderOnce(r.renderer, req);
    objects = a.n;
    first.push(a.ms);
    // The cached figure is the steady state: the same unchanged source asked for again.
    for (let k = 0; k < 3; k++) {
      const b = await renderOnce(r.renderer, req);
      if (!b.cached) throw new Error(`${s.name}: re-render was not answered from the cache`);
      cached.push(b.ms);
      const t = await timed(() =>
        r.git.resolveRevision(repo.url, req.source.targetRevision ?? 'HEAD'),
      );
      resolve.push(t.ms);
    }
    await rm(r.dir, { recursive: true, force: true });
  }
  return {
    name: s.name,
    pinned: s.pinned === true,
    objects,
    first: spread(first),
    cached: spread(cached),
    resolveRevision: spread(resolve),
  };
}

/** Renders each source `runs` times on a fresh renderer (first render) and again (cached). */
export async function benchRender(
  cacheDir: string,
  runs: number,
  env: NodeJS.ProcessEnv,
): Promise<RenderFigures> {
  const server = await createGitServer();
  const fixtures = await mkdtemp(join(tmpdir(), 'gitward-bench-fixtures-'));
  try {
    await writeHelmChart(join(fixtures, 'chart'));
    await writeKustomizeOverlay(join(fixtures, 'kustomize'));
    await writeThousandObjects(join(fixtures, 'objects'));
    const repo = await server.createRepo('render', fixtures);
    const sources: Source[] = [
      { name: 'Helm chart', path: 'chart' },
      { name: 'kustomize overlay', path: 'kustomize/overlay' },
      { name: '1,000-object directory', path: 'objects' },
      { name: '1,000-object directory, revision pinned to a SHA', path: 'objects', pinned: true },
    ];
    const cases: RenderCase[] = [];
    for (const s of sources)
      cases.push(await benchSource(s, repo, runs, () => newRenderer(cacheDir, env)));
    return { cases, diff: benchDiff(Math.max(runs, 5)) };
  } finally {
    await server.close();
    await rm(fixtures, { recursive: true, force: true });
  }
}
