import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBinaries } from '@gitward/local-cluster';
import type { RepoCredsView, RepositoryView } from '@gitward/model';
import { createOciRegistry, writeChart, type OciRegistry } from '@gitward/testkit';
import type { CliRun } from './support/cli.ts';
import { useCliBed } from './support/cli-bed.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { appNamespace } from './support/sync-fixtures.ts';

/**
 * `gitward repo add` and `gitward repocreds add|list|rm` with Argo CD's flags for an OCI Helm
 * registry (`--type helm --enable-oci --insecure-oci-force-http`), against the real API server,
 * controller and a real registry (Debian's docker-registry with htpasswd): the Secrets are written
 * as Argo CD writes them, and an app created with `gitward app create --helm-chart` from the
 * registry is rendered by the server and synced Healthy by the controller.
 */
const bed = useCliBed('cli-oci-admin-pw');
const auth = { username: 'oci-carol', password: 'oci-cli-s3cret' };

let registry: OciRegistry;
let work: string;

async function ok(args: readonly string[]): Promise<string> {
  const run: CliRun = await bed.gitward(args);
  expect(run.code, `gitward ${args.join(' ')}: ${run.stderr}${run.stdout}`).toBe(0);
  expect(run.stdout + run.stderr).not.toContain(auth.password);
  return run.stdout;
}
const json = async <T>(args: readonly string[]): Promise<T> =>
  JSON.parse(await ok([...args, '-o', 'json'])) as T;

