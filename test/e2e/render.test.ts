import { mkdtemp, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { repoCredentialsFor } from '@gitward/engine';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';
import {
  ErrorCode,
  formatResourceKey,
  resourceKeyOf,
  type ApplicationSource,
  type KubeObject,
  ApiGroup,
  secretTypeLabel,
} from '@gitward/model';
import {
  createGitServer,
  createHelmRepo,
  createSshGitServer,
  writeChart,
  type GitServer,
  type HelmRepo,
  type SshGitServer,
} from '@gitward/testkit';
import type { RenderOutcome, RenderRequest } from '@gitward/target';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { createRenderFixture, type RenderFixture } from './support/renderer.ts';

const auth = { username: 'bob', password: 'render-pass-123' };
const creds = { username: auth.username, password: auth.password };

let fx: RenderFixture;
let server: GitServer;
let ssh: SshGitServer;
let charts: HelmRepo;

const cm = (name: string, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;

function request(source: ApplicationSource, extra: Partial<RenderRequest> = {}): RenderRequest {
  return {
    appName: 'shop',
    project: 'default',
    source,
    destinationNamespace: 'shop-ns',
    kubeVersion: fx.kubeVersion,
    apiVersions: fx.apiVersions,
    scope: fx.scope,
    credentials: creds,
    ...extra,
  };
}

function objects(o: RenderOutcome): readonly KubeObject[] {
  if (o.kind === 'failed') throw new Error(`render failed: ${o.error.code}: ${o.error.message}`);
  return o.kind === 'rendered' ? o.objects : [];
}
const keys = (o: RenderOutcome) =>
  objects(o)
    .map((x) => formatResourceKey(resourceKeyOf(x)))
    .sort();
const find = (o: RenderOutcome, kind: string, name: string) =>
  objects(o).find((x) => x.kind === kind && x.metadata.name === name) as
    (KubeObject & Record<string, never>) | undefined;
function failure(o: RenderOutcome) {
  if (o.kind !== 'failed') throw new Error(`expected a failure, got ${o.kind}`);
  return o.error;
}

beforeAll(async () => {
  fx = await createRenderFixture([
    {
      name: 'env-echo',
      // The plugin is a program with arguments (here Node itself), never a shell string.
      generate: [
        process.execPath,
        '-e',
        `const e = process.env; console.log(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-plugin' }, data: { app: e.ARGOCD_APP_NAME, ns: e.ARGOCD_APP_NAMESPACE, rev: e.ARGOCD_APP_REVISION, env: e.ARGOCD_ENV_COLOR, param: e.PARAM_SIZE, file: require('fs').readFileSync('input.txt', 'utf8').trim() } }))`,
      ],
    },
  ]);
  server = await createGitServer({ auth });
  ssh = await createSshGitServer({ root: server.root });
  charts = await createHelmRepo({ helm: fx.helm, auth });
});
afterAll(async () => {
  await ssh.close();
  await server.close();
  await charts.close();
});

describe('Directory sources', () => {
  it('render YAML and JSON files, multi-document, Lists flattened, namespace from discovery', async () => {
    const repo = await server.createRepo('dir-app');
    await repo.commit(
      {
        'app/a.yaml': `${cm('a')}---\napiVersion: v1\nkind: List\nitems:\n  - ${cm('b').replace(/\n/g, '\n    ')}`,
        'app/ns.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop-ns\n',
        'app/role.json': JSON.stringify({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'reader' },
          rules: [],
        }),
        'app/keep.yaml': cm('keep', 'metadata:\n  namespace: other\n').replace(
          'metadata:\n  name: keep\nmetadata:\n  namespace: other\n',
          'metadata:\n  name: keep\n  namespace: other\n',
        ),
        'app/README.md': '# not a manifest',
        'app/nested/deep.yaml': cm('deep'),
      },
      'directory app',
    );
    await repo.push();
    const out = await fx.renderer.render(request({ repoURL: repo.url, path: 'app' }));
    expect(keys(out)).toEqual([
      '/ConfigMap/other/keep',
      '/ConfigMap/shop-ns/a',
      '/ConfigMap/shop-ns/b',
      '/Namespace//shop-ns',
      'rbac.authorization.k8s.io/ClusterRole//reader',
    ]);
    expect(out.kind === 'rendered' && out.sourceType).toBe('Directory');

    const recursed = await fx.renderer.render(
      request({
        repoURL: repo.url,
        path: 'app',
        directory: { recurse: true, include: '{a.yaml,nested/*}' },
      }),
    );
    expect(keys(recursed)).toEqual([
      '/ConfigMap/shop-ns/a',
      '/ConfigMap/shop-ns/b',
      '/ConfigMap/shop-ns/deep',
    ]);
    const excluded = await fx.renderer.render(
      request({
        repoURL: repo.url,
        path: 'app',
        directory: { recurse: true, exclude: 'nested/*' },
      }),
    );
    expect(keys(excluded)).not.toContain('/ConfigMap/shop-ns/deep');
  });

  it('evaluates jsonnet with ext vars, TLAs and libs', async () => {
    const repo = await server.createRepo('jsonnet-app');
    await repo.commit(
      {
        'lib/names.libsonnet': '{ prefix(n):: "j-" + n }',
        'app/main.jsonnet': `local names = import 'names.libsonnet';
function(replicas, labels={}) [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: names.prefix(std.extVar('env')), labels: labels }, data: { replicas: std.toString(replicas) } },
]`,
      },
      'jsonnet',
    );
    await repo.push();
    const out = await fx.renderer.render(
      request({
        repoURL: repo.url,
        path: 'app',
        directory: {
          jsonnet: {
            libs: ['lib'],
            extVars: [{ name: 'env', value: 'prod' }],
            tlas: [
              { name: 'replicas', value: '3', code: true },
              { name: 'labels', value: '{team: "web"}', code: true },
            ],
          },
        },
      }),
    );
    const m = find(out, 'ConfigMap', 'j-prod') as unknown as {
      data: { replicas: string };
      metadata: { labels: object };
    };
    expect(m.data.replicas).toBe('3');
    expect(m.metadata.labels).toEqual({ team: 'web' });
  });

  it('fails on a file that does not parse, naming it', async () => {
    const repo = await server.createRepo('bad-yaml');
    await repo.commit(
      { 'app/ok.yaml': cm('ok'), 'app/broken.yaml': 'apiVersion: v1\nkind: [oops\n' },
      'bad',
    );
    await repo.push();
    const err = failure(await fx.renderer.render(request({ repoURL: repo.url, path: 'app' })));
    expect(err.code).toBe(ErrorCode.RenderFailed);
    expect(err.message).toMatch(/broken\.yaml/);
  });

  it('returns "empty" as its own outcome', async () => {
    const repo = await server.createRepo('empty-app');
    await repo.commit({ 'app/README.md': 'nothing here' }, 'empty');
    await repo.push();
    const out = await fx.renderer.render(request({ repoURL: repo.url, path: 'app' }));
    expect(out.kind).toBe('empty');
  });
});

describe('Kustomize sources', () => {
  it('build with the Application overrides', async () => {
    const repo = await server.createRepo('kustomize-app');
    await repo.commit(
      {
        'base/kustomization.yaml': 'resources:\n  - deploy.yaml\n  - cm.yaml\n',
        'base/deploy.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.0\n',
        'base/cm.yaml': cm('settings', 'data:\n  mode: base\n'),
        'overlay/kustomization.yaml': 'resources:\n  - ../base\n',
        'components/extra/kustomization.yaml':
          'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - extra.yaml\n',
        'components/extra/extra.yaml': cm('extra'),
      },
      'kustomize',
    );
    await repo.push();
    const out = await fx.renderer.render(
      request({
        repoURL: repo.url,
        path: 'overlay',
        kustomize: {
          namePrefix: 'p-',
          nameSuffix: '-s',
          images: ['nginx=registry.local/nginx:2.0'],
          commonLabels: { team: 'web' },
          commonAnnotations: { owner: 'shop' },
          namespace: 'kust-ns',
          replicas: [{ name: 'web', count: 3 }],
          components: ['../components/extra'],
          patches: [
            {
              target: { kind: 'ConfigMap', name: 'settings' },
              patch: '- op: replace\n  path: /data/mode\n  value: patched\n',
            },
          ],
        },
      }),
    );
    expect(keys(out)).toHaveLength(3);
    expect(out.kind === 'rendered' && out.sourceType).toBe('Kustomize');
    const d = find(out, 'Deployment', 'p-web-s') as unknown as {
      metadata: {
        namespace: string;
        labels: Record<string, string>;
        annotations: Record<string, string>;
      };
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    };
    expect(d.metadata.namespace).toBe('kust-ns');
    expect(d.spec.replicas).toBe(3);
    expect(d.spec.template.spec.containers[0]?.image).toBe('registry.local/nginx:2.0');
    expect(d.metadata.labels['team']).toBe('web');
    expect(d.metadata.annotations['owner']).toBe('shop');
    expect(
      (find(out, 'ConfigMap', 'p-settings-s') as unknown as { data: { mode: string } }).data.mode,
    ).toBe('patched');
    expect(find(out, 'ConfigMap', 'p-extra-s')).toBeDefined();
  });

  it('refuses remote bases unless enabled', async () => {
    const repo = await server.createRepo('kustomize-remote');
    await repo.commit(
      {
        'app/kustomization.yaml': 'resources:\n  - https://github.com/example/repo//base?ref=v1\n',
      },
      'remote',
    );
    await repo.push();
    const err = failure(await fx.renderer.render(request({ repoURL: repo.url, path: 'app' })));
    expect(err.message).toMatch(/remote reference .* in resources is not allowed/);
  });
});

describe('Kustomize settings (argocd-cm kustomize.*)', () => {
  let repoURL = '';
  beforeAll(async () => {
    const repo = await server.createRepo('kustomize-settings');
    await writeChart(join(repo.workdir, 'app/charts/demo'), {
      name: 'demo',
      version: '0.1.0',
      templates: { 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-chart\n' },
    });
    await repo.commit(
      {
        'app/kustomization.yaml':
          'helmCharts:\n  - name: demo\n    releaseName: demo\nresources:\n  - cm.yaml\n',
        'app/cm.yaml': cm('plain'),
        'gen/kustomization.yaml':
          'configMapGenerator:\n  - name: shared\n    files:\n      - ../shared/motd.txt\n',
        'shared/motd.txt': 'hello\n',
        'escape/kustomization.yaml':
          'configMapGenerator:\n  - name: secrets\n    files:\n      - ../../../../../etc/hostname\n',
      },
      'kustomize settings',
    );
    await repo.push();
    repoURL = repo.url;
  });
  const settings = (
    buildOptions: string[],
    versions: { version: string; path?: string }[] = [],
  ) => ({
    kustomize: { buildOptions, versions },
  });

  it('inflates Helm charts with --enable-helm, through gitward’s helm, and not without', async () => {
    const out = await fx.renderer.render(
      request({ repoURL, path: 'app' }, settings(['--enable-helm'])),
    );
    expect(keys(out)).toEqual(['/ConfigMap/shop-ns/from-chart', '/ConfigMap/shop-ns/plain']);
    const refused = failure(await fx.renderer.render(request({ repoURL, path: 'app' })));
    expect(refused.message).toMatch(/enable-helm/);
  });

  it('loads a sibling folder’s file under LoadRestrictionsNone, never one outside the repository', async () => {
    const rootOnly = failure(await fx.renderer.render(request({ repoURL, path: 'gen' })));
    expect(rootOnly.message).toMatch(/restrict|security|not in or below/i);
    const none = settings(['--load-restrictor=LoadRestrictionsNone']);
    const out = await fx.renderer.render(request({ repoURL, path: 'gen' }, none));
    expect(objects(out)[0]?.['data']).toEqual({ 'motd.txt': 'hello\n' });
    const escape = failure(await fx.renderer.render(request({ repoURL, path: 'escape' }, none)));
    expect(escape.message).toMatch(/outside|leaves|escapes/i);
  });

  it('builds with the binary a registered kustomize.version names, and refuses an unknown one', async () => {
    const source = (version: string) => ({
      repoURL,
      path: 'gen',
      kustomize: { version },
    });
    const registered = settings(
      ['--load-restrictor=LoadRestrictionsNone'],
      [
        { version: 'v-real', path: fx.kustomize },
        { version: 'v-gone', path: '/nonexistent/kustomize-v-gone' },
      ],
    );
    expect(keys(await fx.renderer.render(request(source('v-real'), registered)))).toHaveLength(1);
    const gone = failure(await fx.renderer.render(request(source('v-gone'), registered)));
    expect(gone.message).toMatch(/kustomize-v-gone/);
    const unknown = failure(await fx.renderer.render(request(source('v9'), registered)));
    expect(unknown.message).toBe(
      'kustomize version v9 is not registered (kustomize.path.v9 in the settings)',
    );
  });
});

describe('Helm sources', () => {
  const chartTemplates = {
    'cm.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-cfg
  namespace: {{ .Release.Namespace }}
data:
  color: {{ .Values.color | quote }}
  size: {{ .Values.size | quote }}
  tag: {{ .Values.image.tag | quote }}
  zip: {{ .Values.zip | quote }}
  cert: {{ .Values.cert | quote }}
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  hasApps: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}
`,
  };

  it('renders a chart from the repository with values in Argo CD precedence', async () => {
    const repo = await server.createRepo('helm-app');
    // writeChart writes into the working copy; the commit below picks the files up.
    await writeChart(join(repo.workdir, 'chart'), {
      name: 'web',
      version: '0.1.0',
      templates: chartTemplates,
      values: 'color: red\nsize: s\nimage: {tag: v1}\nzip: "0"\ncert: none\n',
    });
    const files: Record<string, string> = {
      'chart/values-prod.yaml': 'color: blue\nsize: m\n',
      'chart/crds/widget.yaml':
        'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.x.io\nspec:\n  group: x.io\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n',
      'chart/cert.pem': 'PEM-DATA\n',
    };
    await repo.commit(files, 'chart');
    await repo.push();

    const out = await fx.renderer.render(
      request({
        repoURL: repo.url,
        path: 'chart',
        helm: {
          valueFiles: ['values-prod.yaml', 'missing.yaml'],
          ignoreMissingValueFiles: true,
          values: 'size: l\n',
          valuesObject: { image: { tag: 'v2' } },
          parameters: [{ name: 'zip', value: '01234', forceString: true }],
          fileParameters: [{ name: 'cert', path: 'cert.pem' }],
        },
      }),
    );
    expect(out.kind === 'rendered' && out.sourceType).toBe('Helm');
    const data = find(out, 'ConfigMap', 'shop-cfg') as unknown as {
      metadata: { namespace: string };
      data: Record<string, string>;
    };
    expect(data.metadata.namespace).toBe('shop-ns');
    expect(data.data).toMatchObject({
      color: 'blue',
      size: 'l',
      tag: 'v2',
      zip: '01234',
      cert: 'PEM-DATA\n',
      hasApps: 'true',
    });
    expect(data.data['kube']).toBe(`v${fx.kubeVersion}`);
    expect(find(out, 'CustomResourceDefinition', 'widgets.x.io')).toBeDefined();

    const noCrds = await fx.renderer.render(
      request({ repoURL: repo.url, path: 'chart', helm: { skipCrds: true, releaseName: 'rel' } }),
    );
    expect(find(noCrds, 'CustomResourceDefinition', 'widgets.x.io')).toBeUndefined();
    expect(find(noCrds, 'ConfigMap', 'rel-cfg')).toBeDefined();

    const missing = failure(
      await fx.renderer.render(
        request({ repoURL: repo.url, path: 'chart', helm: { valueFiles: ['missing.yaml'] } }),
      ),
    );
    expect(missing.message).toMatch(/values file "chart\/missing.yaml" does not exist/);
  });

  it('takes a values file by URL only for a scheme helm.valuesFileSchemes allows', async () => {
    // A real HTTP server on loopback serves the values file helm fetches.
    const http = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end('color: green\n');
    });
    await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
    const port = (http.address() as AddressInfo).port;
    try {
      const repo = await server.createRepo('helm-url-values');
      await writeChart(join(repo.workdir, 'chart'), {
        name: 'web',
        version: '0.1.0',
        templates: chartTemplates,
        values: 'color: red\nsize: s\nimage: {tag: v1}\nzip: "0"\ncert: none\n',
      });
      await repo.commit({}, 'chart');
      await repo.push();
      const source = {
        repoURL: repo.url,
        path: 'chart',
        helm: { valueFiles: [`http://user:hunter2@127.0.0.1:${port}/values.yaml`] },
      };
      const refused = failure(await fx.renderer.render(request(source)));
      expect(refused.message).toBe(
        `values file http://127.0.0.1:${port}/values.yaml: the http scheme is not allowed (helm.valuesFileSchemes in the settings)`,
      );
      const out = await fx.renderer.render(request(source, { helmValuesFileSchemes: ['http'] }));
      expect(
        (find(out, 'ConfigMap', 'shop-cfg') as unknown as { data: object }).data,
      ).toMatchObject({ color: 'green', size: 's' });
    } finally {
      http.close();
    }
  });

  it('renders a chart from a loopback chart repository, with a semver range and credentials', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-charts-'));
    for (const version of ['1.0.0', '1.2.0', '1.3.0', '2.0.0']) {
      await writeChart(join(dir, `web-${version}`), {
        name: 'web',
        version,
        templates: {
          'cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-${version.replace(/\./g, '-')}\n`,
        },
      });
      await charts.addChart(join(dir, `web-${version}`));
    }
    const out = await fx.renderer.render(
      request({ repoURL: charts.url, chart: 'web', targetRevision: '>=1.0.0 <2.0.0' }),
    );
    expect(out.kind === 'rendered' && out.revision).toBe('1.3.0');
    expect(keys(out)).toEqual(['/ConfigMap/shop-ns/web-1-3-0']);
    const err = failure(
      await fx.renderer.render(
        request(
          { repoURL: charts.url, chart: 'web', targetRevision: '1.*' },
          { credentials: { username: 'bob', password: 'wrong' } },
        ),
      ),
    );
    expect(err.code).toBe(ErrorCode.RepoAuthFailed);
    expect(err.message).not.toContain('wrong');
  });

  it('builds chart dependencies from a loopback chart repository', async () => {
    const open = await createHelmRepo({ helm: fx.helm });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'gitward-dep-'));
      await writeChart(join(dir, 'lib'), {
        name: 'libchart',
        version: '0.3.0',
        templates: {
          'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-dependency\n',
        },
      });
      await open.addChart(join(dir, 'lib'));
      const repo = await server.createRepo('helm-deps');
      await repo.commit(
        {
          'chart/Chart.yaml': `apiVersion: v2\nname: umbrella\nversion: 0.1.0\ndependencies:\n  - name: libchart\n    version: 0.3.0\n    repository: ${open.url}\n`,
          'chart/templates/own.yaml': cm('own'),
        },
        'umbrella',
      );
      await repo.push();
      const out = await fx.renderer.render(request({ repoURL: repo.url, path: 'chart' }));
      expect(keys(out)).toEqual(['/ConfigMap/shop-ns/from-dependency', '/ConfigMap/shop-ns/own']);
    } finally {
      await open.close();
    }
  });

  it('reports a failing helm template with its message', async () => {
    const repo = await server.createRepo('helm-fail');
    await repo.commit(
      {
        'chart/Chart.yaml': 'apiVersion: v2\nname: bad\nversion: 0.1.0\n',
        'chart/templates/x.yaml': '{{ fail "the chart refuses: set .Values.required" }}\n',
      },
      'bad chart',
    );
    await repo.push();
    const err = failure(await fx.renderer.render(request({ repoURL: repo.url, path: 'chart' })));
    expect(err.code).toBe(ErrorCode.RenderFailed);
    expect(err.message).toMatch(/helm failed .*the chart refuses: set \.Values\.required/s);
  });
});

