import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorCode, type Application, type ApplicationSource } from '@gitward/model';
import { createOciRegistry, writeChart, type OciRegistry } from '@gitward/testkit';
import type { RenderOutcome, RenderRequest } from '@gitward/target';
import { waitApplication } from './support/applications.ts';
import { runCli } from './support/cli.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { createRenderFixture, type RenderFixture } from './support/renderer.ts';
import { appNamespace, refresh } from './support/sync-fixtures.ts';

/**
 * Helm charts from a real OCI registry (Debian's docker-registry, htpasswd auth, plain HTTP on
 * loopback), pushed with the real `helm push`, as Argo CD reads them: the scheme-less
 * `registry/path` with a repository Secret of `type: helm` and `enableOCI: "true"`, and the
 * `oci://` form.
 */
const auth = { username: 'oci-bob', password: 'oci-s3cret-pass' };
const wrongPassword = 'not-the-oci-pass';

let fx: RenderFixture;
let registry: OciRegistry;
let work: string;

const cmTemplate =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\n' +
  'data:\n  color: {{ .Values.color | quote }}\n  chart: {{ .Chart.Version | quote }}\n';

beforeAll(async () => {
  fx = await createRenderFixture();
  registry = await createOciRegistry({ helm: fx.helm, auth });
  work = await mkdtemp(join(tmpdir(), 'gitward-oci-charts-'));
  for (const version of ['1.2.3', '1.3.0', '2.0.0']) {
    const dir = await writeChart(join(work, `web-${version}`), {
      name: 'web',
      version,
      values: 'color: red\n',
      templates: { 'cm.yaml': cmTemplate },
    });
    for (const path of ['charts', 'other']) await registry.push(dir, path);
  }
}, 180_000);
afterAll(async () => {
  await registry.close();
  await rm(work, { recursive: true, force: true });
});

describe('the renderer with an OCI registry', () => {
  const request = (
    source: ApplicationSource,
    credentials: RenderRequest['credentials'],
  ): RenderRequest => ({
    appName: 'shop',
    project: 'default',
    source,
    destinationNamespace: 'shop-ns',
    kubeVersion: fx.kubeVersion,
    apiVersions: fx.apiVersions,
    scope: fx.scope,
    ...(credentials ? { credentials } : {}),
  });
  const oci = { enableOCI: true, insecureOCIForceHttp: true };
  const data = (o: RenderOutcome) =>
    o.kind === 'rendered'
      ? (o.objects[0] as { data?: Record<string, string> } | undefined)?.data
      : `${o.kind}: ${o.kind === 'failed' ? o.error.message : ''}`;

  it("renders Argo CD's scheme-less form at an exact version, then from the cache", async () => {
    const source = {
      repoURL: `${registry.host}/charts`,
      chart: 'web',
      targetRevision: '1.2.3',
      helm: { valuesObject: { color: 'green' } },
    };
    const out = await fx.renderer.render(request(source, { ...auth, ...oci }));
    expect(data(out)).toEqual({ color: 'green', chart: '1.2.3' });
    expect(out.kind === 'rendered' && out.revision).toBe('1.2.3');
    const pulls = fx.charts.stats.ociPulls;
    const again = await fx.renderer.render(request(source, { ...auth, ...oci }));
    expect(data(again)).toEqual({ color: 'green', chart: '1.2.3' });
    expect(fx.charts.stats.ociPulls).toBe(pulls);
  });

  it('resolves a semver range against the registry in the oci:// form', async () => {
    const out = await fx.renderer.render(
      request(
        { repoURL: `oci://${registry.host}/charts`, chart: 'web', targetRevision: '>=1.0.0 <2' },
        { ...auth, insecureOCIForceHttp: true },
      ),
    );
    expect(out.kind === 'rendered' && out.revision).toBe('1.3.0');
    expect(data(out)).toEqual({ color: 'red', chart: '1.3.0' });
  });

  it.each([
    ['wrong credentials', { ...auth, password: wrongPassword, ...oci }],
    ['no credentials', oci],
  ])('refuses %s with RepoAuthFailed, even for a chart pulled before', async (_what, creds) => {
    const out = await fx.renderer.render(
      request({ repoURL: `${registry.host}/charts`, chart: 'web', targetRevision: '1.2.3' }, creds),
    );
    expect(out.kind).toBe('failed');
    if (out.kind !== 'failed') return;
    expect(out.error.code).toBe(ErrorCode.RepoAuthFailed);
    expect(out.error.message).toContain(`${registry.host}/charts`);
    expect(out.error.message).not.toContain(wrongPassword);
    expect(out.error.message).not.toContain(auth.password);
  });

  it('reports a missing version as ChartNotFound', async () => {
    const out = await fx.renderer.render(
      request(
        { repoURL: `${registry.host}/charts`, chart: 'web', targetRevision: '9.9.9' },
        { ...auth, ...oci },
      ),
    );
    expect(out.kind === 'failed' && out.error.code).toBe(ErrorCode.ChartNotFound);
  });
});

