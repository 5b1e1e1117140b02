/**
 * `--customizations PATH` of `gitward admin health|action`: the resource customizations a team
 * keeps, read from either
 * - a ConfigMap YAML (argocd-cm / gitward-cm) with `resource.customizations*` keys, or
 * - a directory laid out as Argo CD's resource_customizations: `<group>/<Kind>/health.lua`,
 *   `<group>/<Kind>/actions/discovery.lua` and `<group>/<Kind>/actions/<name>/action.lua`, where a
 *   `_` in a directory name stands for any text (`_.crossplane.io/_` is `*.crossplane.io/*`).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  resourceOverridesOf,
  type ResourceOverride,
  type ResourceOverrides,
} from '@gitward/engine';
import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';

// A script is a few KiB; anything far larger is a wrong path, not a customization.
const maxScriptBytes = 1024 * 1024;

async function readSmall(path: string): Promise<string | undefined> {
  const s = await stat(path).catch(() => undefined);
  if (!s?.isFile()) return undefined;
  if (s.size > maxScriptBytes)
    throw new GitwardError(ErrorCode.InvalidArgument, `${path} is larger than 1 MiB`);
  return readFile(path, 'utf8');
}

const dirsIn = async (path: string): Promise<string[]> =>
  (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

/** `_` in a directory name is Argo CD's wildcard. */
const wildcard = (name: string) => name.replaceAll('_', '*');

async function actionsIn(dir: string): Promise<string | undefined> {
  const discovery = await readSmall(join(dir, 'discovery.lua'));
  const definitions: { name: string; 'action.lua': string }[] = [];
  const names = await dirsIn(dir).catch(() => []);
  for (const name of names) {
    const lua = await readSmall(join(dir, name, 'action.lua'));
    if (lua !== undefined) definitions.push({ name, 'action.lua': lua });
  }
  if (discovery === undefined && definitions.length === 0) return undefined;
  return stringify({
    ...(discovery !== undefined ? { 'discovery.lua': discovery } : {}),
    definitions,
  });
}

async function fromDirectory(root: string): Promise<ResourceOverrides> {
  const out = new Map<string, ResourceOverride>();
  for (const group of await dirsIn(root)) {
    for (const kind of await dirsIn(join(root, group))) {
      const dir = join(root, group, kind);
      const healthLua = await readSmall(join(dir, 'health.lua'));
      const actions = await actionsIn(join(dir, 'actions'));
      if (healthLua === undefined && actions === undefined) continue;
      out.set(`${wildcard(group)}/${wildcard(kind)}`, {
        ...(healthLua !== undefined ? { healthLua } : {}),
        ...(actions !== undefined ? { actions } : {}),
      });
    }
  }
  return out;
}

/** The ConfigMap's `data` (or, for a file holding the bare map of keys, that map). */
function dataOf(text: string, path: string): unknown {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (err) {
    throw new GitwardError(ErrorCode.InvalidArgument, `${path}: ${errorMessage(err)}`);
  }
  const o = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const data = Object.hasOwn(o, 'data') ? o['data'] : undefined;
  return typeof data === 'object' && data !== null ? data : o;
}

export async function loadCustomizations(path: string): Promise<ResourceOverrides> {
  const s = await stat(path).catch((err: unknown) => {
    throw new GitwardError(ErrorCode.NotFound, `${path} cannot be read: ${errorMessage(err)}`);
  });
  if (s.isDirectory()) return fromDirectory(path);
  const text = await readSmall(path);
  return resourceOverridesOf(dataOf(text ?? '', path));
}
