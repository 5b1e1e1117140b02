import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { kustomizeBuildFor, noKustomizeSettings } from '@gitward/engine';
import { ErrorCode, GitwardError, type KubeObject, type KustomizeSource } from '@gitward/model';
import type { RenderContext } from './context.ts';
import { assertKustomizationConfined } from './kustomize-refs.ts';
import { buildEnv, envsubst } from './plugin-env.ts';
import { writableCopy } from './workspace.ts';

const kustomizationNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

async function kustomizationFile(dir: string): Promise<string> {
  const names = await readdir(dir);
  const found = kustomizationNames.find((n) => names.includes(n));
  if (!found)
    throw new GitwardError(ErrorCode.RenderFailed, 'no kustomization.yaml at the source path');
  return join(dir, found);
}

/**
 * Checks the kustomization at `dir` and every one it reaches through local directory references
 * (bases, components, resources), as kustomize would load them: no remote reference in any field
 * (remote bases make a render depend on more than the commit and reach the network) unless
 * enabled, and no local path leaving the repository copy. Kustomizations the source does not
 * reach are not its business: one broken app in a monorepo does not fail the others.
 */
async function assertKustomizationsConfined(
  root: string,
  dir: string,
  allowRemote: boolean,
): Promise<void> {
  const seen = new Set<string>();
  const queue = [dir];
  for (let d = queue.pop(); d !== undefined; d = queue.pop()) {
    if (seen.has(d)) continue;
    seen.add(d);
    const names = await readdir(d).catch(() => [] as string[]);
    const name = kustomizationNames.find((n) => names.includes(n));
    if (!name) continue;
    const file = join(d, name);
    const doc: unknown = parseDocument(await readFile(file, 'utf8')).toJS();
    const paths = assertKustomizationConfined(root, file, doc, allowRemote);
    for (const p of paths) {
      if (
        await stat(p).then(
          (st) => st.isDirectory(),
          () => false,
        )
      )
        queue.push(p);
    }
  }
}

/**
 * The `kustomize edit` commands that apply an Application's overrides (as Argo CD runs them).
 * `vars` is the build environment `commonAnnotationsEnvsubst` expands annotation values with.
 */
export function kustomizeEdits(
  k: KustomizeSource,
  vars: Readonly<Record<string, string>> = {},
): string[][] {
  const edits: string[][] = [];
  const setters = [
    ['nameprefix', k.namePrefix],
    ['namesuffix', k.nameSuffix],
    ['namespace', k.namespace],
  ] as const;
  for (const [what, value] of setters) if (value) edits.push(['set', what, '--', value]);
  if (k.images?.length) edits.push(['set', 'image', ...k.images]);
  edits.push(...metadataEdits(k, vars));
  for (const r of k.replicas ?? []) edits.push(['set', 'replicas', `${r.name}=${r.count}`]);
  for (const c of k.components ?? []) edits.push(['add', 'component', c]);
  return edits;
}

function metadataEdits(k: KustomizeSource, vars: Readonly<Record<string, string>>): string[][] {
  const pairs = (m: Record<string, string>) =>
    Object.entries(m)
      .map(([a, b]) => `${a}:${b}`)
      .join(',');
  const flag = (on: boolean | undefined, name: string) => (on ? [name] : []);
  const edits: string[][] = [];
  if (k.commonLabels && Object.keys(k.commonLabels).length) {
    edits.push([
      'add',
      'label',
      ...flag(k.forceCommonLabels, '--force'),
      ...flag(k.labelWithoutSelector, '--without-selector'),
      ...flag(k.labelIncludeTemplates, '--include-templates'),
      pairs(k.commonLabels),
    ]);
  }
  if (k.commonAnnotations && Object.keys(k.commonAnnotations).length) {
    edits.push([
      'add',
      'annotation',
      ...flag(k.forceCommonAnnotations, '--force'),
      pairs(
        k.commonAnnotationsEnvsubst
          ? Object.fromEntries(
              Object.entries(k.commonAnnotations).map(([a, v]) => [a, envsubst(v, vars)]),
            )
          : k.commonAnnotations,
      ),
    ]);
  }
  return edits;
}

/** Patches are appended to the kustomization file directly; `kustomize edit` cannot express targets. */
async function addPatches(
  file: string,
  patches: NonNullable<KustomizeSource['patches']>,
): Promise<void> {
  const doc = parseDocument(await readFile(file, 'utf8'));
  const existing = (doc.toJS() as { patches?: unknown[] } | null)?.patches ?? [];
  doc.set('patches', doc.createNode([...existing, ...patches]));
  await writeFile(file, doc.toString());
}

/**
 * A Kustomize source: the real kustomize builds a private copy of the repository after the
 * Application's overrides are applied. Exec plugins and remote bases stay off; Helm inflation
 * and the load restrictor follow the settings' build options (engine's kustomize-settings.ts),
 * and the binary the app's `kustomize.version` registers there builds it.
 */
export function createKustomizeRenderer(opts: {
  allowRemoteBases: boolean;
  /** gitward's helm, which `--enable-helm` builds run (not whatever `helm` PATH finds). */
  helm?: string;
}) {
  return async (ctx: RenderContext): Promise<KubeObject[]> => {
    const k = ctx.source.kustomize ?? {};
    const build = kustomizeBuildFor(ctx.kustomize ?? noKustomizeSettings, k.version);
    if (!build)
      throw new GitwardError(
        ErrorCode.RenderFailed,
        `kustomize version ${k.version ?? ''} is not registered (kustomize.path.${k.version ?? ''} in the settings)`,
      );
    const run = (args: readonly string[], cwd: string) =>
      ctx.run('kustomize', args, cwd, {}, build.binary);
    const copy = await writableCopy(ctx.repoRoot, ctx.sourceDir, ctx.scratch);
    const file = await kustomizationFile(copy.dir);
    for (const edit of kustomizeEdits(k, buildEnv(ctx))) await run(['edit', ...edit], copy.dir);
    if (k.patches?.length) await addPatches(file, k.patches);
    // Checked after the overrides, which may add references (components), before the build: it
    // keeps every path inside the repository copy, whatever the load restrictor. That restrictor
    // is kustomize's default unless the settings loosen it (stated, so a changed default cannot).
    await assertKustomizationsConfined(copy.root, copy.dir, opts.allowRemoteBases);
    const restrictor = build.buildOptions.some((o) => o.startsWith('--load-restrictor='))
      ? []
      : ['--load-restrictor=LoadRestrictionsRootOnly'];
    const helm =
      opts.helm && build.buildOptions.includes('--enable-helm')
        ? [`--helm-command=${opts.helm}`]
        : [];
    const out = await run(
      ['build', ...restrictor, ...helm, ...build.buildOptions, copy.dir],
      copy.dir,
    );
    const parsed = await ctx.parse(out, 'kustomize build');
    if (parsed.errors[0])
      throw new GitwardError(
        ErrorCode.RenderFailed,
        `kustomize output: ${parsed.errors[0].message}`,
      );
    return parsed.objects;
  };
}