/** The decoded data of the Secrets with this secret-type whose url is `url`. */
async function storedSecret(type: string, url: string): Promise<Record<string, string>> {
  const list = await getJson<{ items: { data: Record<string, string> }[] }>([
    'secrets',
    '-n',
    appNamespace,
    '-l',
    `gitward.dev/secret-type=${type}`,
  ]);
  const decoded = list.items.map((s) =>
    Object.fromEntries(
      Object.entries(s.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
    ),
  );
  const found = decoded.find((d) => d['url'] === url);
  if (!found) throw new Error(`no ${type} Secret for ${url}`);
  return found;
}

beforeAll(async () => {
  const bin = await ensureBinaries({ cacheDir: inject('cacheDir') });
  registry = await createOciRegistry({ helm: bin.path.helm, auth });
  work = await mkdtemp(join(tmpdir(), 'gitward-cli-oci-'));
  const dir = await writeChart(join(work, 'web'), {
    name: 'web',
    version: '1.2.3',
    values: 'color: blue\n',
    templates: {
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\n' +
        'data:\n  color: {{ .Values.color | quote }}\n  chart: {{ .Chart.Version | quote }}\n',
    },
  });
  for (const path of ['charts', 'tpl']) await registry.push(dir, path);
}, 180_000);
afterAll(async () => {
  await registry.close();
  await rm(work, { recursive: true, force: true });
});

describe('gitward repo add for an OCI Helm registry', () => {
  it('stores the registry as Argo CD does, and an app from it renders and syncs Healthy', async () => {
    const url = `${registry.host}/charts`;
    // As argocd repo add: the registry is logged in to first, and a wrong password is refused.
    const wrongPassword = 'not-the-registry-pw';
    const refused = await bed.gitward([
      'repo',
      'add',
      url,
      ...['--type', 'helm', '--enable-oci', '--insecure-oci-force-http'],
      ...['--username', auth.username, '--password', wrongPassword],
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/repository not accessible: .*authentication failed/);
    expect(refused.stderr + refused.stdout).not.toContain(wrongPassword);
    const added = await ok([
      'repo',
      'add',
      url,
      ...['--type', 'helm', '--name', 'oci-charts', '--enable-oci', '--insecure-oci-force-http'],
      ...['--username', auth.username, '--password', auth.password],
    ]);
    expect(added).toMatch(/Repository '.*' added/);
    const repos = await json<RepositoryView[]>(['repo', 'list']);
    expect(repos.find((r) => r.repo === url)).toMatchObject({
      type: 'helm',
      name: 'oci-charts',
      enableOCI: true,
      insecureOCIForceHttp: true,
      hasCredentials: true,
    });
    expect(await ok(['repo', 'list'])).toMatch(
      /helm\s+oci-charts\s+\S+\s+false\s+true\s+false\s+true/,
    );
    expect(await storedSecret('repository', url)).toMatchObject({
      url,
      type: 'helm',
      name: 'oci-charts',
      enableOCI: 'true',
      insecureOCIForceHttp: 'true',
      username: auth.username,
      password: auth.password,
    });

    const name = uniqueName('oci-cli');
    const dest = uniqueName('oci-cli-ns');
    await ok([
      'app',
      'create',
      name,
      ...['--repo', url, '--helm-chart', 'web', '--revision', '1.2.3'],
      ...['--dest-server', 'https://kubernetes.default.svc', '--dest-namespace', dest],
      ...['--sync-option', 'CreateNamespace=true'],
    ]);
    expect(await ok(['app', 'manifests', name])).toMatch(/chart: "?1\.2\.3"?/);
    await ok(['app', 'sync', name, '--timeout', '120']);
    const app = await json<{
      status?: { health?: { status?: string }; sync?: { revision?: string } };
    }>(['app', 'wait', name, '--health', '--timeout', '120']);
    expect(app.status?.health?.status).toBe('Healthy');
    expect(app.status?.sync?.revision).toBe('1.2.3');
    const cm = await getJson<{ data: Record<string, string> }>([
      '-n',
      dest,
      'configmap',
      `${name}-web`,
    ]);
    expect(cm.data).toEqual({ color: 'blue', chart: '1.2.3' });

    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', name, '--wait=false']);
    await ok(['repo', 'rm', url]);
  });
});

describe('gitward repocreds for an OCI Helm registry', () => {
  it('adds, lists and removes a template that logs an app of the registry in', async () => {
    const prefix = registry.host;
    const added = await ok([
      'repocreds',
      'add',
      prefix,
      ...['--type', 'helm', '--enable-oci', '--insecure-oci-force-http'],
      ...['--username', auth.username, '--password', auth.password],
    ]);
    expect(added).toMatch(/Repository credentials for '.*' added/);
    const listed = await json<RepoCredsView[]>(['repocreds', 'list']);
    expect(listed.find((c) => c.url === prefix)).toEqual({
      url: prefix,
      type: 'helm',
      username: auth.username,
      hasCredentials: true,
      insecure: false,
      enableOCI: true,
      insecureOCIForceHttp: true,
    });
    expect(await ok(['repocreds', 'list'])).toMatch(
      /URL PATTERN\s+TYPE\s+USERNAME\s+CREDS\s+INSECURE\s+OCI/,
    );
    expect(await storedSecret('repo-creds', prefix)).toMatchObject({
      enableOCI: 'true',
      insecureOCIForceHttp: 'true',
    });

    // An app at another path of the registry, with no repository Secret: the template serves it.
    const name = uniqueName('oci-tpl');
    await ok([
      'app',
      'create',
      name,
      ...['--repo', `${registry.host}/tpl`, '--helm-chart', 'web', '--revision', '1.2.3'],
      ...['--dest-server', 'https://kubernetes.default.svc', '--dest-namespace', 'default'],
    ]);
    expect(await ok(['app', 'manifests', name])).toMatch(new RegExp(`name: ${name}-web`));

    expect(await ok(['repocreds', 'rm', prefix])).toMatch(/removed/);
    const left = await json<RepoCredsView[]>(['repocreds', 'list']);
    expect(left.filter((c) => c.url === prefix)).toEqual([]);
    // Without the template the registry refuses the server, which says so without a secret.
    const refused = await bed.gitward(['app', 'manifests', name]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authentication failed/);
    expect(refused.stderr).not.toContain(auth.password);
    await kubectl(['-n', appNamespace, 'delete', 'applications.gitward.dev', name, '--wait=false']);
  });
});
