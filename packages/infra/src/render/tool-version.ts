import { execFile } from 'node:child_process';

/** The first line a tool prints for its version (part of the render cache key). */
export function toolVersion(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (err, stdout) => {
      resolve(err ? 'unknown' : (stdout.trim().split('\n')[0] ?? 'unknown'));
    });
  });
}

/** Versions of helm, kustomize and jsonnet at these paths. */
export async function renderToolVersions(tools: {
  helm: string;
  kustomize: string;
  jsonnet: string;
}): Promise<Record<string, string>> {
  const [helm, kustomize, jsonnet] = await Promise.all([
    toolVersion(tools.helm, ['version', '--short']),
    toolVersion(tools.kustomize, ['version']),
    toolVersion(tools.jsonnet, ['--version']),
  ]);
  return { helm, kustomize, jsonnet };
}
