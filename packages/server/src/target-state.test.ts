import { describe, expect, it } from 'vitest';
import { noKustomizeSettings } from '@gitward/engine';
import { ErrorCode, GitwardError, type Application, type KubeObject } from '@gitward/model';
import type { ClusterStore } from './cluster/store.ts';
import { createTargetSource, type TargetSourceDeps } from './target-state.ts';

type Renderer = TargetSourceDeps['renderer'];
type Request = Parameters<Renderer['render']>[0];
type Outcome = Awaited<ReturnType<Renderer['render']>>;
type ApiResourceIndex = Awaited<ReturnType<ClusterStore['discover']>>;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const repoURL = 'https://git.example/team/app.git';

const app: Application = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', namespace: 'gitward' },
  spec: {
    project: 'team',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
    source: { repoURL, path: 'deploy', targetRevision: 'main' },
  },
};

const repoSecret: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: {
    name: 'repo-1',
    namespace: 'gitward',
    labels: { 'gitward.dev/secret-type': 'repository' },
  },
  data: { url: b64(repoURL), username: b64('bot'), password: b64('s3cret') },
};

const index: ApiResourceIndex = {
  resources: [],
  lookup: (_g: string, kind: string) =>
    kind === 'ConfigMap'
      ? { group: '', version: 'v1', kind, plural: 'configmaps', namespaced: true }
      : undefined,
  apiVersions: () => ['v1'],
} as unknown as ApiResourceIndex;

function fixture(outcome: Outcome, secrets: KubeObject[] = [repoSecret]) {
  const requests: Request[] = [];
  const listed: [string, string | undefined][] = [];
  const renderer: Renderer = {
    render(req) {
      requests.push(req);
      return Promise.resolve(outcome);
    },
    stats: { renders: 0, cacheHits: 0 },
  };
  const store = {
    namespace: 'gitward',
    list(path: string, labelSelector?: string) {
      listed.push([path, labelSelector]);
      return Promise.resolve(secrets);
    },
    discover: () => Promise.resolve(index),
  } as unknown as ClusterStore;
  const source = createTargetSource({
    renderer,
    store,
    kubeVersion: () => Promise.resolve('1.34.4'),
    group: 'gitward.dev',
    settings: () =>
      Promise.resolve({
        trackingMethod: 'annotation',
        instanceLabelKey: 'app.kubernetes.io/instance',
        kustomize: noKustomizeSettings,
        helmValuesFileSchemes: [],
      }),
  });
  return { source, requests, listed };
}

const cm: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'web' },
};
const rendered: Outcome = {
  kind: 'rendered',
  objects: [cm],
  revision: 'abc123',
  sourceType: 'Directory',
  cached: false,
  unknownKinds: [],
};

describe('createTargetSource', () => {
  it('renders as the controller does: credentials, discovery, the destination namespace', async () => {
    const f = fixture(rendered);
    const out = await f.source.render(app);
    expect(f.listed).toEqual([['/api/v1/namespaces/gitward/secrets', 'gitward.dev/secret-type']]);
    expect(f.requests[0]).toMatchObject({
      appName: 'guestbook',
      project: 'team',
      source: { repoURL, targetRevision: 'main' },
      destinationNamespace: 'web',
      kubeVersion: '1.34.4',
      apiVersions: ['v1'],
      credentials: { username: 'bot', password: 's3cret' },
    });
    expect(f.requests[0]?.scope('', 'ConfigMap')).toBe(true);
    expect(out).toMatchObject({ ok: true, revision: 'abc123', sourceType: 'Directory' });
  });

  it('sets the tracking annotation on every object, as the controller compares them', async () => {
    const out = await fixture(rendered).source.render(app);
    expect(out.ok && out.objects[0]?.metadata.annotations).toEqual({
      'gitward.dev/tracking-id': 'guestbook:/ConfigMap:web/settings',
    });
  });

  it.each([
    ['a revision replaces targetRevision', { revision: 'v1.0.0' }, 'v1.0.0'],
    ['no revision keeps targetRevision', {}, 'main'],
    ['an empty revision keeps targetRevision', { revision: '' }, 'main'],
  ])('%s', async (_name, opts, want) => {
    const f = fixture(rendered);
    await f.source.render(app, opts);
    expect(f.requests[0]?.source.targetRevision).toBe(want);
  });

  it('renders without credentials when no Secret matches', async () => {
    const f = fixture(rendered, []);
    await f.source.render(app);
    expect(f.requests[0]).not.toHaveProperty('credentials');
  });

  it('uses the first of several sources', async () => {
    const f = fixture(rendered);
    const { source: _one, ...spec } = app.spec;
    void _one;
    await f.source.render({
      ...app,
      spec: { ...spec, sources: [{ repoURL: 'https://git.example/first.git' }] },
    });
    expect(f.requests[0]?.source.repoURL).toBe('https://git.example/first.git');
  });

  it.each<[string, Outcome, unknown]>([
    [
      'an empty render is no objects, not a failure',
      { kind: 'empty', revision: 'r', sourceType: 'Directory', cached: false, unknownKinds: [] },
      { ok: true, objects: [], revision: 'r' },
    ],
    [
      'a failed render is its error',
      { kind: 'failed', error: new GitwardError(ErrorCode.RevisionNotFound, 'no such ref') },
      { ok: false, error: { code: ErrorCode.RevisionNotFound } },
    ],
  ])('%s', async (_name, outcome, want) => {
    expect(await fixture(outcome).source.render(app)).toMatchObject(want as object);
  });

  it('answers an app without a source with InvalidSpec, rendering nothing', async () => {
    const f = fixture(rendered);
    const { source: _one, ...spec } = app.spec;
    void _one;
    const out = await f.source.render({ ...app, spec });
    expect(out).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidSpec } });
    expect(f.requests).toHaveLength(0);
  });
});
