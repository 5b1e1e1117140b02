import { describe, expect, it } from 'vitest';
import { reconcileSettingsOf } from '@gitward/engine';
import {
  formatResourceKey,
  resourceKeyOf,
  type Application,
  type AppProject,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';
import {
  managedResourceDiffs,
  maskedManifests,
  sensitiveAnnotationsOf,
  type ManagedResourcesInput,
} from './app-diff.ts';

const ns = 'web';
const tracking = { 'gitward.dev/tracking-id': 'guestbook:/ConfigMap:web/settings' };

const app: Application = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', namespace: 'gitward' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: ns },
    source: { repoURL: 'https://git.example/guestbook.git', path: '.', targetRevision: 'main' },
  },
};
const project = (spec: Partial<AppProject['spec']> = {}): AppProject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'default', namespace: 'gitward' },
  spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], ...spec },
});

const configMap = (data: Record<string, string>, extra: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: ns, annotations: tracking, ...extra },
    data,
  }) as KubeObject;
/** What the apiserver adds to every object: none of it is drift. */
const server = { uid: 'u-1', resourceVersion: '42', creationTimestamp: '2025-01-01T00:00:00Z' };

const secret = (fields: Record<string, unknown>, annotations: Record<string, string> = {}) =>
  ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: ns, annotations },
    type: 'Opaque',
    ...fields,
  }) as KubeObject;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Dry-run answers by formatted ResourceKey, as the predictor gives them. */
const predictions = (...objects: KubeObject[]) =>
  new Map(objects.map((o) => [formatResourceKey(resourceKeyOf(o)), o]));

function input(
  desired: KubeObject[],
  live: KubeObject[],
  o: Partial<Omit<ManagedResourcesInput, 'desired' | 'live'>> = {},
): ManagedResourcesInput {
  return {
    app,
    project: project(),
    cluster: { server: 'https://kubernetes.default.svc', name: 'in-cluster' },
    desired,
    live: new Map(live.map((l) => [formatResourceKey(resourceKeyOf(l)), l])),
    predicted: new Map(),
    managed: live.map(resourceKeyOf),
    namespaced: (_g, kind) => kind !== 'ClusterRole',
    sensitiveAnnotations: [],
    ...o,
  };
}

