import { extname, matchesGlob } from 'node:path';
import type { DirectorySource } from '@gitward/model';

const manifestExtensions = new Set(['.yaml', '.yml', '.json']);

export type DirectoryEntryKind = 'manifest' | 'jsonnet' | 'skip';

/**
 * Decides what a Directory source does with a file (path relative to the source path): parse it
 * as YAML/JSON, evaluate it as jsonnet, or skip it. `exclude` wins over `include`; both are globs
 * with {a,b} alternation, matched against the relative path.
 */
export function classifyDirectoryEntry(
  relPath: string,
  opts: DirectorySource | undefined,
): DirectoryEntryKind {
  if (!selected(relPath, opts ?? {})) return 'skip';
  const ext = extname(relPath);
  if (ext === '.jsonnet') return 'jsonnet';
  if (manifestExtensions.has(ext) || opts?.disableExtensionFilter) return 'manifest';
  return 'skip';
}

function selected(relPath: string, opts: DirectorySource): boolean {
  if (opts.exclude && matchesGlob(relPath, opts.exclude)) return false;
  if (opts.include && !matchesGlob(relPath, opts.include)) return false;
  return opts.recurse === true || !relPath.includes('/');
}
