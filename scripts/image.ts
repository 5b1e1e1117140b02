/**
 * `npm run image`: builds gitward's OCI image archive without Docker, from the project's own
 * files: a Debian root filesystem (mmdebstrap), the pinned Node 24 from the npm `node` package,
 * helm, kustomize and gitward-jsonnet from build-binaries.sh, gitward's sources with production
 * node_modules, packed by umoci. Then unpacks the archive and runs the tools in it read-only as
 * the image's user (scripts/image-check.sh). The Dockerfile at the root holds the same steps.
 *
 * Flags: --force rebuilds even when the inputs are unchanged.
 */
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  appDir,
  baseImageTag,
  debianPackages,
  debianSources,
  debianSuite,
  binariesIn,
  imageCmd,
  imageDir,
  imageEntrypoint,
  imageEnv,
  imageRecordPath,
  imageRef,
  imageRepository,
  imageTag,
  imageUser,
  inputsDigest,
  layerTarArgs,
  mib,
  parseImageRecord,
  withContainerdNames,
  writablePaths,
  type Binaries,
  type ImageRecord,
} from '@gitward/local-cluster';

const root = fileURLToPath(new URL('..', import.meta.url));
const cacheDir = process.env['GITWARD_CACHE_DIR'] ?? join(homedir(), '.cache', 'gitward');
const outDir = imageDir(cacheDir);
const work = join(outDir, 'work');
const force = process.argv.includes('--force');
const log = (line: string) => process.stderr.write(`[image] ${line}\n`);

