import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { inProcessServer } from './support/in-process-server.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { deployment } from './support/sync-fixtures.ts';

// The resource tree's owner index (server/cluster/tree-cache.ts) over the real control plane: a
// watch, not a list per request, finds what a Deployment made, and sees what it makes later.

const ns = uniqueName('tree-cache');
const { ctx } = await inProcessServer();

afterAll(async () => {
  await ctx.trees?.stop();
});

/** Polls the index until `ok` holds for the children of `uid` (the watch delivers them). */
async function waitChildren(
  index: (uid: string) => readonly KubeObject[],
  uid: string,
  ok: (children: readonly KubeObject[]) => boolean,
): Promise<readonly KubeObject[]> {
  for (let i = 0; i < 600; i++) {
    const children = index(uid);
    if (ok(children)) return children;
    await sleep(100);
  }
  throw new Error(`children of ${uid}: ${JSON.stringify(index(uid).map((c) => c.metadata.name))}`);
}

describe('the owner index of a destination', () => {
  it("holds a Deployment's ReplicaSet, and the next one its rollout makes", async () => {
    await kubectl(['create', 'namespace', ns]);
    await kubectl(['-n', ns, 'apply', '-f', '-'], deployment('web'));
    const web = await getJson<KubeObject & { metadata: { uid: string } }>([
      '-n',
      ns,
      'deployment',
      'web',
    ]);
    const index = await ctx.trees?.childrenOf('https://kubernetes.default.svc', ctx.kube, []);
    if (!index) throw new Error('no owner index: the server fell back to listing');
    const first = await waitChildren(index, web.metadata.uid, (c) => c.length === 1);
    expect(first[0]?.kind).toBe('ReplicaSet');
    // A new template makes a second ReplicaSet: the watch brings it, nothing is re-listed.
    await kubectl([...['-n', ns, 'set', 'image', 'deployment/web', 'main=registry.invalid/web:2']]);
    const both = await waitChildren(index, web.metadata.uid, (c) => c.length === 2);
    expect(both.map((c) => c.kind)).toEqual(['ReplicaSet', 'ReplicaSet']);
  });
});
