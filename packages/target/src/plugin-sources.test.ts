import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPluginDefinitions } from './plugin-sources.ts';

const cmp = (name: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: ConfigManagementPlugin\nmetadata: {name: ${name}}\nspec: {generate: {command: [ls]}}\n`;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plugin-sources-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('loadPluginDefinitions', () => {
  it('reads a directory as sidecars and mounted ConfigMaps lay it out, and the --plugins file', async () => {
    const plugins = join(dir, 'plugins');
    await mkdir(join(plugins, 'cdk8s'), { recursive: true });
    await writeFile(join(plugins, 'cdk8s', 'plugin.yaml'), cmp('cdk8s'));
    // A mounted ConfigMap: the key files are symlinks into ..data, which is skipped itself.
    await mkdir(join(plugins, '..2026_01_01'), { recursive: true });
    await writeFile(join(plugins, '..2026_01_01', 'tanka.yaml'), cmp('tanka'));
    await symlink('..2026_01_01', join(plugins, '..data'));
    await symlink(join('..data', 'tanka.yaml'), join(plugins, 'tanka.yaml'));
    await writeFile(join(plugins, 'README.md'), 'not a plugin');
    const file = join(dir, 'plugins.yaml');
    await writeFile(file, '- {name: legacy, generate: [ls]}');
    const out = await loadPluginDefinitions({ file, dir: plugins });
    expect(out.map((p) => [p.name, p.origin])).toEqual([
      ['legacy', file],
      ['cdk8s', join(plugins, 'cdk8s', 'plugin.yaml')],
      ['tanka', join(plugins, 'tanka.yaml')],
    ]);
  });

  it('fails on a name defined twice, and on a directory that is not there', async () => {
    await writeFile(join(dir, 'a.yaml'), cmp('p'));
    await writeFile(join(dir, 'b.yaml'), cmp('p'));
    await expect(loadPluginDefinitions({ dir })).rejects.toThrow(/"p" is defined twice/);
    await expect(loadPluginDefinitions({ dir: join(dir, 'nope') })).rejects.toThrow(
      /plugins directory/,
    );
  });

  it('nothing configured: no plugins', async () => {
    expect(await loadPluginDefinitions({})).toEqual([]);
  });
});