/** Runs a program (never a shell string) at lowered priority: other work shares these CPUs. */
function run(cmd: string, args: readonly string[], opts: SpawnSyncOptions = {}): void {
  const res = spawnSync('nice', ['-n', '10', cmd, ...args], { stdio: 'inherit', ...opts });
  if (res.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status ?? res.signal})`);
  }
}

const out = (cmd: string, args: readonly string[]) =>
  execFileSync(cmd, args, { cwd: root, encoding: 'utf8' }).trim();

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function requireTools(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'npm run image runs as root: mmdebstrap builds the Debian base in root mode and the check ' +
        'chroots into the unpacked image inside a private mount namespace',
    );
  }
  for (const t of ['mmdebstrap', 'umoci', 'tar', 'unshare', 'chroot']) {
    if (spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status !== 0) {
      throw new Error(`${t} is missing: run "sh scripts/ensure-deps.sh image" as root (apt-get)`);
    }
  }
}

/**
 * helm, kustomize and gitward-jsonnet from the version-set directory build-binaries.sh fills,
 * building only those (--renderers-only) when one is missing: the image needs no control plane.
 */
function rendererBinaries(): Binaries {
  const script = join(root, 'packages/local-cluster/scripts/build-binaries.sh');
  const bins = binariesIn(out('bash', [script, '--cache-dir', cacheDir, '--print-dir']));
  const wanted = [bins.path.helm, bins.path.kustomize, bins.path.jsonnet];
  if (!wanted.every((f) => existsSync(f))) {
    log('building helm, kustomize and gitward-jsonnet (build-binaries.sh --renderers-only)');
    run('bash', [script, '--cache-dir', cacheDir, '--renderers-only'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return bins;
}

/** The pinned Node: the npm `node` package from the lockfile, checked against what ran npm ci. */
function pinnedNode(): string {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const want = lock.packages['node_modules/node']?.version;
  const bin = join(root, 'node_modules', 'node', 'bin', 'node');
  const have = existsSync(bin) ? out(bin, ['--version']) : 'missing';
  if (want === undefined || have !== `v${want}`) {
    throw new Error(`node_modules/node is ${have}, package-lock.json pins ${want}: run npm ci`);
  }
  return bin;
}

/** gitward's tracked (or new, not ignored) files under packages/, tests left out. */
function sourceFiles(): string[] {
  return out('git', ['ls-files', '-co', '--exclude-standard', '-z', '--', 'packages'])
    .split('\0')
    .filter((f) => f !== '' && !/\.test\.tsx?$/.test(f) && existsSync(join(root, f)));
}

/** Every workspace's package.json: npm ci checks the lockfile against all of them. */
function workspaceManifests(): string[] {
  return ['packages', 'test'].flatMap((dir) =>
    readdirSync(join(root, dir))
      .map((d) => join(dir, d, 'package.json'))
      .filter((f) => existsSync(join(root, f))),
  );
}

function copyInto(destRoot: string, rel: string, from = join(root, rel)): void {
  const dest = join(destRoot, rel);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(from, dest);
  // Files are root's in the image; others may read them, and run them when git says executable.
  chmodSync(dest, statSync(from).mode & 0o111 ? 0o755 : 0o644);
}

/** A layer tar that depends only on the files (see layerTarArgs). */
function layerTar(dir: string, tarFile: string, epoch: number): void {
  run('tar', layerTarArgs(dir, tarFile, epoch, readdirSync(dir).sort()));
}

/** The Debian root filesystem, cached by what determines it (it takes minutes to download). */
function baseLayer(): { tar: string; key: string } {
  const userHook = [
    `echo "${imageUser.name}:x:${imageUser.uid}:${imageUser.uid}:gitward:${imageUser.home}:/usr/sbin/nologin" >>"$1/etc/passwd"`,
    `echo "${imageUser.name}:x:${imageUser.uid}:" >>"$1/etc/group"`,
    `mkdir -p "$1${imageUser.home}"`,
    `chown ${imageUser.uid}:${imageUser.uid} "$1${imageUser.home}"`,
  ].join('; ');
  const dpkgOpts = [
    'path-exclude=/usr/share/doc/*',
    'path-include=/usr/share/doc/*/copyright',
    'path-exclude=/usr/share/man/*',
    'path-exclude=/usr/share/info/*',
    'path-exclude=/usr/share/locale/*',
  ];
  const args = [
    '--quiet',
    // A tar whatever the output file is called (mmdebstrap guesses from the name otherwise).
    '--format=tar',
    '--variant=essential',
    `--include=${debianPackages.join(',')}`,
    ...dpkgOpts.map((o) => `--dpkgopt=${o}`),
    `--customize-hook=${userHook}`,
    debianSuite,
  ];
  const key = inputsDigest(new Map([['mmdebstrap', [...args, ...debianSources].join('\n')]]));
  const tar = join(outDir, `base-${key.slice(0, 16)}.tar`);
  if (existsSync(tar)) {
    log(`Debian base cached: ${tar}`);
    return { tar, key };
  }
  log(`building the Debian ${debianSuite} base with mmdebstrap (downloads packages)`);
  // A fixed epoch: the base is cached by its inputs, not rebuilt per commit.
  run('mmdebstrap', [...args, `${tar}.tmp`, ...debianSources], {
    env: { ...process.env, SOURCE_DATE_EPOCH: '1704067200' },
  });
  renameSync(`${tar}.tmp`, tar);
  return { tar, key };
}

function umoci(args: readonly string[]): void {
  run('umoci', args);
}

/** Sum of the regular files' sizes under a directory (du without following symlinks). */
function treeBytes(dir: string): number {
  return Number(out('du', ['-sb', dir]).split(/\s/)[0]);
}

interface Plan {
  readonly tag: string;
  readonly ref: string;
  /** The commit's time: every file and history entry is dated from it. */
  readonly epoch: number;
  readonly node: string;
  readonly tools: Readonly<Record<'helm' | 'kustomize' | 'jsonnet', string>>;
  readonly sources: readonly string[];
  readonly manifests: readonly string[];
  readonly digest: string;
}

function plan(): Plan {
  const node = pinnedNode();
  const bins = rendererBinaries();
  // gitward's confining jsonnet goes in under the name the processes call by default.
  const tools = {
    helm: bins.path.helm,
    kustomize: bins.path.kustomize,
    jsonnet: bins.path.jsonnet,
  };
  const tag = imageTag({
    shortSha: out('git', ['rev-parse', '--short=12', 'HEAD']),
    dirty: out('git', ['status', '--porcelain']) !== '',
  });
  const sources = sourceFiles();
  const manifests = workspaceManifests();
  const inputs = new Map<string, string>();
  const own = ['package.json', 'package-lock.json', 'scripts/image.ts', 'scripts/image-check.sh'];
  for (const f of [...sources, ...manifests, ...own]) inputs.set(f, sha256(join(root, f)));
  inputs.set('bin/node', sha256(node));
  for (const [name, path] of Object.entries(tools)) inputs.set(`bin/${name}`, sha256(path));
  inputs.set('tag', tag);
  return {
    tag,
    ref: imageRef(tag),
    epoch: Number(out('git', ['show', '-s', '--format=%ct', 'HEAD'])),
    node,
    tools,
    sources,
    manifests,
    digest: inputsDigest(inputs),
  };
}

/** The three layers on top of Debian, as directories under `work`. */
function stageLayers(p: Plan): { runtime: string; deps: string; app: string } {
  log('runtime layer: node, helm, kustomize, jsonnet');
  const runtime = join(work, 'runtime');
  copyInto(runtime, 'usr/local/bin/node', p.node);
  for (const [name, path] of Object.entries(p.tools)) {
    copyInto(runtime, `usr/local/bin/${name}`, path);
  }

  // The CLI's production closure only (its @gitward packages and their dependencies): the
  // web UI ships built, and testkit, e2e and their dependencies are for tests.
  log('dependencies layer: npm ci --omit=dev --workspace=packages/cli from the lockfile');
  const stage = join(work, 'stage');
  for (const f of ['package.json', 'package-lock.json', ...p.manifests]) copyInto(stage, f);
  const npmCi = ['ci', '--omit=dev', '--ignore-scripts', '--workspace=packages/cli'];
  run('npm', [...npmCi, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: stage });
  const deps = join(work, 'deps');
  const modules = join(deps, appDir, 'node_modules');
  mkdirSync(dirname(modules), { recursive: true });
  renameSync(join(stage, 'node_modules'), modules);
  rmSync(join(modules, '.package-lock.json'), { force: true });

  log('gitward layer: the sources of those packages and the built web UI');
  const linked = new Set(readdirSync(join(modules, '@gitward')));
  const app = join(work, 'app');
  const opt = join(app, appDir);
  const files = p.sources.filter((f) => linked.has(f.split('/')[1] ?? ''));
  for (const f of ['package.json', 'package-lock.json', 'packages/web/package.json', ...files]) {
    copyInto(opt, f);
  }
  run(
    join(root, 'node_modules', '.bin', 'vite'),
    ['build', '--logLevel', 'warn', '--outDir', join(opt, 'packages/web/dist'), 'packages/web'],
    { cwd: root },
  );
  mkdirSync(join(app, 'usr/local/bin'), { recursive: true });
  symlinkSync(`${appDir}/packages/cli/src/main.ts`, join(app, 'usr/local/bin/gitward'));
  return { runtime, deps, app };
}

/** Packs the layers into an OCI layout with umoci; returns the layout's directory. */
function pack(p: Plan, base: { tar: string; key: string }): string {
  log(`packing ${p.ref} with umoci`);
  const dirs = stageLayers(p);
  const layout = join(work, 'oci');
  const image = `${layout}:${p.tag}`;
  const created = new Date(p.epoch * 1000).toISOString();
  umoci(['init', '--layout', layout]);
  umoci(['new', '--image', image]);
  const layers: [string, string][] = [
    [base.tar, `mmdebstrap ${debianSuite}: ${debianPackages.join(' ')}`],
    [dirs.runtime, 'node (npm node package), helm, kustomize, gitward-jsonnet'],
    [dirs.deps, 'npm ci --omit=dev'],
    [dirs.app, 'gitward sources and web UI'],
  ];
  for (const [i, [src, what]] of layers.entries()) {
    let tar = src;
    if (!src.endsWith('.tar')) {
      tar = join(work, `layer-${i}.tar`);
      layerTar(src, tar, p.epoch);
    }
    umoci(
      ['raw', 'add-layer', '--image', image, `--history.created=${created}`].concat([
        `--history.created_by=${what}`,
        tar,
      ]),
    );
  }
  umoci([
    'config',
    '--image',
    image,
    '--no-history',
    `--created=${created}`,
    '--author=gitward',
    '--architecture=amd64',
    '--os=linux',
    `--config.user=${imageUser.uid}:${imageUser.uid}`,
    `--config.workingdir=${imageUser.home}`,
    ...imageEntrypoint.map((a) => `--config.entrypoint=${a}`),
    ...imageCmd.map((a) => `--config.cmd=${a}`),
    ...imageEnv.map((e) => `--config.env=${e}`),
    ...writablePaths.map((w) => `--config.volume=${w}`),
    `--config.label=org.opencontainers.image.source=https://github.com/gitward/gitward`,
    `--config.label=org.opencontainers.image.revision=${out('git', ['rev-parse', 'HEAD'])}`,
    `--config.label=org.opencontainers.image.version=${p.tag}`,
  ]);
  const baseTag = baseImageTag(base.key);
  const baseImage = `${layout}:${baseTag}`;
  umoci(['new', '--image', baseImage]);
  umoci(
    ['raw', 'add-layer', '--image', baseImage, `--history.created=${created}`].concat([
      `--history.created_by=mmdebstrap ${debianSuite}: ${debianPackages.join(' ')}`,
      base.tar,
    ]),
  );
  umoci(
    ['config', '--image', baseImage, '--no-history', `--created=${created}`].concat([
      '--architecture=amd64',
      '--os=linux',
      `--config.env=${imageEnv[0]}`,
    ]),
  );
  umoci(['gc', '--layout', layout]);
  nameInIndex(layout, [
    [p.tag, p.ref],
    [baseTag, `${imageRepository}-base:${baseTag.slice('base-'.length)}`],
  ]);
  return layout;
}

