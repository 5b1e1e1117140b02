import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import type { TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { useCliBed } from './support/cli-bed.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { appNamespace, applyProject, cm } from './support/sync-fixtures.ts';

// The app commands that write and read specs (create with flags and -f, list filters, get's sync
// policy, history -o, patch, edit), run as a user runs them against a real API server, controller
// and control plane; what they stored is read back from the cluster, not from the CLI.

const bed = useCliBed('cli-spec-pass');
const { gitward } = bed;
let repo: TestRepo;
let other: TestRepo;
const inCluster = 'https://kubernetes.default.svc';

/** The Application as stored in the cluster. */
const stored = (name: string): Promise<Application> =>
  getJson<Application>(['applications.gitward.dev', name, '-n', appNamespace]);

async function file(name: string, text: string): Promise<string> {
  const path = join(bed.dir(), name);
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  repo = await bed.git().createRepo('cli-spec');
  await repo.commit({ 'app/cm.json': cm('spec-settings') }, 'v1');
  await repo.push();
  other = await bed.git().createRepo('cli-spec-other');
  await other.commit({ 'app/cm.json': cm('other-settings') }, 'v1');
  await other.push();
  await applyProject('cli-spec-team');
});

describe('gitward app create', () => {
  it('stores the spec argocd flags describe', async () => {
    const name = uniqueName('flags');
    const dest = uniqueName('ns');
    const create = await gitward([
      'app',
      'create',
      name,
      ...['--repo', repo.url, '--path', 'app', '--revision', 'main'],
      ...['--dest-name', 'in-cluster', '--dest-namespace', dest],
      ...['--project', 'cli-spec-team', '--sync-policy', 'none'],
      ...['--sync-option', 'CreateNamespace=true', '--sync-retry-limit', '2'],
      ...['--directory-recurse', '--directory-exclude', 'test/*'],
      ...['--jsonnet-ext-var-str', 'env=prod', '--jsonnet-tla-code', 'replicas=2'],
      ...['--label', 'team=web', '--annotations', 'note=from cli', '--set-finalizer'],
    ]);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout.trim()).toBe(`application '${name}' created`);
    const app = await stored(name);
    expect(app.metadata.labels).toEqual({ team: 'web' });
    expect(app.metadata.annotations?.['note']).toBe('from cli');
    expect(app.metadata.finalizers).toContain('resources-finalizer.argocd.argoproj.io');
    expect(app.spec).toEqual({
      project: 'cli-spec-team',
      source: {
        repoURL: repo.url,
        path: 'app',
        targetRevision: 'main',
        directory: {
          recurse: true,
          exclude: 'test/*',
          jsonnet: {
            extVars: [{ name: 'env', value: 'prod' }],
            tlas: [{ name: 'replicas', value: '2', code: true }],
          },
        },
      },
      destination: { name: 'in-cluster', namespace: dest },
      syncPolicy: { syncOptions: ['CreateNamespace=true'], retry: { limit: 2 } },
    });

    // Helm flags on a Helm-repository source: chart and version, parameters, values.
    const helm = uniqueName('helm');
    const values = await file('values.yaml', 'replicaCount: 3\n');
    const createHelm = await gitward([
      'app',
      'create',
      helm,
      ...['--repo', 'https://charts.example.invalid', '--helm-chart', 'web'],
      ...['--revision', '1.2.3', '--dest-namespace', dest, '--release-name', 'site'],
      ...['--helm-set', 'image.tag=v2', '--helm-set-string', 'port=8080'],
      ...['--values', 'prod.yaml', '--values-literal-file', values],
    ]);
    expect(createHelm.code, createHelm.stderr).toBe(0);
    expect((await stored(helm)).spec.source).toEqual({
      repoURL: 'https://charts.example.invalid',
      chart: 'web',
      targetRevision: '1.2.3',
      helm: {
        parameters: [
          { name: 'image.tag', value: 'v2' },
          { name: 'port', value: '8080', forceString: true },
        ],
        valueFiles: ['prod.yaml'],
        values: 'replicaCount: 3\n',
        releaseName: 'site',
      },
    });
    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', helm, name]);
  });

  it('creates from an Argo CD manifest (-f), with flags over it, and upserts as argocd does', async () => {
    const name = uniqueName('file');
    const dest = uniqueName('ns');
    const manifest = await file(
      `${name}.yaml`,
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: {name: ${name}, labels: {team: web}}`,
        'spec:',
        '  project: default',
        `  source: {repoURL: '${repo.url}', path: app, targetRevision: HEAD}`,
        `  destination: {server: '${inCluster}', namespace: ${dest}}`,
        '',
      ].join('\n'),
    );
    const create = await gitward([
      'app',
      'create',
      '-f',
      manifest,
      '--revision',
      'main',
      '--label',
      'tier=front',
    ]);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout.trim()).toBe(`application '${name}' created`);
    const app = await stored(name);
    expect(app.metadata.labels).toEqual({ team: 'web', tier: 'front' });
    expect(app.spec.source).toEqual({ repoURL: repo.url, path: 'app', targetRevision: 'main' });

    const same = await gitward(['app', 'create', '-f', manifest, '--revision', 'main']);
    expect(same.stdout.trim(), same.stderr).toBe(`application '${name}' unchanged`);
    const different = await gitward(['app', 'create', '-f', manifest]);
    expect(different.code).not.toBe(0);
    expect(different.stderr).toMatch(/existing application spec is different, use upsert/);
    const upsert = await gitward(['app', 'create', '-f', manifest, '--upsert']);
    expect(upsert.stdout.trim(), upsert.stderr).toBe(`application '${name}' updated`);
    expect((await stored(name)).spec.source?.targetRevision).toBe('HEAD');

    const wrongName = await gitward(['app', 'create', 'another', '-f', manifest]);
    expect(wrongName.stderr.trim()).toBe(
      `error: app name 'another' does not match app spec metadata.name '${name}'`,
    );
    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', name]);
  });

  it('refuses a file with a prototype key and creates nothing', async () => {
    const name = uniqueName('proto');
    const manifest = await file(
      `${name}.json`,
      JSON.stringify({
        apiVersion: 'gitward.dev/v1alpha1',
        kind: 'Application',
        metadata: { name },
        spec: {
          project: 'default',
          source: { repoURL: repo.url, path: 'app' },
          destination: { server: inCluster, namespace: 'x' },
        },
      }).replace('"project"', '"__proto__":{"admin":true},"project"'),
    );
    const create = await gitward(['app', 'create', '-f', manifest]);
    expect(create.code).not.toBe(0);
    expect(create.stderr).toMatch(/the key "__proto__" \(at \/spec\/__proto__\) is not allowed/);
    expect(
      await kubectl(['-n', appNamespace, 'get', 'applications.gitward.dev', '-o', 'name']),
    ).not.toContain(name);
  });
});

describe('gitward app list filters', () => {
  it('filters by label selector, project, repository and cluster (URL or name)', async () => {
    const web = uniqueName('list-web');
    const db = uniqueName('list-db');
    const dest = uniqueName('ns');
    const made = await Promise.all([
      gitward([
        ...['app', 'create', web, '--repo', repo.url, '--path', 'app'],
        ...['--dest-namespace', dest, '--label', 'tier=web', '--project', 'cli-spec-team'],
      ]),
      gitward([
        ...['app', 'create', db, '--repo', other.url, '--path', 'app'],
        ...['--dest-name', 'in-cluster', '--dest-namespace', dest, '--label', 'tier=db'],
      ]),
    ]);
    for (const m of made) expect(m.code, m.stderr).toBe(0);
    const names = async (...flags: string[]): Promise<string[]> => {
      const r = await gitward(['app', 'list', '-o', 'name', ...flags]);
      expect(r.code, r.stderr).toBe(0);
      // Other files' apps may be listed too: only these two are looked at.
      return r.stdout
        .split('\n')
        .map((l) => l.trim().split('/').at(-1) ?? '')
        .filter((n) => n === web || n === db)
        .sort();
    };
    expect(await names()).toEqual([db, web].sort());
    expect(await names('-l', 'tier=web')).toEqual([web]);
    expect(await names('-l', 'tier in (web,db)')).toEqual([db, web].sort());
    expect(await names('-p', 'cli-spec-team')).toEqual([web]);
    expect(await names('-p', 'default,cli-spec-team')).toEqual([db, web].sort());
    expect(await names('-r', other.url)).toEqual([db]);
    expect(await names('--cluster', inCluster)).toEqual([web]);
    expect(await names('--cluster', 'in-cluster')).toEqual([db]);

    const json = await gitward(['app', 'list', '-o', 'json', '-l', 'tier=web']);
    const listed = JSON.parse(json.stdout) as Application[];
    expect(listed.map((a) => a.metadata.name)).toEqual([web]);
    const wide = await gitward(['app', 'list', '-r', repo.url]);
    expect(wide.stdout).toMatch(/^NAME\s+CLUSTER\s+NAMESPACE\s+PROJECT/);
    expect(wide.stdout).toContain(web);
    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', web, db]);
  });
});

describe('gitward app get, history, patch and edit', () => {
  const name = uniqueName('auto');
  const dest = uniqueName('ns');

  beforeAll(async () => {
    const create = await gitward([
      ...['app', 'create', name, '--repo', repo.url, '--path', 'app', '--revision', 'main'],
      ...['--dest-namespace', dest, '--sync-option', 'CreateNamespace=true'],
      ...['--sync-policy', 'automated', '--auto-prune', '--self-heal'],
    ]);
    expect(create.code, create.stderr).toBe(0);
  });
  afterAll(async () => {
    await kubectl([
      ...['-n', appNamespace, 'delete', 'applications.gitward.dev', name],
      '--ignore-not-found',
    ]);
  });

  it('shows prune and self heal in the Sync Policy line', async () => {
    const get = await gitward(['app', 'get', name]);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toMatch(/^Sync Policy:\s+Automated \(Prune, Self Heal\)$/m);
  });

  it('prints the history as JSON and YAML once the automated sync is recorded', async () => {
    await waitApplication(
      { group: 'gitward.dev', namespace: appNamespace, name },
      (a) => (a.status?.history?.length ?? 0) > 0,
      { timeoutMs: 90_000, logFile: bed.controller().logFile },
    );
    const json = await gitward(['app', 'history', name, '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const history = JSON.parse(json.stdout) as { id: number; revision?: string }[];
    expect(history[0]?.id).toBe(0);
    expect(history[0]?.revision).toMatch(/^[0-9a-f]{40}$/);
    const yaml = await gitward(['app', 'history', name, '-o', 'yaml']);
    expect(yaml.stdout).toMatch(/^- id: 0$/m);
    const ids = await gitward(['app', 'history', name, '-o', 'id']);
    expect(ids.stdout.trim().split('\n')[0]).toBe('0');
    const bad = await gitward(['app', 'history', name, '-o', 'tree']);
    expect(bad.stderr.trim()).toBe('error: -o must be one of wide, id, json, yaml');
  });

  it('patches with a JSON patch and a merge patch, and the server refuses prototype keys', async () => {
    const json = await gitward([
      ...['app', 'patch', name, '--patch'],
      '[{"op":"replace","path":"/spec/syncPolicy/automated/selfHeal","value":false}]',
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).toMatch(/^kind: Application$/m);
    expect(json.stdout).toMatch(/selfHeal: false/);
    expect((await stored(name)).spec.syncPolicy?.automated).toEqual({
      prune: true,
      selfHeal: false,
    });

    const merge = await gitward([
      ...['app', 'patch', name, '--type', 'merge', '--patch'],
      '{"metadata":{"labels":{"patched":"yes"}},"spec":{"revisionHistoryLimit":3}}',
    ]);
    expect(merge.code, merge.stderr).toBe(0);
    const app = await stored(name);
    expect(app.metadata.labels?.['patched']).toBe('yes');
    expect(app.spec.revisionHistoryLimit).toBe(3);

    const hostile = await gitward([
      ...['app', 'patch', name, '--type', 'merge', '--patch'],
      '{"spec":{"__proto__":{"project":"evil"}}}',
    ]);
    expect(hostile.code).not.toBe(0);
    expect((await stored(name)).spec.project).toBe('default');
    const badType = await gitward(['app', 'patch', name, '--patch', '{}', '--type', 'strategic']);
    expect(badType.stderr.trim()).toBe('error: --type must be json or merge');
  });

  it('edits the spec in $EDITOR, reopening it with the error after an invalid edit', async () => {
    const dir = bed.dir();
    const counter = join(dir, 'edit-count');
    const editor = await file(
      'editor.sh',
      [
        '#!/bin/sh',
        'for f; do :; done',
        `n=$(cat "${counter}" 2>/dev/null || echo 0)`,
        `echo $((n + 1)) > "${counter}"`,
        `cp "$f" "${dir}/opened-$n.yaml"`,
        // First an edit the schema refuses, then a valid one (that also drops the bad line).
        `[ "$n" = 0 ] && sed -i 's/^project: default$/project: [not, a, string]/' "$f"`,
        `[ "$n" = 1 ] && sed -i -e 's/^project: .*$/project: default/' -e 's/targetRevision: main/targetRevision: HEAD/' "$f"`,
        'exit 0',
        '',
      ].join('\n'),
    );
    await chmod(editor, 0o755);
    const edit = await gitward(['app', 'edit', name], { EDITOR: `${editor} --wait` });
    expect(edit.code, edit.stderr).toBe(0);
    expect(edit.stdout.trim()).toBe(`application '${name}' updated`);
    expect((await stored(name)).spec.source?.targetRevision).toBe('HEAD');
    const reopened = await readFile(join(dir, 'opened-1.yaml'), 'utf8');
    expect(reopened).toMatch(/^# the edited spec is invalid: project/m);

    // Left as it was: cancelled with argocd's message, and nothing is written.
    const before = (await stored(name)).spec;
    const untouched = await gitward(['app', 'edit', name], { EDITOR: 'true' });
    expect(untouched.code).not.toBe(0);
    expect(untouched.stderr.trim()).toBe('error: edit cancelled, no valid changes were saved');
    expect((await stored(name)).spec).toEqual(before);
  });
});
