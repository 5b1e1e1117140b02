/**
 * Big and hostile input against the real controller process: a 20 MB YAML file, a file whose
 * parse takes seconds, a YAML alias bomb and an app with several sources each get a clear
 * condition, while a good app still syncs and the controller keeps its lease throughout (a
 * parse on the event loop would starve the renewals and make it exit).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

const group = 'gitward.dev';
const controlNs = 'gitward';
const destNs = uniqueName('hostile');
const cm = (name: string, pad = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "1${pad}"\n`;

/** Many small documents: a few seconds of YAML parsing, and more documents than the limit. */
const manyDocuments = (count: number) =>
  Array.from({ length: count }, (_, i) => `---\n${cm(`heavy-${i}`, 'x'.repeat(120))}`).join('');

/** About `bytes` of one valid YAML list of ConfigMaps. */
function bigYaml(bytes: number): string {
  const one = `- ${cm('big', 'y'.repeat(900)).replace(/\n(?=.)/g, '\n  ')}`;
  return `apiVersion: v1\nkind: List\nitems:\n${one.repeat(Math.ceil(bytes / one.length))}`;
}

const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
  .concat(
    ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
      (k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`,
    ),
  )
  .join('\n');

let server: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;

function application(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: `${group}/v1alpha1`,
    kind: 'Application',
    metadata: { name, namespace: controlNs },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: destNs },
      ...spec,
    },
  });
}

const gitSource = (path: string) => ({ repoURL: repo.url, path, targetRevision: 'HEAD' });
const automated = { automated: { prune: true } };

interface Lease {
  spec: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
}

/** Samples the controller's Lease until stopped: who holds it and when it was renewed. */
function watchLease() {
  const samples: { holder: string; renewed: number }[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const lease = await getJson<Lease>(['lease', 'gitward-controller', '-n', controlNs]).catch(
        () => undefined,
      );
      if (lease?.spec.renewTime)
        samples.push({
          holder: lease.spec.holderIdentity ?? '',
          renewed: Date.parse(lease.spec.renewTime),
        });
      await sleep(500);
    }
  })();
  return {
    samples,
    stop: async () => {
      running = false;
      await done;
    },
  };
}

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo(uniqueName('hostile'));
  await repo.commit(
    {
      'good/cm.yaml': cm('good'),
      'big/big.yaml': bigYaml(20 * 1024 * 1024),
      // About 7 MB, under the per-file limit: over 10 s of parsing here, longer than the lease's
      // renew deadline, so parsing it on the event loop would cost the lease.
      'heavy/heavy.yaml': manyDocuments(40_000),
      'bomb/bomb.yaml': aliasBomb,
      'multi/cm.yaml': cm('multi-first'),
    },
    'hostile input',
  );
  await repo.push();
  await kubectl(['create', 'namespace', destNs]);
  // An object the multi-source app tracks: syncing only its first source would prune it.
  const tracked = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'from-second-source',
      namespace: destNs,
      annotations: {
        'gitward.dev/tracking-id': `multi:/ConfigMap:${destNs}/from-second-source`,
      },
    },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(tracked));
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
}, 180_000);

afterAll(async () => {
  await controller.stop();
  await server.close();
});

type Condition = NonNullable<NonNullable<Application['status']>['conditions']>[number];
const conditionOf = (app: Application, type: string): Condition | undefined =>
  app.status?.conditions?.find((c) => c.type === type);

describe('hostile input', { timeout: 300_000 }, () => {
  it('gives each hostile app a clear condition, syncs the good one, and keeps the lease', async () => {
    const lease = watchLease();
    const ref = (name: string) => ({ group, namespace: controlNs, name });
    const wait = (name: string, ok: (a: Application) => boolean, timeoutMs = 180_000) =>
      waitApplication(ref(name), ok, { timeoutMs, logFile: controller.logFile });

    for (const [name, path] of [
      ['big', 'big'],
      ['heavy', 'heavy'],
      ['bomb', 'bomb'],
    ] as const)
      await kubectl(['apply', '-f', '-'], application(name, { source: gitSource(path) }));
    await kubectl(
      ['apply', '-f', '-'],
      application('multi', {
        sources: [gitSource('multi'), gitSource('other')],
        syncPolicy: automated,
      }),
    );
    await kubectl(
      ['apply', '-f', '-'],
      application('good', { source: gitSource('good'), syncPolicy: automated }),
    );

    const big = await wait('big', (a) => conditionOf(a, 'ComparisonError') !== undefined);
    expect(conditionOf(big, 'ComparisonError')?.message).toMatch(
      /^big\.yaml is \d+ bytes, larger than the per-file limit of 8 MiB$/,
    );
    const bomb = await wait('bomb', (a) => conditionOf(a, 'ComparisonError') !== undefined);
    expect(conditionOf(bomb, 'ComparisonError')?.message).toMatch(
      /^bomb\.yaml \(document 1\): too many alias expansions/,
    );
    const heavy = await wait('heavy', (a) => conditionOf(a, 'ComparisonError') !== undefined);
    expect(conditionOf(heavy, 'ComparisonError')?.message).toBe(
      'heavy.yaml (document 10001): 40000 YAML documents, more than the limit of 10000',
    );
    const multi = await wait('multi', (a) => conditionOf(a, 'InvalidSpecError') !== undefined);
    expect(conditionOf(multi, 'InvalidSpecError')?.message).toBe(
      'spec.sources (multiple sources) is not supported yet',
    );
    await wait(
      'good',
      (a) => a.status?.sync?.status === 'Synced' && a.status.health?.status === 'Healthy',
    );
    // Nothing of the multi-source app was pruned or applied.
    await kubectl(['get', 'configmap', 'from-second-source', '-n', destNs]);
    await expect(kubectl(['get', 'configmap', 'multi-first', '-n', destNs])).rejects.toThrow(
      /NotFound/,
    );
    await sleep(5_000);
    await lease.stop();

    // One holder throughout, renewing well within the lease duration.
    const holders = new Set(lease.samples.map((s) => s.holder));
    expect([...holders]).toHaveLength(1);
    const renewals = [...new Set(lease.samples.map((s) => s.renewed))].sort((a, b) => a - b);
    expect(renewals.length).toBeGreaterThan(5);
    const gaps = renewals.slice(1).map((t, i) => t - (renewals[i] ?? t));
    // Renewed every 2 s; a parse on the event loop would leave a gap of 10 s or more.
    expect(Math.max(...gaps)).toBeLessThan(6_000);
    expect(controller.child.exitCode).toBeNull();
  });
});
