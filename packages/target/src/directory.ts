import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { classifyDirectoryEntry, flattenObjects } from '@gitward/engine';
import { resolveInside } from '@gitward/infra';
import { ErrorCode, GitwardError, type KubeObject } from '@gitward/model';
import { checkFileSize } from './budget.ts';
import type { RenderContext } from './context.ts';

async function listFiles(dir: string, base: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p, base)));
    else out.push(relative(base, p));
  }
  return out.sort();
}

/**
 * Arguments for gitward's confining jsonnet: `--root` is the repository, and every import (from
 * files, ext code, TLA code) must resolve inside it or inside a library path, itself inside it.
 */
function jsonnetArgs(ctx: RenderContext, file: string, libs: readonly string[]): string[] {
  const j = ctx.source.directory?.jsonnet;
  const args = ['--root', ctx.repoRoot, file];
  for (const lib of libs) args.push('-J', lib);
  for (const v of j?.extVars ?? [])
    args.push(v.code ? '--ext-code' : '--ext-str', `${v.name}=${v.value}`);
  for (const v of j?.tlas ?? [])
    args.push(v.code ? '--tla-code' : '--tla-str', `${v.name}=${v.value}`);
  return args;
}

function jsonOf(out: string, rel: string): unknown {
  try {
    return JSON.parse(out) as unknown;
  } catch {
    throw new GitwardError(ErrorCode.RenderFailed, `${rel}: jsonnet output is not JSON`);
  }
}

/**
 * A Directory source: YAML/JSON files (multi-document, Lists flattened), optionally recursive,
 * filtered by include/exclude globs, and `.jsonnet` files evaluated with ext vars, TLAs and libs.
 * A file that does not parse fails the render: silently skipping it could prune live objects.
 * A file over the per-file limit fails it too, before it is read.
 */
export async function renderDirectory(ctx: RenderContext): Promise<KubeObject[]> {
  const opts = ctx.source.directory;
  const libs = await Promise.all(
    (opts?.jsonnet?.libs ?? []).map((l) => resolveInside(ctx.repoRoot, l, 'jsonnet lib')),
  );
  const objects: KubeObject[] = [];
  for (const rel of await listFiles(ctx.sourceDir, ctx.sourceDir)) {
    const kind = classifyDirectoryEntry(rel, opts);
    if (kind === 'skip') continue;
    // Reading through resolveInside refuses files that are symlinks out of the repository.
    const file = await resolveInside(
      ctx.repoRoot,
      relative(ctx.repoRoot, join(ctx.sourceDir, rel)),
      'file',
    );
    if (kind === 'jsonnet') {
      const out = await ctx.run('jsonnet', jsonnetArgs(ctx, file, libs), ctx.sourceDir);
      const parsed = flattenObjects([jsonOf(out, rel)], rel);
      if (parsed.errors[0])
        throw new GitwardError(ErrorCode.RenderFailed, `${rel}: ${parsed.errors[0].message}`);
      objects.push(...parsed.objects);
      continue;
    }
    // Sized before it is read: a repository author decides how big a file is.
    checkFileSize(ctx.budget, (await stat(file)).size, rel);
    const parsed = await ctx.parse(await readFile(file, 'utf8'), rel);
    const err = parsed.errors[0];
    if (err)
      throw new GitwardError(
        ErrorCode.RenderFailed,
        `${rel} (document ${err.document + 1}): ${err.message}`,
      );
    objects.push(...parsed.objects);
  }
  return objects;
}
