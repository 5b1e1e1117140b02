import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import { appNamespace as ns, refresh } from './support/sync-fixtures.ts';

/**
 * A repository written by an attacker, rendered by the real controller with the real tools: every
 * way of reading a file outside the repository (jsonnet imports, ext code, a Helm symlink, a
 * file:// dependency, kustomize remote transformers and `..` directories) is refused with a clear
 * ComparisonError, nothing of the file reaches the cluster or the status, and the controller keeps
 * reconciling a good app as the leader.
 */
// A plugin that forks: its background child would outlive a kill of the plugin alone. Its sleep
// length is a marker for finding leftovers in /proc afterwards.
const forkSleep = '4242';
const pluginsFile = join(tmpdir(), `gitward-plugins-${randomBytes(6).toString('hex')}.json`);
writeFileSync(
  pluginsFile,
  JSON.stringify([
    {
      name: 'forker',
      generate: ['sh', '-c', `sleep ${forkSleep} & sleep ${forkSleep}`],
      timeoutSeconds: 1,
    },
  ]),
);
const bed = useSyncBed('hostile', ['--sync-timeout-seconds', '60', '--plugins', pluginsFile]);

/** Processes whose command line is `sleep <forkSleep>`, anywhere on the machine. */
async function forkLeftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd === `sleep\0${forkSleep}\0`) found.push(pid);
  }
  return found;
}

// A "ServiceAccount token" outside every repository, on the controller's disk.
const marker = `GITWARD-SECRET-${randomBytes(8).toString('hex')}`;
let outside: string;
// The escaping symlink lives in a repository of its own: every tool that copies or walks the
// repository (kustomize, plugins, helm) refuses the whole tree because of it.
let symlinkServer: GitServer;
let symlinkRepo: TestRepo;
let secretFile: string;
const up = '../'.repeat(40);

beforeAll(async () => {
  outside = await mkdtemp(join(tmpdir(), 'gitward-outside-'));
  secretFile = join(outside, 'token');
  await writeFile(secretFile, marker);
  // A chart and a kustomization outside the repository that would publish the secret.
  await mkdir(join(outside, 'depchart', 'templates'), { recursive: true });
  await writeFile(
    join(outside, 'depchart', 'Chart.yaml'),
    'apiVersion: v2\nname: dep\nversion: 0.1.0\n',
  );
  await writeFile(
    join(outside, 'depchart', 'templates', 'cm.yaml'),
    `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: leak-dep }\ndata: { x: "${marker}" }\n`,
  );
  await writeFile(
    join(outside, 'kustomization.yaml'),
    'configMapGenerator: [{ name: leak-kust, files: [token] }]\n',
  );
});
afterAll(async () => {
  await symlinkServer.close();
  await rm(outside, { recursive: true, force: true });
  await rm(pluginsFile, { force: true });
});

const cmJsonnet = (data: string) =>
  `{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'leak' }, data: { x: ${data} } }`;
const goodCm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: good }\ndata: { a: "1" }\n';

async function commitHostileRepo(): Promise<void> {
  const { repo } = bed;
  const chart = 'apiVersion: v2\nname: c\nversion: 0.1.0\n';
  await repo.commit(
    {
      'good/cm.yaml': goodCm,
      'jsonnet-abs/main.jsonnet': cmJsonnet(`importstr '${secretFile}'`),
      'jsonnet-dotdot/main.jsonnet': cmJsonnet(`importstr '${up}${secretFile.slice(1)}'`),
      'jsonnet-ext/main.jsonnet': cmJsonnet(`std.extVar('x')`),
      'helm-filedep/Chart.yaml': `${chart}dependencies:\n  - name: dep\n    version: 0.1.0\n    repository: "file://${up}${outside.slice(1)}/depchart"\n`,
      'helm-filedep/templates/cm.yaml': goodCm,
      'kustomize-remote/kustomization.yaml':
        'resources: [cm.yaml]\ntransformers: ["https://127.0.0.1:1/transformer.yaml"]\n',
      'kustomize-remote/cm.yaml': goodCm,
      'kustomize-via-base/kustomization.yaml': 'resources: [../kustomize-remote]\n',
      'kustomize-escape/kustomization.yaml': `resources: ["${up}${outside.slice(1)}"]\n`,
    },
    'hostile',
  );
  await repo.push();
  symlinkServer = await createGitServer();
  symlinkRepo = await symlinkServer.createRepo('hostile-symlink');
  await symlinkRepo.commit(
    {
      'helm-symlink/Chart.yaml': chart,
      'helm-symlink/templates/cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: leak }\ndata: { x: {{ .Files.Get "leak.txt" | quote }} }\n',
    },
    'chart',
  );
  await symlink(secretFile, join(symlinkRepo.workdir, 'helm-symlink', 'leak.txt'));
  await symlinkRepo.commit({}, 'symlink out of the repository');
  await symlinkRepo.push();
}

