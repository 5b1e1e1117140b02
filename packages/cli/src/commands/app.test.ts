import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Application, ApplicationSource, ApplicationSpec } from '@gitward/model';
import { loadConfig } from '../config.ts';
import {
  appCommand,
  editSyncOptions,
  manifestsAsYaml,
  setAppSpec,
  unsetAppSpec,
  type SetFlags,
  type UnsetFlags,
} from './app.ts';

const src: ApplicationSource = {
  repoURL: 'https://git.example/app.git',
  path: 'deploy',
  targetRevision: 'HEAD',
};
const dest = { server: 'https://kubernetes.default.svc', namespace: 'shop' };
const base: ApplicationSpec = { project: 'default', source: src, destination: dest };
const multi: ApplicationSpec = { project: 'default', sources: [src, src], destination: dest };
const noSet: SetFlags = { syncOption: [], kustomizeImage: [], helmSet: [], values: [] };
const noUnset: UnsetFlags = { syncOption: [], kustomizeImage: [], parameter: [], values: [] };

describe('editSyncOptions', () => {
  it.each([
    [[], ['Prune=false'], ['Prune=false']],
    [['Prune=true', 'Validate=false'], ['Prune=false'], ['Validate=false', 'Prune=false']],
    [['Prune=true', 'Validate=false'], ['!Prune=true'], ['Validate=false']],
    [['CreateNamespace=true'], ['!CreateNamespace'], []],
  ])('%j + %j → %j', (current, changes, want) => {
    expect(editSyncOptions(current, changes)).toEqual(want);
  });
});

