import { describe, expect, it } from 'vitest';
import { fakeNodeName, loadVersions } from '@gitward/local-cluster';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

interface Condition {
  type: string;
  status: string;
}

describe('the local control plane', () => {
  it('reports the pinned Kubernetes version, not v0.0.0-master', async () => {
    const v = JSON.parse(await kubectl(['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string };
      clientVersion: { gitVersion: string };
    };
    const want = `v${loadVersions().kubernetes}`;
    expect(v.serverVersion.gitVersion).toBe(want);
    expect(v.clientVersion.gitVersion).toBe(want);
  });

  it('has the fake node Ready', async () => {
    const node = await getJson<{ status: { conditions: Condition[] } }>(['node', fakeNodeName]);
    expect(node.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True' }),
    );
  });

  it('enforces RBAC for users outside system:masters', async () => {
    const out = await kubectl(['auth', 'can-i', 'list', 'secrets', '--as=nobody', '-A']).catch(
      (e: Error) => e.message,
    );
    expect(out).toMatch(/no/);
  });

  it('rolls out a Deployment with 2 replicas to 2 Ready pods', async () => {
    const ns = uniqueName('deploy');
    await kubectl(['create', 'namespace', ns]);
    await kubectl([
      '-n',
      ns,
      'create',
      'deployment',
      'web',
      '--image=registry.invalid/web:1',
      '--replicas=2',
    ]);
    await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=120s']);
    const d = await getJson<{ status: { availableReplicas: number; conditions: Condition[] } }>([
      '-n',
      ns,
      'deployment',
      'web',
    ]);
    expect(d.status.availableReplicas).toBe(2);
    expect(d.status.conditions).toContainEqual(
      expect.objectContaining({ type: 'Available', status: 'True' }),
    );
    const pods = await getJson<{ items: { status: { phase: string; conditions: Condition[] } }[] }>(
      ['-n', ns, 'pods', '-l', 'app=web'],
    );
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.status.phase).toBe('Running');
      expect(p.status.conditions).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'True' }),
      );
    }
  });

  it('runs a Job to completion', async () => {
    const ns = uniqueName('job');
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['-n', ns, 'create', 'job', 'once', '--image=registry.invalid/once:1']);
    await kubectl(['-n', ns, 'wait', '--for=condition=Complete', 'job/once', '--timeout=120s']);
    const job = await getJson<{ status: { succeeded: number } }>(['-n', ns, 'job', 'once']);
    expect(job.status.succeeded).toBe(1);
  });

  it('deletes a namespace together with its objects (garbage collection)', async () => {
    const ns = uniqueName('gc');
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['-n', ns, 'create', 'configmap', 'cfg', '--from-literal=a=b']);
    await kubectl(['-n', ns, 'create', 'deployment', 'web', '--image=registry.invalid/web:1']);
    await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=120s']);
    const rs = await getJson<{ items: { metadata: { uid: string } }[] }>(['-n', ns, 'replicasets']);
    expect(rs.items).toHaveLength(1);

    await kubectl(['delete', 'namespace', ns, '--wait=true', '--timeout=120s']);
    const left = await kubectl(['get', 'namespace', ns, '--ignore-not-found']);
    expect(left.trim()).toBe('');
    const pods = await getJson<{ items: unknown[] }>([
      'pods',
      '-A',
      '--field-selector',
      `metadata.namespace=${ns}`,
    ]);
    expect(pods.items).toHaveLength(0);
  });

  it('installs a CRD and stores a custom resource', async () => {
    const group = `${uniqueName('e2e')}.gitward.dev`;
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: {
                    type: 'object',
                    required: ['size'],
                    properties: { size: { type: 'integer', minimum: 1 } },
                  },
                },
              },
            },
          },
        ],
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(crd));
    await kubectl(['wait', '--for=condition=Established', `crd/widgets.${group}`, '--timeout=60s']);
    const cr = (size: number) =>
      JSON.stringify({
        apiVersion: `${group}/v1`,
        kind: 'Widget',
        metadata: { name: 'w', namespace: 'default' },
        spec: { size },
      });
    await expect(kubectl(['apply', '-f', '-'], cr(0))).rejects.toThrow(/spec.size/);
    await kubectl(['apply', '-f', '-'], cr(3));
    const got = await getJson<{ spec: { size: number } }>([
      `widgets.${group}`,
      'w',
      '-n',
      'default',
    ]);
    expect(got.spec.size).toBe(3);
  });
});
