import { runTool } from '@gitward/infra';
import { ErrorCode, GitwardError } from '@gitward/model';

/** What gitward's confining jsonnet (packages/local-cluster/tools/jsonnet) prints for --version. */
export const confinedJsonnetBanner = 'gitward-jsonnet (imports confined to the repository)';

/**
 * Fails closed on an unconfined jsonnet. The stock jsonnet binary resolves `importstr '/etc/passwd'`
 * and `import '../../x'` anywhere on disk, so a repository author could render the controller's
 * ServiceAccount token into a ConfigMap. Only gitward's evaluator, which refuses imports leaving
 * `--root`, may run; with any other binary configured, jsonnet sources fail with a clear message.
 * A success is remembered; a failure is checked again next time (the binary may be replaced).
 */
export function createJsonnetGuard(file: string, env: NodeJS.ProcessEnv): () => Promise<void> {
  let confirmed = false;
  return async () => {
    if (confirmed) return;
    const banner = await runTool('jsonnet', file, ['--version'], {
      cwd: '/',
      env,
      timeoutMs: 10_000,
      maxOutputBytes: 4096,
    }).catch(() => '');
    if (!banner.trim().startsWith(confinedJsonnetBanner)) {
      throw new GitwardError(
        ErrorCode.ToolMissing,
        `the configured jsonnet (${file}) is not gitward's confining jsonnet, which keeps imports inside the repository; jsonnet sources are refused (build it with packages/local-cluster/scripts/build-binaries.sh and pass its path as --jsonnet)`,
      );
    }
    confirmed = true;
  };
}
