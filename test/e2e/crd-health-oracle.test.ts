import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { crdCheckKeys } from '@gitward/engine';
import { buildArgocd, verdicts, type Oracle } from './support/argocd-health.ts';
import { runCli } from './support/cli.ts';

// The oracle for the built-in health checks of custom resources (packages/engine/src/health/crd):
// for every kind gitward has a check for, every object of Argo CD's own test data for that kind
// (read at test time from the argo-cd module in the Go module cache, which building the argocd
// peer fills) judged by Argo CD v3.6.2 with an empty argocd-cm (its built-in Lua) and by
// `gitward admin health` with no customization. Status and message must be the same.

const run = promisify(execFile);
const argoModule = 'github.com/argoproj/argo-cd/v3@v3.6.2';
let oracle: Oracle = { argocd: '', home: '' };
let dir = '';
let customizations = '';

/** Where Argo CD keeps a kind's test data: `_` in a directory name is its wildcard. */
const dirOf = (key: string) => key.replaceAll('*', '_');

async function yamlFilesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Fixtures whose verdicts differ, each with why (keys: paths under resource_customizations).
 * None so far.
 */
const knownDifferences: Readonly<Record<string, string>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-crd-oracle-'));
  oracle = { argocd: await buildArgocd(), home: dir };
  const { stdout } = await run('go', ['env', 'GOMODCACHE'], {
    timeout: 60_000,
    env: { ...process.env, GOTOOLCHAIN: 'local' },
  });
  customizations = join(stdout.trim(), argoModule, 'resource_customizations');
  await access(customizations);
}, 31 * 60_000);

describe('built-in custom resource health checks: gitward against Argo CD itself', () => {
  it("gives every object of Argo CD's test data the verdict Argo CD gives it", async () => {
    const emptyCm = join(dir, 'empty-cm.yaml');
    await writeFile(
      emptyCm,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm}\ndata: {}\n',
    );
    const paths: string[] = [];
    for (const key of crdCheckKeys) {
      const files = await yamlFilesUnder(join(customizations, dirOf(key), 'testdata'));
      // A kind gitward checks must be one Argo CD checks, with test data to compare on.
      expect(files, `Argo CD test data for ${key}`).not.toEqual([]);
      paths.push(...files);
    }
    const { ours, theirs } = await verdicts(oracle, emptyCm, paths);
    const table = (list: readonly string[]) =>
      paths.flatMap((p, i) => {
        const name = relative(customizations, p);
        return Object.hasOwn(knownDifferences, name) ? [] : [`${name} → ${list[i]}`];
      });
    expect(table(ours)).toEqual(table(theirs));
    expect(theirs.filter((v) => v === 'none' || v === 'error')).toEqual([]);
  });
});

describe('the generic conditions check (gitward only: Argo CD has no such mode)', () => {
  const objects: Record<string, string> = {
    ready: 'status: {conditions: [{type: Ready, status: "True", message: all good}]}',
    failing: 'status: {conditions: [{type: Ready, status: "False", reason: Broken, message: no disk}]}',
    reconciling: `status: {conditions: [{type: Ready, status: "Unknown"}, {type: Reconciling, status: "True", message: rolling}]}`,
    stalled: 'status: {conditions: [{type: Stalled, status: "True", reason: Quota}]}',
    stale: 'status: {observedGeneration: 1, conditions: [{type: Ready, status: "True"}]}',
    silent: 'status: {phase: Running}',
  };

  it('judges kinds with no check by their conditions, and only when turned on', async () => {
    const names = Object.keys(objects);
    const paths = names.map((n) => join(dir, `generic-${n}.yaml`));
    await Promise.all(
      names.map((n, i) =>
        writeFile(
          paths[i] ?? '',
          `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${n}, generation: 2}\n${objects[n]}\n`,
        ),
      ),
    );
    const judge = async (extra: readonly string[]) => {
      const cli = await runCli([
        ...['admin', 'health', ...paths.flatMap((p) => ['-f', p]), '-o', 'json', ...extra],
      ]);
      expect(cli.code, cli.stderr).toBe(0);
      return cli.stdout
        .trim()
        .split('\n')
        .map((l) => {
          const h = JSON.parse(l) as { status: string | null; message?: string };
          return h.message ? `${h.status}: ${h.message}` : String(h.status);
        });
    };
    expect(await judge([])).toEqual(names.map(() => 'null'));
    expect(await judge(['--generic-conditions'])).toEqual([
      'Healthy: all good',
      'Degraded: no disk',
      'Progressing: rolling',
      'Degraded: Quota',
      'Progressing: Waiting for the controller to observe generation 2 (observed 1)',
      'null',
    ]);
  });
});