describe('plugins', () => {
  it('run a configured plugin in the source directory with the application environment', async () => {
    const repo = await server.createRepo('plugin-app');
    const sha = await repo.commit({ 'app/input.txt': 'from the repo\n' }, 'plugin input');
    await repo.push();
    const out = await fx.renderer.render(
      request({
        repoURL: repo.url,
        path: 'app',
        plugin: {
          name: 'env-echo',
          env: [{ name: 'COLOR', value: 'green' }],
          parameters: [{ name: 'size', string: 'xl' }],
        },
      }),
    );
    const data = (
      find(out, 'ConfigMap', 'from-plugin') as unknown as { data: Record<string, string> }
    ).data;
    expect(data).toEqual({
      app: 'shop',
      ns: 'shop-ns',
      rev: sha,
      env: 'green',
      param: 'xl',
      file: 'from the repo',
    });
    expect(out.kind === 'rendered' && out.sourceType).toBe('Plugin');
  });

  it('fail clearly for an unknown plugin', async () => {
    const repo = await server.createRepo('plugin-missing');
    const err = failure(
      await fx.renderer.render(request({ repoURL: repo.url, plugin: { name: 'nope' } })),
    );
    expect(err.message).toMatch(/plugin "nope" is not configured/);
  });
});

describe('repositories and revisions', () => {
  it('render a private repository over SSH with a key and known hosts', async () => {
    const repo = await server.createRepo('ssh-app');
    await repo.commit({ 'app/cm.yaml': cm('over-ssh') }, 'ssh');
    await repo.push();
    const out = await fx.renderer.render(
      request(
        { repoURL: ssh.repoUrl('ssh-app'), path: 'app' },
        { credentials: { sshPrivateKey: ssh.clientKey, knownHosts: ssh.knownHosts } },
      ),
    );
    expect(keys(out)).toEqual(['/ConfigMap/shop-ns/over-ssh']);
    const bad = failure(
      await fx.renderer.render(
        request(
          { repoURL: ssh.repoUrl('ssh-app'), path: 'app' },
          { credentials: { sshPrivateKey: ssh.clientKey, knownHosts: '' } },
        ),
      ),
    );
    expect(bad.message).toMatch(/[Hh]ost key/);
  });

  it('take credentials from repository and repo-creds Secrets in the cluster', async () => {
    const ns = uniqueName('creds');
    await kubectl(['create', 'namespace', ns]);
    const label = secretTypeLabel(ApiGroup.Gitward);
    const secret = (name: string, type: string, data: Record<string, string>) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns, labels: { [label]: type } },
        stringData: data,
      });
    await kubectl(
      ['apply', '-f', '-'],
      secret('https-template', 'repo-creds', { url: server.url, ...auth }),
    );
    await kubectl(
      ['apply', '-f', '-'],
      secret('ssh-repo', 'repository', {
        url: ssh.repoUrl('ssh-creds'),
        sshPrivateKey: ssh.clientKey,
      }),
    );
    const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
    const list = await kube.request<{ items: KubeObject[] }>(
      'GET',
      `/api/v1/namespaces/${ns}/secrets`,
      { query: { labelSelector: label } },
    );
    const repo = await server.createRepo('ssh-creds');
    await repo.commit({ 'app/cm.yaml': cm('with-secret-creds') }, 'creds');
    await repo.push();
    for (const url of [repo.url, ssh.repoUrl('ssh-creds')]) {
      const credentials = repoCredentialsFor(url, 'default', list.body.items, label, {
        knownHosts: ssh.knownHosts,
      });
      expect(credentials).toBeDefined();
      const out = await fx.renderer.render(
        request({ repoURL: url, path: 'app' }, credentials ? { credentials } : {}),
      );
      expect(keys(out)).toEqual(['/ConfigMap/shop-ns/with-secret-creds']);
    }
  });

  it('refuse wrong HTTPS credentials without echoing them', async () => {
    const repo = await server.createRepo('private-app');
    const err = failure(
      await fx.renderer.render(
        request(
          { repoURL: repo.url },
          { credentials: { username: 'bob', password: 'nope-secret' } },
        ),
      ),
    );
    expect(err.code).toBe(ErrorCode.RepoAuthFailed);
    expect(err.message).not.toContain('nope-secret');
  });

  it('resolve a semver targetRevision against tags', async () => {
    const repo = await server.createRepo('semver-app');
    for (const v of ['v1.0.0', 'v1.2.0', 'v1.2.5', 'v2.0.0']) {
      await repo.commit({ 'app/cm.yaml': cm(`release-${v.replace(/\./g, '-')}`) }, v);
      await repo.tag(v);
    }
    await repo.push();
    expect(
      keys(
        await fx.renderer.render(
          request({ repoURL: repo.url, path: 'app', targetRevision: '1.2.*' }),
        ),
      ),
    ).toEqual(['/ConfigMap/shop-ns/release-v1-2-5']);
    expect(
      keys(
        await fx.renderer.render(
          request({ repoURL: repo.url, path: 'app', targetRevision: '>=1.0.0 <2.0.0' }),
        ),
      ),
    ).toEqual(['/ConfigMap/shop-ns/release-v1-2-5']);
    expect(
      keys(
        await fx.renderer.render(
          request({ repoURL: repo.url, path: 'app', targetRevision: 'v1.0.0' }),
        ),
      ),
    ).toEqual(['/ConfigMap/shop-ns/release-v1-0-0']);
  });
});

