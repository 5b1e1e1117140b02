import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { constants, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GitwardError } from '@gitward/model';

/** The binaries scripts/build-binaries.sh produces, all in one directory per version set. */
export const binaryNames = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'kwok',
  'helm',
  'kustomize',
  'jsonnet',
] as const;
export type BinaryName = (typeof binaryNames)[number];

/** Absolute paths of every binary, plus kwok's stage file. */
export interface Binaries {
  readonly dir: string;
  readonly path: Readonly<Record<BinaryName, string>>;
  readonly kwokStages: string;
}

export interface EnsureBinariesOptions {
  /** Root of gitward's cache (default ~/.cache/gitward, set by the caller's config). */
  readonly cacheDir: string;
  /** Receives the build's progress lines; a cold build takes many minutes. */
  readonly onLog?: (line: string) => void;
}

const buildScript = fileURLToPath(new URL('../scripts/build-binaries.sh', import.meta.url));
const jsonnetSource = fileURLToPath(new URL('../tools/jsonnet/', import.meta.url));

/**
 * The file name of gitward's confining jsonnet (tools/jsonnet) inside a version-set directory:
 * keyed by a hash of its source, computed exactly as build-binaries.sh does (go.mod, go.sum, then
 * the non-test .go files in byte order), so editing the tool rebuilds it.
 */
export function jsonnetBinaryName(sourceDir = jsonnetSource): string {
  const goFiles = readdirSync(sourceDir)
    .filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', ...goFiles]) hash.update(readFileSync(join(sourceDir, f)));
  return `gitward-jsonnet-${hash.digest('hex').slice(0, 16)}`;
}

/** The paths of the pinned binaries inside a version-set directory. */
export function binariesIn(dir: string): Binaries {
  const fileName = (n: BinaryName) => (n === 'jsonnet' ? jsonnetBinaryName() : n);
  const path = Object.fromEntries(binaryNames.map((n) => [n, join(dir, fileName(n))])) as Record<
    BinaryName,
    string
  >;
  return { dir, path, kwokStages: join(dir, 'kwok-stages.yaml') };
}

async function allPresent(b: Binaries): Promise<boolean> {
  try {
    await Promise.all([
      ...Object.values(b.path).map((p) => access(p, constants.X_OK)),
      access(b.kwokStages),
    ]);
    return true;
  } catch {
    return false;
  }
}

function runScript(args: string[], opts: EnsureBinariesOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [buildScript, '--cache-dir', opts.cacheDir, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const tail: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      for (const line of d.split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        opts.onLog?.(line);
      }
    });
    child.on('error', (err) =>
      reject(new GitwardError(ErrorCode.ToolMissing, `cannot run bash: ${err.message}`)),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve(out.trim().split('\n').at(-1) ?? '');
      const code3 = code === 3 ? ErrorCode.ToolMissing : ErrorCode.BuildFailed;
      reject(
        new GitwardError(
          code3,
          `building the local control plane binaries failed (exit ${code}):\n${tail.join('\n')}`,
        ),
      );
    });
  });
}

/**
 * Returns the pinned binaries, building the missing ones from their Go modules first. With a warm
 * cache this only checks that the files exist.
 */
export async function ensureBinaries(opts: EnsureBinariesOptions): Promise<Binaries> {
  const dir = await runScript(['--print-dir'], opts);
  const b = binariesIn(dir);
  if (await allPresent(b)) return b;
  const built = binariesIn(await runScript([], opts));
  if (!(await allPresent(built))) {
    throw new GitwardError(ErrorCode.BuildFailed, `binaries missing in ${built.dir} after build`);
  }
  return built;
}

/**
 * The kubelet of the pinned Kubernetes version, built (once) into the same version-set directory
 * by `build-binaries.sh --kubelet`. Only a real node needs it, so ensureBinaries never builds it
 * and its absence never makes the other binaries rebuild.
 */
export async function ensureKubelet(opts: EnsureBinariesOptions): Promise<string> {
  const kubelet = join(await runScript(['--print-dir'], opts), 'kubelet');
  try {
    await access(kubelet, constants.X_OK);
    return kubelet;
  } catch {
    const built = join(await runScript(['--kubelet'], opts), 'kubelet');
    await access(built, constants.X_OK).catch(() => {
      throw new GitwardError(ErrorCode.BuildFailed, `kubelet missing in ${built} after build`);
    });
    return built;
  }
}
