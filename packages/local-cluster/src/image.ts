import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { ownJson } from '@gitward/model';

/**
 * The pure parts of gitward's OCI image build (scripts/image.ts does the I/O): its name and tag,
 * what goes into it, and the digest of its inputs that lets an unchanged tree skip the rebuild.
 * The Dockerfile at the repository root must stay equivalent to what is declared here.
 */

/** Where the image is published; the archive's index names it so `ctr images import` keeps it. */
export const imageRepository = 'ghcr.io/gitward/gitward';

/** The unprivileged user every process of the image runs as (distroless' "nonroot" uid). */
export const imageUser = { name: 'gitward', uid: 65532, home: '/home/gitward' } as const;

/**
 * The only paths a gitward process writes (repository and render caches under HOME, git's and
 * the credential helpers' temporary files under /tmp): with these as volumes the root
 * filesystem can be read-only.
 */
export const writablePaths = ['/tmp', imageUser.home] as const;

/** Where gitward's sources and production node_modules live inside the image. */
export const appDir = '/opt/gitward';

/** Debian release and archives the root filesystem comes from. */
export const debianSuite = 'bookworm';
export const debianSources = [
  'deb http://deb.debian.org/debian bookworm main',
  'deb http://deb.debian.org/debian bookworm-updates main',
  'deb http://deb.debian.org/debian-security bookworm-security main',
] as const;

/**
 * Debian packages on top of the Essential set: git with its ssh transport and gpg (signature
 * verification), CA roots for https remotes, libstdc++ for the Node binary, tini as PID 1 so
 * signals reach gitward and zombies of git/helm children are reaped.
 */
export const debianPackages = [
  'ca-certificates',
  'git',
  'gpg',
  'libstdc++6',
  'openssh-client',
  'tini',
] as const;

/** The image's process: tini, then the CLI; the command (`controller`, `server`, ...) picks. */
export const imageEntrypoint = ['/usr/bin/tini', '--', '/usr/local/bin/gitward'] as const;
export const imageCmd = ['--help'] as const;
export const imageEnv = [
  'PATH=/usr/local/bin:/usr/bin:/bin',
  `HOME=${imageUser.home}`,
  'NODE_ENV=production',
] as const;

export interface TreeState {
  /** `git rev-parse --short=12 HEAD`. */
  readonly shortSha: string;
  /** True when `git status --porcelain` lists anything (tracked changes or untracked files). */
  readonly dirty: boolean;
}

/**
 * The tag of an image built from a tree: the commit's short SHA, `-dirty` when the tree has
 * changes the commit does not hold (such an image cannot be rebuilt from the commit alone).
 */
export function imageTag(tree: TreeState): string {
  if (!/^[0-9a-f]{7,40}$/.test(tree.shortSha)) {
    throw new Error(`image tag: "${tree.shortSha}" is not a git commit SHA`);
  }
  return tree.dirty ? `${tree.shortSha}-dirty` : tree.shortSha;
}

/** The full reference of a tag, as the archive's index and the manifests name it. */
export function imageRef(tag: string): string {
  return `${imageRepository}:${tag}`;
}

/**
 * The Debian base alone (packages and user, no gitward), also in the archive so the Dockerfile
 * can be built on it (BASE_IMAGE); tagged by the digest of what made it, not by a commit.
 */
export function baseImageTag(baseKey: string): string {
  return `base-${debianSuite}-${baseKey.slice(0, 12)}`;
}

/**
 * Digest of a build's inputs: each input's name and the sha256 of its content, in name order so
 * the order they were read in does not matter. Equal digests mean the archive can be kept.
 */
export function inputsDigest(inputs: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const name of [...inputs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    hash.update(`${name}\0${inputs.get(name) ?? ''}\n`);
  }
  return hash.digest('hex');
}

/** What the last `npm run image` built, kept beside the archive for the benchmarks and tests. */
export interface ImageRecord {
  readonly ref: string;
  readonly tag: string;
  /** Absolute path of the OCI image archive (a tar of an OCI image layout). */
  readonly archive: string;
  /** The archive's size: the compressed layers plus the manifest, config and index. */
  readonly compressedBytes: number;
  /** Size of the root filesystem once unpacked. */
  readonly unpackedBytes: number;
  readonly inputsDigest: string;
}

export function imageDir(cacheDir: string): string {
  return join(cacheDir, 'image');
}

export function imageRecordPath(cacheDir: string): string {
  return join(imageDir(cacheDir), 'image.json');
}

/** Parses image.json by own property only; anything malformed reads as "no image built". */
export function parseImageRecord(text: string): ImageRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ownJson(raw);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return undefined;
  const v = new Map(Object.entries(parsed.value));
  const str = (k: string) => (typeof v.get(k) === 'string' ? (v.get(k) as string) : undefined);
  const num = (k: string) => (Number.isSafeInteger(v.get(k)) ? (v.get(k) as number) : undefined);
  const ref = str('ref');
  const tag = str('tag');
  const archive = str('archive');
  const digest = str('inputsDigest');
  const compressedBytes = num('compressedBytes');
  const unpackedBytes = num('unpackedBytes');
  if (
    ref === undefined ||
    tag === undefined ||
    archive === undefined ||
    digest === undefined ||
    compressedBytes === undefined ||
    unpackedBytes === undefined
  ) {
    return undefined;
  }
  return { ref, tag, archive, compressedBytes, unpackedBytes, inputsDigest: digest };
}

/** Bytes as MiB with one decimal, as the build's summary and BENCHMARKS.md print them. */
export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