const comparisonError = (a: Application) =>
  (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError');

describe('a hostile repository', () => {
  const dest = uniqueName('hostile');

  beforeAll(async () => {
    await kubectl(['create', 'namespace', dest]);
    await commitHostileRepo();
  });

  const cases: [string, string, RegExp][] = [
    ['jsonnet-abs', 'jsonnet-abs', /absolute paths are not allowed/],
    ['jsonnet-dotdot', 'jsonnet-dotdot', /outside the repository/],
    // ext code from the Application spec, not from the repository
    ['jsonnet-ext', 'jsonnet-ext', /absolute paths are not allowed/],
    [
      'helm-symlink',
      'helm-symlink',
      /symlink helm-symlink\/leak.txt points outside the repository/,
    ],
    ['helm-filedep', 'helm-filedep', /helm dependency file:\/\/.* leaves the repository/],
    [
      'kustomize-remote',
      'kustomize-remote',
      /remote reference .*transformer.yaml.* in transformers/,
    ],
    // A remote transformer in a base the source reaches is refused too.
    [
      'kustomize-via-base',
      'kustomize-via-base',
      /remote reference .*transformer.yaml.* in transformers/,
    ],
    ['kustomize-escape', 'kustomize-escape', /resources entry .* leaves the repository/],
  ];

  it.each(cases)(
    '%s is refused with a clear ComparisonError and leaks nothing',
    async (name, path, why) => {
      const app = JSON.parse(bed.application(`hostile-${name}`, dest, path)) as Application;
      if (name === 'helm-symlink')
        app.spec.source = { ...app.spec.source, repoURL: symlinkRepo.url };
      if (name === 'jsonnet-ext') {
        app.spec.source = {
          ...app.spec.source,
          directory: {
            jsonnet: { extVars: [{ name: 'x', value: `importstr '${secretFile}'`, code: true }] },
          },
        } as Application['spec']['source'];
      }
      await kubectl(['apply', '-f', '-'], JSON.stringify(app));
      const a = await bed.waitApp(`hostile-${name}`, (x) => comparisonError(x) !== undefined);
      expect(comparisonError(a)?.message).toMatch(why);
      expect(JSON.stringify(a)).not.toContain(marker);
    },
  );

  it('a forking plugin is cut at its 1 s timeout with its whole process tree', async () => {
    const app = JSON.parse(bed.application('hostile-forker', dest, 'good')) as Application;
    app.spec.source = {
      ...app.spec.source,
      plugin: { name: 'forker' },
    } as Application['spec']['source'];
    await kubectl(['apply', '-f', '-'], JSON.stringify(app));
    const a = await bed.waitApp('hostile-forker', (x) => comparisonError(x) !== undefined);
    expect(comparisonError(a)?.message).toMatch(/plugin:forker did not finish within 1s/);
    // The plugin's own sleep and the one it forked into the background are both gone.
    expect(await forkLeftovers()).toEqual([]);
  });

  it('put nothing of the file into the cluster, and the controller still reconciles a good app as the leader', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      bed.application('hostile-good', dest, 'good', {
        syncPolicy: { automated: {} },
      }),
    );
    await refresh('hostile-good');
    const good = await bed.waitApp(
      'hostile-good',
      (a) => a.status?.sync?.status === 'Synced' && a.status.health?.status === 'Healthy',
    );
    expect(comparisonError(good)).toBeUndefined();
    const all = await kubectl(['get', 'configmaps', '-A', '-o', 'json']);
    expect(all).not.toContain(marker);
    const apps = await kubectl(['get', 'applications.gitward.dev', '-n', ns, '-o', 'json']);
    expect(apps).not.toContain(marker);
    // Still ready and still the leader: the hostile repositories did not cost it the lease.
    await bed.controller.ready(5000);
  });
});