describe('gitward render with an OCI registry', () => {
  const render = (password: string) =>
    runCli(
      [
        'render',
        `oci://${registry.host}/charts@1.3.0`,
        '--chart',
        'web',
        '--username',
        auth.username,
        '--insecure-oci-force-http',
      ],
      { GITWARD_CACHE_DIR: inject('cacheDir'), GITWARD_REPO_PASSWORD: password },
    );

  it('renders oci://REGISTRY/PATH@VERSION --chart, the password from the environment', async () => {
    const res = await render(auth.password);
    expect(res.stderr).toMatch(/rendered Helm source at 1\.3\.0/);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/name: charts-web\n[^]*chart: 1\.3\.0/);
  });

  it('exits non-zero on wrong credentials and never prints them', async () => {
    const res = await render(wrongPassword);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/authentication failed/);
    expect(res.stderr + res.stdout).not.toContain(wrongPassword);
  });
});

describe('the controller with an OCI registry', () => {
  let controller: ControllerProcess | undefined;
  const dest = uniqueName('oci');
  const secrets = [uniqueName('oci-repo'), uniqueName('oci-wrong')];

  const repoSecret = (name: string, url: string, password: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: appNamespace,
        labels: { 'gitward.dev/secret-type': 'repository' },
      },
      // As Argo CD's documentation writes an OCI Helm repository.
      stringData: {
        url,
        type: 'helm',
        name: 'oci-charts',
        enableOCI: 'true',
        insecureOCIForceHttp: 'true',
        username: auth.username,
        password,
      },
    });
  const app = (name: string, path: string) =>
    JSON.stringify({
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace: appNamespace },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: dest },
        source: { repoURL: `${registry.host}/${path}`, chart: 'web', targetRevision: '1.2.3' },
        syncPolicy: { automated: {} },
      },
    });
  const waitApp = (name: string, ok: (a: Application) => boolean) =>
    waitApplication({ group: 'gitward.dev', namespace: appNamespace, name }, ok, {
      timeoutMs: 90_000,
      logFile: controller?.logFile ?? '-',
    });

  beforeAll(async () => {
    // The controller creates the control namespace the Secrets go to.
    controller = await startController(['--sync-timeout-seconds', '60']);
    await controller.ready();
    await kubectl(['create', 'namespace', dest]);
    await kubectl(
      ['apply', '-f', '-'],
      repoSecret(secrets[0] ?? '', `${registry.host}/charts`, auth.password),
    );
    await kubectl(
      ['apply', '-f', '-'],
      repoSecret(secrets[1] ?? '', `${registry.host}/other`, wrongPassword),
    );
  }, 120_000);
  afterAll(async () => {
    await controller?.stop();
    for (const name of secrets)
      await kubectl(['-n', appNamespace, 'delete', 'secret', name, '--ignore-not-found']);
    for (const name of ['oci-web', 'oci-wrong'])
      await kubectl([
        '-n',
        appNamespace,
        'delete',
        'applications.gitward.dev',
        name,
        '--ignore-not-found',
        '--wait=false',
      ]);
  });

  it('syncs an Application from the OCI chart and it is Healthy', async () => {
    await kubectl(['apply', '-f', '-'], app('oci-web', 'charts'));
    await refresh('oci-web');
    const a = await waitApp(
      'oci-web',
      (x) => x.status?.sync?.status === 'Synced' && x.status.health?.status === 'Healthy',
    );
    expect(a.status?.sync?.revision).toBe('1.2.3');
    const cm = await getJson<{ data: Record<string, string> }>([
      '-n',
      dest,
      'configmap',
      'oci-web-web',
    ]);
    expect(cm.data).toEqual({ color: 'red', chart: '1.2.3' });
  });

  it('shows wrong credentials as a clear ComparisonError without the password', async () => {
    await kubectl(['apply', '-f', '-'], app('oci-wrong', 'other'));
    await refresh('oci-wrong');
    const a = await waitApp('oci-wrong', (x) =>
      (x.status?.conditions ?? []).some((c) => c.type === 'ComparisonError'),
    );
    const message =
      (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError')?.message ?? '';
    expect(message).toMatch(/authentication failed/);
    expect(message).toContain(`${registry.host}/other`);
    expect(JSON.stringify(a)).not.toContain(wrongPassword);
    expect(await kubectl(['-n', dest, 'get', 'configmap', '-o', 'name'])).not.toContain(
      'oci-wrong',
    );
  });
});