describe('managedResourceDiffs', () => {
  const cases: {
    name: string;
    in: ManagedResourcesInput;
    want: Record<string, unknown>;
    diff?: RegExp[];
  }[] = [
    {
      name: 'a live object equal to its target but for server metadata is Synced',
      in: input([configMap({ a: '1' })], [configMap({ a: '1' }, server)]),
      want: { status: 'Synced', modified: false, diff: '', resourceVersion: '42' },
    },
    {
      name: 'a changed value is OutOfSync, the diff naming the field',
      in: input([configMap({ a: '1' })], [configMap({ a: '2' }, server)]),
      want: { status: 'OutOfSync', modified: true },
      diff: [/^-\s+a: "2"$/m, /^\+\s+a: "1"$/m],
    },
    {
      name: 'a desired object missing live is OutOfSync and Missing',
      in: input([configMap({ a: '1' })], []),
      want: {
        status: 'OutOfSync',
        modified: true,
        liveState: 'null',
        normalizedLiveState: 'null',
        health: { status: 'Missing' },
      },
      diff: [/^\+\s+a: "1"$/m],
    },
    {
      name: 'a recorded object Git no longer has requires pruning',
      in: input([], [configMap({ a: '1' }, server)]),
      want: {
        status: 'OutOfSync',
        requiresPruning: true,
        targetState: 'null',
        predictedLiveState: 'null',
      },
    },
    {
      name: 'a kind the project forbids is Unknown',
      in: input(
        [
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            metadata: { name: 'reader' },
          },
        ],
        [],
      ),
      want: { kind: 'ClusterRole', status: 'Unknown', namespace: '' },
    },
    {
      name: 'ignoreDifferences of the app hide a field from the comparison',
      in: input([configMap({ a: '1' })], [configMap({ a: '2' }, server)], {
        app: {
          ...app,
          spec: {
            ...app.spec,
            ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data/a'] }],
          },
        },
      }),
      want: { status: 'Synced', diff: '' },
    },
    {
      name: 'three-way: a field removed from Git, predicted gone by the dry run, is OutOfSync',
      in: input([configMap({ a: '1' })], [configMap({ a: '1', b: '2' }, server)], {
        predicted: predictions(configMap({ a: '1' }, server)),
      }),
      want: { status: 'OutOfSync', modified: true },
      diff: [/^-\s+b: "2"$/m],
    },
    {
      name: 'two-way (no prediction): the same removed field does not show',
      in: input([configMap({ a: '1' })], [configMap({ a: '1', b: '2' }, server)]),
      want: { status: 'Synced', modified: false, diff: '' },
    },
    {
      name: 'three-way: what only the apiserver defaults (in prediction and live) is no drift',
      in: input([configMap({ a: '1' })], [configMap({ a: '1', d: 'x' }, server)], {
        predicted: predictions(configMap({ a: '1', d: 'x' }, server)),
      }),
      want: { status: 'Synced', modified: false, diff: '' },
    },
  ];
  it.each(cases)('$name', (c) => {
    const items = managedResourceDiffs(c.in);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject(c.want);
    for (const re of c.diff ?? []) expect(items[0]?.diff).toMatch(re);
  });

  it('compares with the settings: system-wide ignores count, excluded kinds are not shown', () => {
    const settings = reconcileSettingsOf({
      'resource.customizations.ignoreDifferences.ConfigMap': 'jsonPointers: [/data/a]',
    }).settings;
    const [item] = managedResourceDiffs(
      input([configMap({ a: '1' })], [configMap({ a: '2' }, server)], { settings }),
    );
    expect(item).toMatchObject({ status: 'Synced', modified: false });
    const excluding = reconcileSettingsOf({
      'resource.exclusions': '- apiGroups: [""]\n  kinds: [ConfigMap]\n',
    }).settings;
    // Neither the desired one nor a managed one left in Git (which the controller never prunes).
    expect(
      managedResourceDiffs(
        input([configMap({ a: '1' })], [configMap({ a: '2' }, server)], { settings: excluding }),
      ),
    ).toEqual([]);
  });

  it('lists no hook: hooks are not managed resources (as in Argo CD)', () => {
    const hook = configMap({ a: '1' }, { annotations: { 'argocd.argoproj.io/hook': 'PreSync' } });
    expect(managedResourceDiffs(input([hook], []))).toEqual([]);
  });

  it('sends every state as JSON, target with what Git declares', () => {
    const [item] = managedResourceDiffs(
      input([configMap({ a: '1' })], [configMap({ a: '2' }, server)]),
    );
    expect(JSON.parse(item?.targetState ?? '')).toMatchObject({ data: { a: '1' } });
    expect(JSON.parse(item?.liveState ?? '')).toMatchObject({ data: { a: '2' }, metadata: server });
    // Normalized: no server metadata; predicted: target laid over live.
    expect(JSON.parse(item?.normalizedLiveState ?? '')).not.toHaveProperty('metadata.uid');
    expect(JSON.parse(item?.predictedLiveState ?? '')).toMatchObject({ data: { a: '1' } });
  });

  const plain = ['hunter2-in-git', 'changed-by-hand', 'token-in-annotation'];
  const secretCases: { name: string; desired: KubeObject[]; live: KubeObject[] }[] = [
    {
      name: 'stringData in Git, data live',
      desired: [secret({ stringData: { password: plain[0] } })],
      live: [secret({ data: { password: b64(plain[1] ?? '') } })],
    },
    {
      name: 'live last-applied copy',
      desired: [secret({ data: { password: b64(plain[0] ?? '') } })],
      live: [
        secret(
          { data: { password: b64(plain[1] ?? '') } },
          {
            'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(
              secret({ data: { password: b64(plain[0] ?? '') } }),
            ),
          },
        ),
      ],
    },
    {
      name: 'sensitive annotation',
      desired: [secret({ data: { k: b64('v') } }, { token: plain[2] ?? '' })],
      live: [secret({ data: { k: b64('v') } }, { token: 'other-annotation-value' })],
    },
    { name: 'missing live', desired: [secret({ stringData: { password: plain[0] } })], live: [] },
    {
      name: 'extraneous live',
      desired: [],
      live: [secret({ data: { password: b64(plain[1] ?? '') } })],
    },
  ];
  it.each(secretCases)('never shows a Secret value: $name', ({ desired, live }) => {
    const items = managedResourceDiffs(input(desired, live, { sensitiveAnnotations: ['token'] }));
    const text = JSON.stringify(items);
    for (const p of [...plain, 'other-annotation-value']) {
      expect(text).not.toContain(p);
      expect(text).not.toContain(b64(p));
    }
    expect(text).toContain('++++++++');
  });

  it('masks sensitive annotations in a three-way diff too, the prediction compared', () => {
    const live = secret({ data: { k: b64('v'), gone: b64('x') } }, { token: plain[2] ?? '' });
    const predicted = secret({ data: { k: b64('v') } }, { token: plain[2] ?? '' });
    const [item] = managedResourceDiffs(
      input([secret({ data: { k: b64('v') } }, { token: plain[2] ?? '' })], [live], {
        predicted: predictions(predicted),
        sensitiveAnnotations: ['token'],
      }),
    );
    expect(item).toMatchObject({ status: 'OutOfSync', modified: true });
    expect(item?.diff).toMatch(/^-\s+gone: \++$/m);
    expect(JSON.stringify(item)).not.toContain(plain[2]);
  });

  it('keeps a changed Secret visible as runs of different length', () => {
    const [item] = managedResourceDiffs(
      input(
        [secret({ stringData: { password: 'a' } })],
        [secret({ data: { password: b64('b') } })],
      ),
    );
    expect(item?.status).toBe('OutOfSync');
    expect(item?.diff).toMatch(/^-\s+password: \++$/m);
    expect(item?.diff).toMatch(/^\+\s+password: \++$/m);
  });

  it('compares without a project (nothing forbidden)', () => {
    const [item] = managedResourceDiffs(input([configMap({ a: '1' })], [], { project: undefined }));
    expect(item?.status).toBe('OutOfSync');
  });

  it('lists desired and extraneous resources in key order', () => {
    const other = { ...configMap({ b: '1' }), metadata: { name: 'zzz', namespace: ns } };
    const keys = managedResourceDiffs(
      input([configMap({ a: '1' })], [configMap({ a: '1' }, server), other]),
    ).map((i): ResourceKey => ({
      group: i.group,
      kind: i.kind,
      namespace: i.namespace,
      name: i.name,
    }));
    expect(keys.map((k) => k.name)).toEqual(['settings', 'zzz']);
  });
});

describe('maskedManifests', () => {
  it('masks Secret data and keeps everything else as rendered', () => {
    const out = maskedManifests(
      [configMap({ a: '1' }), secret({ stringData: { password: 'hunter2' } }, { token: 'tok' })],
      ['token'],
    );
    expect(JSON.parse(out[0] ?? '')).toEqual(configMap({ a: '1' }));
    expect(out[1]).not.toContain('hunter2');
    expect(out[1]).not.toContain(b64('hunter2'));
    expect(out[1]).not.toContain('tok"');
    expect(JSON.parse(out[1] ?? '')).toMatchObject({ data: { password: '++++++++' } });
  });
});

describe('sensitiveAnnotationsOf', () => {
  it.each([
    [{}, []],
    [{ 'resource.sensitive.mask.annotations': 'a, b ,,c' }, ['a', 'b', 'c']],
    [{ 'resource.sensitive.mask.annotations': '' }, []],
  ])('%j → %j', (cm, want) => {
    expect(sensitiveAnnotationsOf(cm)).toEqual(want);
  });
});