describe('safety and caching', () => {
  it('refuse a path that leaves the repository, by .. or by symlink', async () => {
    const repo = await server.createRepo('escape-app');
    await symlink('/etc', join(repo.workdir, 'evil'));
    await repo.commit({ 'app/kustomization.yaml': 'resources:\n  - ../evil-file\n' }, 'escape');
    await symlink('/etc/hostname', join(repo.workdir, 'evil-file'));
    await repo.commit({}, 'more escape');
    await repo.push();
    for (const path of ['../other', '/etc', 'evil']) {
      const err = failure(await fx.renderer.render(request({ repoURL: repo.url, path })));
      expect(err.code).toBe(ErrorCode.PathEscape);
    }
    const viaTool = failure(await fx.renderer.render(request({ repoURL: repo.url, path: 'app' })));
    expect(viaTool.code).toBe(ErrorCode.PathEscape);
  });

  it('serve a second render at the same commit from the cache; hard refresh and new commits render again', async () => {
    const repo = await server.createRepo('cache-app');
    await repo.commit({ 'app/cm.yaml': cm('v1') }, 'one');
    await repo.push();
    const req = request({ repoURL: repo.url, path: 'app' });
    const before = { ...fx.renderer.stats };
    expect((await fx.renderer.render(req)).kind).toBe('rendered');
    const second = await fx.renderer.render(req);
    expect(second.kind === 'rendered' && second.cached).toBe(true);
    expect(fx.renderer.stats.renders - before.renders).toBe(1);
    expect(fx.renderer.stats.cacheHits - before.cacheHits).toBe(1);

    await fx.renderer.render({ ...req, hard: true });
    expect(fx.renderer.stats.renders - before.renders).toBe(2);

    await repo.commit({ 'app/cm.yaml': cm('v2') }, 'two');
    await repo.push();
    expect(keys(await fx.renderer.render(req))).toEqual(['/ConfigMap/shop-ns/v2']);
    expect(fx.renderer.stats.renders - before.renders).toBe(3);
  });
});
