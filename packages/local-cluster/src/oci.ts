import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './exec.ts';
import { pauseImageRef } from './real-node-config.ts';

/**
 * OCI image archives without Docker: a layer tar made reproducible, packed by umoci into an OCI
 * layout, named so that `ctr images import` keeps the full reference. `npm run image`
 * (scripts/image.ts) packs gitward's image with these; a real node (real-node.ts) packs its pause
 * image, and tests their own small images, from static Go programs.
 */

/**
 * `tar` arguments for a layer that depends only on the files: sorted, one mtime, root-owned, no
 * atime/ctime, so equal trees give equal digests.
 */
export function layerTarArgs(
  dir: string,
  tarFile: string,
  epoch: number,
  entries: readonly string[],
): string[] {
  return [
    '--create',
    `--file=${tarFile}`,
    `--directory=${dir}`,
    '--sort=name',
    `--mtime=@${epoch}`,
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    ...entries,
  ];
}

interface OciIndex {
  manifests: { annotations?: Record<string, string> }[];
}

/**
 * umoci names a manifest by its tag only (org.opencontainers.image.ref.name); containerd's import
 * keeps the full name from io.containerd.image.name, so the index carries both. `names` maps a
 * tag to its full reference. Returns the index text.
 */
export function withContainerdNames(
  indexJson: string,
  names: readonly (readonly [string, string])[],
): string {
  const index = JSON.parse(indexJson) as OciIndex;
  for (const m of index.manifests) {
    const full = names.find(
      ([tag]) => m.annotations?.['org.opencontainers.image.ref.name'] === tag,
    );
    if (m.annotations && full) m.annotations['io.containerd.image.name'] = full[1];
  }
  return JSON.stringify(index);
}

/** The full references an archive's index.json names (what `ctr images import` creates). */
export function containerdNames(indexJson: string): string[] {
  const index = JSON.parse(indexJson) as OciIndex;
  return index.manifests.flatMap((m) => {
    const name = m.annotations?.['io.containerd.image.name'];
    return typeof name === 'string' ? [name] : [];
  });
}

export interface BinaryImageOptions {
  /** A static executable; it becomes /app, the image's entrypoint. */
  readonly binary: string;
  /** Full registry-style reference, e.g. gitward.local/web:1 (the CRI normalizes short names). */
  readonly ref: string;
  /** Where the OCI archive (a tar of an OCI layout) is written. */
  readonly archive: string;
  readonly args?: readonly string[];
}

/** Packs one static binary as a one-layer OCI image archive with umoci. */
export async function packBinaryImage(o: BinaryImageOptions): Promise<void> {
  const colon = o.ref.lastIndexOf(':');
  const tag = colon > o.ref.lastIndexOf('/') ? o.ref.slice(colon + 1) : 'latest';
  const work = await mkdtemp(`${o.archive}.work-`);
  try {
    const rootfs = join(work, 'rootfs');
    await mkdir(rootfs);
    await copyFile(o.binary, join(rootfs, 'app'));
    const layer = join(work, 'layer.tar');
    await run('tar', layerTarArgs(rootfs, layer, 0, ['app']));
    const layout = join(work, 'oci');
    const image = `${layout}:${tag}`;
    await run('umoci', ['init', '--layout', layout]);
    await run('umoci', ['new', '--image', image]);
    await run('umoci', ['raw', 'add-layer', '--image', image, layer]);
    await run('umoci', [
      'config',
      '--image',
      image,
      '--architecture=amd64',
      '--os=linux',
      '--config.entrypoint=/app',
      ...(o.args ?? []).map((a) => `--config.cmd=${a}`),
    ]);
    await run('umoci', ['gc', '--layout', layout]);
    const indexFile = join(layout, 'index.json');
    await writeFile(
      indexFile,
      withContainerdNames(await readFile(indexFile, 'utf8'), [[tag, o.ref]]),
    );
    await run('tar', layerTarArgs(layout, `${o.archive}.tmp`, 0, readdirSync(layout).sort()));
    await rename(`${o.archive}.tmp`, o.archive);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds a Go main package statically (CGO_ENABLED=0), as the project's other binaries are. */
export async function buildStaticGo(sourceDir: string, out: string): Promise<void> {
  // env(1) adds the Go settings to the inherited environment (Go's caches, PATH, HOME).
  await run(
    'env',
    ['CGO_ENABLED=0', 'GOTOOLCHAIN=local', 'GOFLAGS=-buildvcs=false', 'go', 'build'].concat([
      '-trimpath',
      '-ldflags',
      '-s -w',
      '-o',
      out,
      '.',
    ]),
    { cwd: sourceDir, timeoutMs: 600_000 },
  );
}

/** A static Go program (a directory with go.mod and a main package) as an OCI archive. */
export async function buildGoImage(
  o: Omit<BinaryImageOptions, 'binary'> & { readonly sourceDir: string },
): Promise<void> {
  const binary = `${o.archive}.bin`;
  try {
    await buildStaticGo(o.sourceDir, binary);
    await packBinaryImage({ ...o, binary });
  } finally {
    await rm(binary, { force: true });
  }
}

const pauseSource = fileURLToPath(new URL('../tools/pause/', import.meta.url));

/**
 * The pause image's archive in gitward's cache, built from tools/pause when missing. Its file name
 * carries a hash of the source, so editing the program rebuilds it.
 */
export async function ensurePauseImage(cacheDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'main.go']) hash.update(readFileSync(join(pauseSource, f)));
  const dir = join(cacheDir, 'node');
  const archive = join(dir, `pause-${hash.digest('hex').slice(0, 16)}.oci.tar`);
  if (existsSync(archive)) return archive;
  await mkdir(dir, { recursive: true });
  await buildGoImage({ sourceDir: pauseSource, ref: pauseImageRef, archive });
  return archive;
}
