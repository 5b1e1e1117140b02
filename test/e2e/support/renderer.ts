import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { ScopeLookup } from '@gitward/engine';
import {
  createChartRepositories,
  createGitRepositories,
  createKubeClient,
  loadKubeconfig,
} from '@gitward/infra';
import { ensureBinaries, loadVersions } from '@gitward/local-cluster';
import { createTargetRenderer, type PluginDefinition, type TargetRenderer } from '@gitward/target';

export interface RenderFixture {
  readonly renderer: TargetRenderer;
  readonly git: ReturnType<typeof createGitRepositories>;
  readonly charts: ReturnType<typeof createChartRepositories>;
  readonly scope: ScopeLookup;
  readonly apiVersions: readonly string[];
  readonly kubeVersion: string;
  readonly helm: string;
  readonly kustomize: string;
}

/** A renderer wired as the controller wires it: real git, real tools, the e2e cluster's discovery. */
export async function createRenderFixture(
  plugins: readonly PluginDefinition[] = [],
): Promise<RenderFixture> {
  const bin = await ensureBinaries({ cacheDir: inject('cacheDir') });
  const cacheDir = await mkdtemp(join(tmpdir(), 'gitward-render-cache-'));
  const git = createGitRepositories({ cacheDir, env: process.env });
  const charts = createChartRepositories({
    cacheDir,
    helm: { path: bin.path.helm, env: process.env },
  });
  const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
  const index = await kube.discover();
  const v = loadVersions();
  const renderer = createTargetRenderer({
    git,
    charts,
    tools: { helm: bin.path.helm, kustomize: bin.path.kustomize, jsonnet: bin.path.jsonnet },
    toolVersions: { helm: v.helm, kustomize: v.kustomize, jsonnet: v.jsonnet },
    env: process.env,
    workDir: join(cacheDir, 'work'),
    plugins,
  });
  return {
    renderer,
    git,
    charts,
    scope: (group, kind) => index.lookup(group, kind)?.namespaced,
    apiVersions: index.apiVersions(),
    kubeVersion: v.kubernetes,
    helm: bin.path.helm,
    kustomize: bin.path.kustomize,
  };
}
