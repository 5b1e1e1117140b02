import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChartRepositories, GitRepositories } from '@gitward/infra';
import { ErrorCode, type ApplicationSource } from '@gitward/model';
import type { PluginDefinition } from './plugin-config.ts';
import { createTargetRenderer, type RenderOutcome, type RenderRequest } from './renderer.ts';

// A plugin program that prints one ConfigMap named after the plugin, with what it saw.
const gen = (name: string): PluginDefinition['generate'] => [
  process.execPath,
  '-e',
  `const fs = require('fs');
   const data = { exec: String((fs.statSync('run.sh').mode & 0o111) !== 0), files: fs.readdirSync('.').sort().join(',') };
   process.stdout.write(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '${name}' }, data }));`,
];

const plugins: PluginDefinition[] = [
  // Name order decides between two matching rules: "b-cue" before "c-cue".
  { name: 'c-cue', generate: gen('c-cue'), discover: { fileName: '*.cue' } },
  {
    name: 'b-cue',
    generate: gen('b-cue'),
    discover: { fileName: '*.cue' },
    preserveFileMode: false,
  },
  { name: 'deep', generate: gen('deep'), discover: { glob: '**/deep.jsonnet' } },
  {
    name: 'marker',
    generate: gen('marker'),
    // Writes into its copy, then answers by output: the repository itself is never touched.
    discover: { command: ['sh', '-c', 'touch written-by-discovery; cat .marker 2>/dev/null'] },
  },
  { name: 'named', generate: gen('named') },
  { name: 'keep-modes', generate: gen('keep-modes'), preserveFileMode: true },
];

let dir: string;

async function app(name: string, files: Record<string, string>) {
  for (const [f, text] of Object.entries(files)) {
    await mkdir(join(dir, 'repo', name, f, '..'), { recursive: true });
    await writeFile(join(dir, 'repo', name, f), text);
  }
  await writeFile(join(dir, 'repo', name, 'run.sh'), '#!/bin/sh\n');
  await chmod(join(dir, 'repo', name, 'run.sh'), 0o755);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugin-discovery-'));
  const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' } });
  await app('cue', { 'main.cue': '', 'cm.json': cm });
  await app('nested', { 'a/b/deep.jsonnet': '', 'cm.json': cm });
  await app('marked', { '.marker': 'yes\n', 'cm.json': cm });
  await app('empty-marker', { '.marker': '', 'cm.json': cm });
  await app('plain', { 'cm.json': cm });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const renderer = () =>
  createTargetRenderer({
    git: {} as GitRepositories,
    charts: {} as ChartRepositories,
    tools: { helm: 'helm', kustomize: 'kustomize', jsonnet: 'jsonnet' },
    toolVersions: {},
    env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
    workDir: join(dir, 'work'),
    plugins,
  });

const render = (path: string, source: Partial<ApplicationSource> = {}) =>
  renderer().render({
    appName: 'a',
    project: 'default',
    source: { repoURL: 'https://example.com/r.git', path, ...source },
    destinationNamespace: 'ns',
    kubeVersion: '1.34.4',
    apiVersions: ['v1'],
    scope: () => true,
    localRoot: join(dir, 'repo'),
  } satisfies RenderRequest);

const picked = (out: RenderOutcome) =>
  out.kind === 'rendered' ? [out.sourceType, out.objects[0]?.metadata.name] : out;

describe('plugin discovery (no name: the first plugin in name order whose rule matches)', () => {
  it.each([
    ['a fileName glob, the first match by name', 'cue', 'b-cue'],
    ['a find.glob across directories', 'nested', 'deep'],
    ['a find.command that exits 0 with output', 'marked', 'marker'],
  ])('%s', async (_what, path, plugin) => {
    expect(picked(await render(path))).toEqual(['Plugin', plugin]);
    expect(picked(await render(path, { plugin: {} }))).toEqual(['Plugin', plugin]);
  });

  it('no rule matching: a source without a plugin block is a directory as before', async () => {
    expect(picked(await render('plain'))).toEqual(['Directory', 'plain']);
    // A find.command with no output does not match.
    expect(picked(await render('empty-marker'))).toEqual(['Directory', 'plain']);
  });

  it('no rule matching a plugin block without a name: a clear InvalidSpec', async () => {
    expect(await render('plain', { plugin: { env: [] } })).toMatchObject({
      kind: 'failed',
      error: {
        code: ErrorCode.InvalidSpec,
        message: expect.stringMatching(
          /no config management plugin's discover rule matches plain/,
        ) as unknown,
      },
    });
  });

  it('an explicit tool block is never discovered', async () => {
    expect(picked(await render('cue', { directory: { recurse: false } }))).toEqual([
      'Directory',
      'plain',
    ]);
  });

  it('the discovery command ran in a copy: the repository has no file it wrote', async () => {
    await render('marked');
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'repo', 'marked', 'written-by-discovery'))).toBe(false);
  });
});

describe('a repository with a symlink out of it', () => {
  it('is never globbed: a source without a plugin block renders as without plugins', async () => {
    const { symlink } = await import('node:fs/promises');
    await app('escape', {
      'main.cue': '',
      'cm.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'plain' },
      }),
    });
    await symlink('/etc', join(dir, 'repo', 'escape', 'out'));
    try {
      expect(picked(await render('escape'))).toEqual(['Directory', 'plain']);
      expect(await render('escape', { plugin: {} })).toMatchObject({
        kind: 'failed',
        error: { code: ErrorCode.PathEscape },
      });
    } finally {
      await rm(join(dir, 'repo', 'escape'), { recursive: true, force: true });
    }
  });
});

describe('a named plugin', () => {
  it('without a discover rule is used as it is', async () => {
    expect(picked(await render('plain', { plugin: { name: 'named' } }))).toEqual([
      'Plugin',
      'named',
    ]);
  });

  it('with a discover rule must match the source', async () => {
    expect(picked(await render('cue', { plugin: { name: 'c-cue' } }))).toEqual(['Plugin', 'c-cue']);
    expect(await render('plain', { plugin: { name: 'c-cue' } })).toMatchObject({
      kind: 'failed',
      error: {
        code: ErrorCode.InvalidSpec,
        message: expect.stringMatching(/"c-cue" does not support this source/) as unknown,
      },
    });
  });

  it('that is not configured fails clearly', async () => {
    expect(await render('plain', { plugin: { name: 'nope' } })).toMatchObject({
      kind: 'failed',
      error: {
        code: ErrorCode.InvalidSpec,
        message: 'config management plugin "nope" is not configured',
      },
    });
  });
});

describe('file modes (preserveFileMode)', () => {
  it("Argo CD's default drops executable bits; preserveFileMode keeps them", async () => {
    const data = (out: RenderOutcome) =>
      out.kind === 'rendered' ? (out.objects[0]?.['data'] as Record<string, string>) : out;
    expect(data(await render('cue'))).toMatchObject({ exec: 'false' });
    expect(data(await render('cue', { plugin: { name: 'keep-modes' } }))).toMatchObject({
      exec: 'true',
    });
  });
});