/** Unpacks the image and runs its tools read-only as its user; returns the unpacked size. */
function check(layout: string, tag: string): number {
  log('checking the archive: umoci unpack, then the tools run read-only as the image user');
  const bundle = join(work, 'bundle');
  umoci(['unpack', '--image', `${layout}:${tag}`, bundle]);
  const rootfs = join(bundle, 'rootfs');
  const script = join(root, 'scripts', 'image-check.sh');
  run(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'bash', script, rootfs].concat([
      String(imageUser.uid),
      ...writablePaths,
    ]),
  );
  return treeBytes(rootfs);
}

function main(): void {
  requireTools();
  const p = plan();
  mkdirSync(outDir, { recursive: true });
  const recordFile = imageRecordPath(cacheDir);
  const previous = existsSync(recordFile)
    ? parseImageRecord(readFileSync(recordFile, 'utf8'))
    : undefined;
  if (!force && previous?.inputsDigest === p.digest && existsSync(previous.archive)) {
    log(`inputs unchanged: keeping ${previous.archive} (--force rebuilds)`);
    summary(previous);
    return;
  }

  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const layout = pack(p, baseLayer());

  log('archiving the OCI layout');
  const archive = join(outDir, `gitward-${p.tag}.oci.tar`);
  layerTar(layout, `${archive}.tmp`, p.epoch);
  renameSync(`${archive}.tmp`, archive);
  for (const f of readdirSync(outDir)) {
    if (/^gitward-.*\.oci\.tar$/.test(f) && join(outDir, f) !== archive) rmSync(join(outDir, f));
  }

  const record: ImageRecord = {
    ref: p.ref,
    tag: p.tag,
    archive,
    compressedBytes: statSync(archive).size,
    unpackedBytes: check(layout, p.tag),
    inputsDigest: p.digest,
  };
  writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  rmSync(work, { recursive: true, force: true });
  summary(record);
}

/** Names each manifest fully for `ctr images import` (see withContainerdNames). */
function nameInIndex(layout: string, names: readonly (readonly [string, string])[]): void {
  const file = join(layout, 'index.json');
  writeFileSync(file, withContainerdNames(readFileSync(file, 'utf8'), names));
}

function summary(r: ImageRecord): void {
  process.stdout.write(
    [
      `image:      ${r.ref}`,
      `archive:    ${r.archive}`,
      `compressed: ${mib(r.compressedBytes)} (the archive)`,
      `unpacked:   ${mib(r.unpackedBytes)} (the root filesystem)`,
      '',
    ].join('\n'),
  );
}

try {
  main();
} catch (err) {
  process.stderr.write(`[image] error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
