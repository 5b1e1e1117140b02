import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChartRepositories, GitRepositories } from '@gitward/infra';
import { ErrorCode } from '@gitward/model';
import {
  createTargetRenderer,
  type RenderOutcome,
  type TargetRendererOptions,
} from './renderer.ts';

const unused = () => Promise.reject(new Error('not used by a local render'));
const git: GitRepositories = {
  resolveRevision: unused,
  checkout: unused,
  release: () => undefined,
  commitMetadata: unused,
  verifyCommit: unused,
  stats: { fetches: 0, advertised: 0, advertisementReads: 0, advertisementShared: 0 },
};
const charts = { resolve: unused } as unknown as ChartRepositories;

const configMap = (name: string, data = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "${data}"\n`;

async function repoWith(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gitward-renderer-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, name), text);
  return root;
}

async function renderLocal(
  root: string,
  opts: Partial<TargetRendererOptions> = {},
  work?: string,
): Promise<RenderOutcome> {
  work ??= await mkdtemp(join(tmpdir(), 'gitward-renderer-work-'));
  const renderer = createTargetRenderer({
    git,
    charts,
    tools: { helm: 'helm', kustomize: 'kustomize', jsonnet: 'jsonnet' },
    toolVersions: {},
    env: {},
    workDir: work,
    ...opts,
  });
  return renderer.render({
    appName: 'app',
    project: 'default',
    source: { repoURL: root, path: '.' },
    destinationNamespace: 'default',
    kubeVersion: '1.34.0',
    apiVersions: [],
    scope: () => true,
    localRoot: root,
  });
}

const failure = (r: RenderOutcome) => (r.kind === 'failed' ? r.error : undefined);

describe('render size limits', () => {
  it('fails a render with a file over the per-file limit, naming the file and the limit', async () => {
    const root = await repoWith({
      'ok.yaml': configMap('ok'),
      'big.yaml': configMap('big', 'x'.repeat(2000)),
    });
    const err = failure(await renderLocal(root, { maxManifestFileBytes: 1024 }));
    expect(err?.code).toBe(ErrorCode.ManifestTooLarge);
    expect(err?.message).toMatch(
      /^big\.yaml is \d+ bytes, larger than the per-file limit of 1024 bytes$/,
    );
  });

  it('fails a render whose files together exceed the render limit', async () => {
    const files = Object.fromEntries(
      ['a', 'b', 'c'].map((n) => [`${n}.yaml`, configMap(n, 'x'.repeat(500))]),
    );
    const err = failure(await renderLocal(await repoWith(files), { maxRenderBytes: 1200 }));
    expect(err?.code).toBe(ErrorCode.ManifestTooLarge);
    expect(err?.message).toMatch(
      /render is larger than the limit of 1200 bytes \(reached at c\.yaml\)/,
    );
  });

  it('renders files within the limits', async () => {
    const root = await repoWith({ 'a.yaml': configMap('a'), 'b.yaml': configMap('b') });
    const r = await renderLocal(root, { maxManifestFileBytes: 1024, maxRenderBytes: 4096 });
    expect(r.kind === 'rendered' && r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it('fails an alias bomb with a clear message, not an exception', async () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]']
      .concat(
        ['b', 'c', 'd', 'e', 'f', 'g'].map(
          (k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(',')}]`,
        ),
      )
      .join('\n');
    const err = failure(await renderLocal(await repoWith({ 'bomb.yaml': bomb })));
    expect(err?.code).toBe(ErrorCode.RenderFailed);
    expect(err?.message).toMatch(/^bomb\.yaml \(document 1\): too many alias expansions/);
  });
});

describe('scratch space', () => {
  it('removes scratch trees an earlier process left behind, and only old ones', async () => {
    const work = await mkdtemp(join(tmpdir(), 'gitward-renderer-work-'));
    await mkdir(join(work, 'crashed'));
    await mkdir(join(work, 'another-render'));
    const dayAgo = new Date(Date.now() - 86_400_000);
    await utimes(join(work, 'crashed'), dayAgo, dayAgo);
    const r = await renderLocal(await repoWith({ 'a.yaml': configMap('a') }), {}, work);
    expect(r.kind).toBe('rendered');
    expect(await readdir(work)).toEqual(['another-render']);
  });
});

describe('revision resolution', () => {
  it('asks git for a revision read no earlier than the pass was asked for (freshAfter)', async () => {
    const asked: unknown[] = [];
    const renderer = createTargetRenderer({
      git: {
        ...git,
        resolveRevision: (...args) => {
          asked.push(args.slice(1));
          return Promise.reject(new Error('stop here'));
        },
      },
      charts,
      tools: { helm: 'helm', kustomize: 'kustomize', jsonnet: 'jsonnet' },
      toolVersions: {},
      env: {},
      workDir: await mkdtemp(join(tmpdir(), 'gitward-renderer-work-')),
    });
    const req = {
      appName: 'app',
      project: 'default',
      source: { repoURL: 'https://git.example/repo.git', targetRevision: 'main' },
      destinationNamespace: 'default',
      kubeVersion: '1.34.0',
      apiVersions: [],
      scope: () => true,
    };
    expect((await renderer.render({ ...req, freshAfter: 42 })).kind).toBe('failed');
    expect((await renderer.render(req)).kind).toBe('failed');
    expect(asked).toEqual([
      ['main', undefined, { freshAfter: 42 }],
      ['main', undefined, undefined],
    ]);
  });
});