describe('setAppSpec', () => {
  it.each<[string, Partial<SetFlags>, ApplicationSpec, Partial<ApplicationSpec>]>([
    [
      'source fields',
      { repo: 'https://git.example/other', path: 'k8s', revision: 'v2' },
      base,
      { source: { repoURL: 'https://git.example/other', path: 'k8s', targetRevision: 'v2' } },
    ],
    [
      'dest-name replaces dest-server',
      { destName: 'prod', destNamespace: 'web' },
      base,
      { destination: { name: 'prod', namespace: 'web' } },
    ],
    [
      'automated sync with prune',
      { syncPolicy: 'automated', autoPrune: true, syncOption: ['CreateNamespace=true'] },
      base,
      {
        syncPolicy: { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
      },
    ],
    [
      'sync-policy none drops automated and the empty policy',
      { syncPolicy: 'none' },
      { ...base, syncPolicy: { automated: { prune: true } } },
      { syncPolicy: undefined },
    ],
    [
      'helm parameters are replaced by name',
      { helmSet: ['image.tag=v2'] },
      {
        ...base,
        source: { ...src, helm: { parameters: [{ name: 'image.tag', value: 'v1' }] } },
      },
      {
        source: { ...src, helm: { parameters: [{ name: 'image.tag', value: 'v2' }] } },
      },
    ],
    [
      'kustomize images are replaced by image name',
      { kustomizeImage: ['nginx:1.27'], nameprefix: 'p-' },
      { ...base, source: { ...src, kustomize: { images: ['nginx:1.25'] } } },
      { source: { ...src, kustomize: { images: ['nginx:1.27'], namePrefix: 'p-' } } },
    ],
  ])('%s', (_, flags, spec, want) => {
    const r = setAppSpec(spec, { ...noSet, ...flags });
    expect(r).toEqual({
      ok: true,
      spec: JSON.parse(JSON.stringify({ ...spec, ...want })) as ApplicationSpec,
    });
  });

  it.each<[Partial<SetFlags>, ApplicationSpec, string]>([
    [
      { autoPrune: true },
      base,
      'cannot set --auto-prune: application not configured with automatic sync',
    ],
    [{ syncPolicy: 'sometimes' }, base, 'invalid --sync-policy sometimes'],
    [{ sourcePosition: '2' }, base, 'the application has a single source'],
    [{ sourcePosition: '3', path: 'x' }, multi, '--source-position must be between 1 and 2'],
  ])('refuses %j', (flags, spec, reason) => {
    expect(setAppSpec(spec, { ...noSet, ...flags })).toEqual({ ok: false, reason });
  });

  it('edits the named source of a multi-source application', () => {
    const r = setAppSpec(multi, { ...noSet, sourcePosition: '2', revision: 'v9' });
    expect(r.ok && r.spec.sources?.map((s) => s.targetRevision)).toEqual(['HEAD', 'v9']);
  });
});

describe('unsetAppSpec', () => {
  it('removes sync options, kustomize and helm settings, leaving no empty objects', () => {
    const spec: ApplicationSpec = {
      ...base,
      source: {
        ...src,
        kustomize: { namePrefix: 'p-', images: ['nginx:1.27'] },
        helm: { parameters: [{ name: 'a', value: '1' }], valueFiles: ['v.yaml'], values: 'x: 1' },
      },
      syncPolicy: { syncOptions: ['CreateNamespace=true'] },
    };
    const r = unsetAppSpec(spec, {
      ...noUnset,
      syncOption: ['CreateNamespace'],
      nameprefix: true,
      kustomizeImage: ['nginx'],
      parameter: ['a'],
      values: ['v.yaml'],
      valuesLiteral: true,
    });
    expect(r).toEqual({ ok: true, spec: base });
  });
});

describe('manifestsAsYaml', () => {
  it('prints JSON manifests as YAML documents opened by ---', () => {
    expect(
      manifestsAsYaml([
        '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}',
        'kind: Service',
      ]),
    ).toEqual([
      '---',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a',
      '---',
      'kind: Service',
    ]);
  });
});

describe('gitward app set|unset|manifests (against a stand-in server)', () => {
  let app: Application;
  let seen: { method: string; url: string; body: unknown }[] = [];
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    seen.push({ method: req.method ?? '', url: req.url ?? '', body });
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('/manifests'))
      return void res.end(JSON.stringify({ manifests: ['{"kind":"Namespace"}'] }));
    if (req.url?.startsWith('/api/v1/applications?') || req.url === '/api/v1/applications')
      return void res.end(JSON.stringify({ items: [app] }));
    if (req.method === 'PUT') app = { ...app, spec: body as ApplicationSpec };
    res.end(JSON.stringify(req.method === 'PUT' ? app.spec : app));
  }
  const server = createServer((req, res) => void handle(req, res));
  let port = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = String((server.address() as AddressInfo).port);
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => {
    seen = [];
    app = {
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web' },
      spec: base,
    };
  });
  async function run(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    const config = loadConfig({ HOME: tmpdir(), GITWARD_CONFIG: join(tmpdir(), 'gw-none.yaml') });
    const cmd = appCommand({ config, output: { out: (l) => lines.push(l), err: () => undefined } });
    cmd.exitOverride();
    await cmd.parseAsync([...args, '--server', `127.0.0.1:${port}`, '--plaintext'], {
      from: 'user',
    });
    return lines;
  }

  it('set reads the application and PUTs the changed spec', async () => {
    expect(
      await run('set', 'web', '--sync-policy', 'automated', '--self-heal', '--auto-prune=false'),
    ).toEqual(["application 'web' updated"]);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/v1/applications/web',
      'PUT /api/v1/applications/web/spec',
    ]);
    expect(app.spec.syncPolicy).toEqual({ automated: { selfHeal: true, prune: false } });
  });

  it('set with no spec flag is refused, as argocd, and reads or writes nothing', async () => {
    await expect(run('set', 'web')).rejects.toThrow('please set at least one option to update');
    await expect(run('set', 'web', '--source-position', '1')).rejects.toThrow(
      'please set at least one option to update',
    );
    expect(seen).toEqual([]);
  });

  it('unset writes nothing when there is nothing to unset', async () => {
    expect(await run('unset', 'web', '--sync-option', 'Prune')).toEqual([
      "application 'web' unchanged: nothing to unset",
    ]);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('manifests asks for a revision and prints YAML documents', async () => {
    expect(await run('manifests', 'web', '--revision', 'v2')).toEqual(['---', 'kind: Namespace']);
    expect(seen[0]?.url).toBe('/api/v1/applications/web/manifests?revision=v2');
  });

  it('list sends every filter to the server', async () => {
    await run(
      ...['list', '-o', 'name', '-l', 'team=web', '-p', 'a,b', '-p', 'c'],
      ...['-r', 'https://git.example/app.git', '--cluster', 'prod'],
    );
    const url = new URL(`http://x${seen[0]?.url ?? ''}`);
    expect(url.pathname).toBe('/api/v1/applications');
    expect(url.searchParams.getAll('projects')).toEqual(['a', 'b', 'c']);
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k !== 'projects'))).toEqual({
      selector: 'team=web',
      repo: 'https://git.example/app.git',
      cluster: 'prod',
    });
  });

  it('patch sends the patch and its type, and prints the Application as YAML', async () => {
    const lines = await run('patch', 'web', '--patch', '{"spec":{}}', '--type', 'merge');
    expect(seen.map((s) => [s.method, s.url, s.body])).toEqual([
      [
        'PATCH',
        '/api/v1/applications/web',
        { name: 'web', patch: '{"spec":{}}', patchType: 'merge' },
      ],
    ]);
    expect(lines.join('\n')).toMatch(/^kind: Application$/m);
  });

  it('history -o json prints the history entries', async () => {
    const history = [{ id: 0, revision: 'abc', deployedAt: '2026-01-01T00:00:00Z' }];
    app = { ...app, status: { history } };
    expect(JSON.parse((await run('history', 'web', '-o', 'json')).join('\n'))).toEqual(history);
  });
});
