import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureInstalled } from '@gitward/controller';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { application, cm, generateNameJob, opDone } from './support/sync-fixtures.ts';

// Sharding (issue 16 §2): three real controller replicas with --replicas 3 split 60 apps of their
// own control namespace, each app reconciled by exactly one of them; a killed replica's apps
// are taken over once its (short) lease runs out; and a sync whose owner dies mid-hook resumes on
// the new owner exactly once.
const ns = uniqueName('shard');
const dest = uniqueName('shard-dest');
// Short, but long enough that three controllers starting at once on two shared cores keep
// renewing (5 s lost leases under that load).
const leaseSeconds = 10;
const apps = Array.from({ length: 60 }, (_, i) => `app-${i}`);
let server: GitServer;
let repo: TestRepo;
const replicas: ControllerProcess[] = [];

const app = (name: string, path: string) =>
  JSON.parse(application(name, repo.url, dest, path, undefined, ns)) as Record<string, unknown>;

const start = () =>
  startController([
    ...['--namespace', ns, '--replicas', '3'],
    ...['--lease-duration-seconds', String(leaseSeconds), '--resync-seconds', '0'],
    ...['--sync-timeout-seconds', '120'],
  ]);

/** The apps a replica has reconciled, from its gitward_app_reconcile_seconds series. */
async function reconciled(c: ControllerProcess): Promise<Map<string, number>> {
  const text = await fetch(`http://127.0.0.1:${c.healthPort}/metrics`).then((r) => r.text());
  const out = new Map<string, number>();
  const re = /^gitward_app_reconcile_seconds_count\{namespace="([^"]+)",name="([^"]+)"\} (\d+)$/gm;
  for (const m of text.matchAll(re)) if (m[1] === ns) out.set(m[2] ?? '', Number(m[3]));
  return out;
}

