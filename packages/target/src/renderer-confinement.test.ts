import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartRepositories, GitRepositories } from '@gitward/infra';
import { ErrorCode, type ApplicationSource } from '@gitward/model';
import type { PluginDefinition } from './plugin.ts';
import { createTargetRenderer, type RenderRequest } from './renderer.ts';

// A plugin that prints a ConfigMap holding its environment and working directory.
const envDump =
  'const data = { cwd: process.cwd(), env: JSON.stringify(process.env) };' +
  'process.stdout.write(JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "env" }, data }))';

const plugins: PluginDefinition[] = [
  { name: 'env', generate: [process.execPath, '-e', envDump] },
  // Forks a grandchild that keeps stdout open and never finishes.
  { name: 'fork', generate: ['sh', '-c', 'sleep 100 & sleep 100'] },
];

let dir: string;
let repo: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'renderer-confinement-'));
  repo = join(dir, 'repo');
  await mkdir(join(repo, 'app'), { recursive: true });
  await writeFile(
    join(repo, 'app', 'main.jsonnet'),
    "{ apiVersion: 'v1', kind: 'List', items: [] }",
  );
  // A stand-in for the stock jsonnet binary: it would evaluate, but does not confine imports.
  await writeFile(
    join(dir, 'stock-jsonnet'),
    '#!/bin/sh\necho "Jsonnet commandline interpreter (Go implementation) v0.22.0"\n',
  );
  await chmod(join(dir, 'stock-jsonnet'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function renderer(timeoutMs = 30_000) {
  return createTargetRenderer({
    git: {} as GitRepositories,
    charts: {} as ChartRepositories,
    tools: { helm: 'helm', kustomize: 'kustomize', jsonnet: join(dir, 'stock-jsonnet') },
    toolVersions: {},
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      CONTROLLER_SECRET: 'hunter2',
      KUBERNETES_SERVICE_HOST: 'x',
    },
    workDir: join(dir, 'work'),
    plugins,
    timeoutMs,
    maxConcurrentRenders: 1,
  });
}

const request = (source: Partial<ApplicationSource>): RenderRequest => ({
  appName: 'a',
  project: 'default',
  source: { repoURL: 'https://example.com/r.git', path: 'app', ...source },
  destinationNamespace: 'ns',
  kubeVersion: '1.34.4',
  apiVersions: ['v1'],
  scope: () => true,
  localRoot: repo,
});

describe('the renderer confines tools', () => {
  it("gives a plugin a scrubbed environment, never the controller's own", async () => {
    const out = await renderer().render(
      request({ plugin: { name: 'env', env: [{ name: 'FOO', value: 'bar' }] } }),
    );
    if (out.kind !== 'rendered') throw new Error(JSON.stringify(out));
    const data = out.objects[0]?.['data'] as { cwd: string; env: string };
    const env = JSON.parse(data.env) as Record<string, string>;
    const names = Object.keys(env).filter(
      (k) => !/^(ARGOCD_|PARAM_|KUBE_VERSION$|KUBE_API_VERSIONS$)/.test(k),
    );
    expect(names.sort()).toEqual(['HOME', 'PATH']);
    expect(env['ARGOCD_ENV_FOO']).toBe('bar');
    expect(env['HOME']?.startsWith(join(dir, 'work'))).toBe(true);
    expect(JSON.stringify(env)).not.toContain('hunter2');
    // The working directory is the source directory in the render's private copy.
    expect(data.cwd.startsWith(join(dir, 'work'))).toBe(true);
    expect(data.cwd).toMatch(/[/]repo-\d+[/]app$/);
  });

  it('refuses an invalid plugin env name', async () => {
    const out = await renderer().render(
      request({ plugin: { name: 'env', env: [{ name: 'A=B', value: 'x' }] } }),
    );
    expect(out).toMatchObject({ kind: 'failed', error: { code: ErrorCode.InvalidSpec } });
  });

  it('fails jsonnet sources closed when the jsonnet binary is not the confining one', async () => {
    const out = await renderer().render(request({}));
    expect(out).toMatchObject({
      kind: 'failed',
      error: {
        code: ErrorCode.ToolMissing,
        message: expect.stringContaining('not gitward') as unknown,
      },
    });
  });

  it('a forking plugin with a 1 s timeout fails within about 1 s and frees its render slot', async () => {
    const r = renderer(1000);
    const t0 = Date.now();
    const out = await r.render(request({ plugin: { name: 'fork' } }));
    expect(out).toMatchObject({ kind: 'failed', error: { code: ErrorCode.RenderTimeout } });
    expect(Date.now() - t0).toBeLessThan(3000);
    // One render slot only: the next render gets it.
    const next = await r.render(request({ plugin: { name: 'env' } }));
    expect(next.kind).toBe('rendered');
  });
});
