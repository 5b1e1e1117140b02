import { beforeAll, describe, expect, it } from 'vitest';
import { diffResource } from '@gitward/engine';
import type { KubeObject } from '@gitward/model';
import { kubectl, uniqueName } from './support/kubectl.ts';

const ns = uniqueName('diff');
const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: ns },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
    },
  },
};
const service: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: ns },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
};
const secret: KubeObject = {
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds', namespace: ns },
  stringData: { password: 'hunter2-original' },
};

const ssa = [
  '--server-side',
  '--field-manager',
  'gitward-controller',
  '--force-conflicts',
  '-o',
  'json',
  '-f',
  '-',
];
/** The apiserver's prediction of `obj` after apply: what the controller compares with live. */
const predict = async (obj: KubeObject) =>
  JSON.parse(
    await kubectl(['apply', '--dry-run=server', ...ssa], JSON.stringify(obj)),
  ) as KubeObject;
const live = async (kind: string, name: string) =>
  JSON.parse(await kubectl(['get', '-n', ns, kind, name, '-o', 'json'])) as KubeObject;

beforeAll(async () => {
  await kubectl(['create', 'namespace', ns]);
  for (const o of [deployment, service, secret])
    await kubectl(['apply', ...ssa], JSON.stringify(o));
  await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=120s']);
});

describe('diff against a real apiserver', () => {
  it('shows no drift for a freshly applied object, whatever the apiserver defaulted', async () => {
    for (const [obj, kind] of [
      [deployment, 'deployment'],
      [service, 'service'],
      [secret, 'secret'],
    ] as const) {
      const l = await live(kind, obj.metadata.name ?? '');
      expect(diffResource(obj, l, await predict(obj)).modified).toBe(false);
      // Even without the server's prediction, defaults (strategy, clusterIP, protocol, ...) are not drift.
      expect(diffResource(obj, l, undefined).modified).toBe(false);
    }
  });

  it('shows a live edit as a diff of the changed field only', async () => {
    await kubectl(['-n', ns, 'scale', 'deployment', 'web', '--replicas=5']);
    const d = diffResource(deployment, await live('deployment', 'web'), await predict(deployment));
    expect(d.modified).toBe(true);
    expect(d.diff).toMatch(/^-\s+replicas: 5$/m);
    expect(d.diff).toMatch(/^\+\s+replicas: 2$/m);
    expect(d.diff.split('\n').filter((l) => /^[-+]\s/.test(l))).toHaveLength(2);
  });

  it('masks Secret values in diffs while showing that they changed', async () => {
    await kubectl([
      '-n',
      ns,
      'patch',
      'secret',
      'creds',
      '--type=merge',
      '-p',
      '{"stringData":{"password":"changed-by-hand"}}',
    ]);
    const d = diffResource(secret, await live('secret', 'creds'), await predict(secret));
    expect(d.modified).toBe(true);
    const text = JSON.stringify(d);
    for (const plain of ['hunter2-original', 'changed-by-hand']) {
      expect(text).not.toContain(plain);
      expect(text).not.toContain(Buffer.from(plain).toString('base64'));
    }
    expect(d.diff).toMatch(/password: \++/);
  });
});