async function gauge(c: ControllerProcess, name: string): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${c.healthPort}/metrics`).then((r) => r.text());
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** For each app, the replicas (indexes into `among`) whose metrics show a reconcile of it. */
async function reconcilers(among: readonly ControllerProcess[], names: readonly string[]) {
  const seen = await Promise.all(among.map(reconciled));
  return new Map(names.map((a) => [a, among.filter((_, i) => seen[i]?.has(a))]));
}

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo('sharding');
  const files: Record<string, string> = {};
  for (const a of apps) files[`apps/${a}/cm.json`] = cm(`cm-${a}`);
  await repo.commit(files, '60 ConfigMap apps');
  await repo.push();
  const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
  await ensureInstalled(kube, 'gitward.dev', ns);
  await kubectl(['create', 'namespace', dest]);
  // The apps exist before any replica starts: the replicas agree on one view from the outset.
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'List',
      items: apps.map((a) => app(a, `apps/${a}`)),
    }),
  );
}, 120_000);

afterAll(async () => {
  for (const r of replicas) await r.stop('SIGKILL');
  await server.close();
});

describe('controller sharding', () => {
  it('splits 60 apps over 3 replicas, each app reconciled by exactly one', async () => {
    replicas.push(...(await Promise.all([start(), start(), start()])));
    await Promise.all(replicas.map((r) => r.ready(90_000)));
    // One list per poll, not one kubectl per app: every app compared (OutOfSync: nothing synced).
    await expect
      .poll(
        async () => {
          const list = await getJson<{ items: Application[] }>([
            '-n',
            ns,
            'applications.gitward.dev',
          ]);
          return list.items.filter((x) => x.status?.sync?.status === 'OutOfSync').length;
        },
        { timeout: 120_000, interval: 500 },
      )
      .toBe(apps.length);
    const by = await reconcilers(replicas, apps);
    for (const a of apps)
      expect({ app: a, replicas: by.get(a)?.length }).toEqual({ app: a, replicas: 1 });
    const owned = await Promise.all(replicas.map((r) => gauge(r, 'gitward_controller_shard_apps')));
    expect(owned.reduce((x, y) => x + y, 0)).toBe(60);
    // ceil(1.25 · 60 / 3): the bounded load.
    for (const n of owned) expect(n).toBeLessThanOrEqual(25);
    for (const r of replicas) expect(await gauge(r, 'gitward_controller_shard_members')).toBe(3);
  }, 240_000);

  it('hands a killed replica’s apps to the others once its lease has run out', async () => {
    const [victim, ...survivors] = replicas as [ControllerProcess, ...ControllerProcess[]];
    const theirs = [...(await reconciled(victim)).keys()];
    expect(theirs.length).toBeGreaterThan(0);
    await victim.stop('SIGKILL');
    replicas.splice(0, 1);
    // Lease expiry (10 s) + the members' next look and publication (≤ 2 × 1.33 s) + reconciles.
    await expect
      .poll(
        async () => {
          const by = await reconcilers(survivors, theirs);
          return theirs.filter((a) => by.get(a)?.length !== 1);
        },
        { timeout: (leaseSeconds + 25) * 1000, interval: 250 },
      )
      .toEqual([]);
    for (const r of survivors) expect(await gauge(r, 'gitward_controller_shard_members')).toBe(2);
  }, 120_000);

  it('resumes a running sync exactly once after its owner dies mid-hook', async () => {
    const gate = `shard-${ns.slice(-6)}`;
    await repo.commit(
      {
        'hooked/pre.json': generateNameJob(
          'migrate-',
          { 'argocd.argoproj.io/hook': 'PreSync' },
          { nodeSelector: { [gate]: 'open' } },
        ),
        'hooked/cm.json': cm('after-migrate'),
      },
      'hooked app',
    );
    await repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('hooked', repo.url, dest, 'hooked', undefined, ns),
    );
    const ref = { group: 'gitward.dev', namespace: ns, name: 'hooked' };
    await waitApplication(ref, (x) => x.status?.sync?.status === 'OutOfSync', {
      timeoutMs: 60_000,
    });
    const before = Date.now();
    await kubectl([
      ...['-n', ns, 'patch', 'applications.gitward.dev', 'hooked', '--type=merge', '-p'],
      JSON.stringify({ operation: { initiatedBy: { username: 'e2e' }, sync: {} } }),
    ]);
    const mine = (x: Application) =>
      Date.parse(x.status?.operationState?.startedAt ?? '') >= before - 1000;
    const hookOf = (x: Application) =>
      x.status?.operationState?.syncResult?.resources?.find((r) =>
        (r.name ?? '').startsWith('migrate-'),
      );
    await waitApplication(ref, (x) => mine(x) && hookOf(x)?.hookPhase === 'Running', {
      timeoutMs: 60_000,
    });

    const by = await reconcilers(replicas, ['hooked']);
    const owner = by.get('hooked') ?? [];
    expect(owner).toHaveLength(1);
    const [dying] = owner;
    if (dying === undefined) throw new Error('no owner of the hooked app');
    const survivor = replicas.find((r) => r !== dying);
    await dying.stop('SIGKILL');
    replicas.splice(replicas.indexOf(dying), 1);
    await kubectl(['label', 'node', 'kwok-node-0', `${gate}=open`, '--overwrite']);
    try {
      const done = await waitApplication(ref, (x) => mine(x) && opDone(x), { timeoutMs: 90_000 });
      expect(done.status?.operationState?.phase).toBe('Succeeded');
      // The hook ran once: one Job, the one the first owner created.
      const jobs = await getJson<{ items: { metadata: { name: string } }[] }>([
        ...['-n', dest, 'jobs'],
      ]);
      expect(jobs.items.map((j) => j.metadata.name)).toEqual([hookOf(done)?.name]);
      // The operation ended once, on the survivor.
      const text = await fetch(`http://127.0.0.1:${survivor?.healthPort}/metrics`).then((r) =>
        r.text(),
      );
      const ended = [...text.matchAll(/^gitward_app_sync_total\{([^}]*)\} (\d+)$/gm)].filter(
        (m) => (m[1] ?? '').includes(`name="hooked"`) && (m[1] ?? '').includes(`namespace="${ns}"`),
      );
      expect(ended.map((m) => [/phase="(\w+)"/.exec(m[1] ?? '')?.[1], m[2]])).toEqual([
        ['Succeeded', '1'],
      ]);
    } finally {
      await kubectl(['label', 'node', 'kwok-node-0', `${gate}-`]);
    }
  }, 240_000);
});
