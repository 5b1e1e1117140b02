/**
 * What a new user does, on a real kubelet node of the shared local control plane: install gitward
 * from deploy/ (the HA overlay) with the image `npm run image` built, wait for its pods to be
 * Ready (kubelet's probes answered), log in to the in-cluster server through its Service, create
 * the guestbook Application and see it Synced and Healthy, kill the leading controller pod and
 * see the standby take over, then uninstall and find nothing left.
 *
 * The shared control plane's CRDs serve every e2e file, so the copy of deploy/ installed here
 * leaves deploy/crds out (they are generated from the same code as the ones installed; the
 * deploy e2e applies them). Everything else is the install as shipped, in a namespace of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  imageRecordPath,
  parseImageRecord,
  realNodeLabel,
  realNodeToleration,
  realNodeUnavailable,
  startRealNode,
  type TcpRelay,
  type ImageRecord,
  type RealNode,
} from '@gitward/local-cluster';
import { createGitServer, type GitServer } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { runCli, type CliRun } from './support/cli.ts';
import { applyShippedCrds } from './support/deploy.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
// Only a machine where a real node cannot run at all skips; as root, a missing package fails the
// test with the command that installs it (npm test runs it first).
const unavailable = process.getuid?.() === 0 ? undefined : realNodeUnavailable();

interface PodList {
  items: {
    metadata: { name: string; uid: string; deletionTimestamp?: string };
    spec: { nodeName?: string };
    status: { conditions?: { type: string; status: string }[] };
  }[];
}

const isReady = (p: PodList['items'][number]) =>
  p.metadata.deletionTimestamp === undefined &&
  (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = performance.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (performance.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await sleep(500);
  }
}

/** `kubectl port-forward svc/NAME :PORT`: the local port once kubectl says it forwards. */
async function portForward(
  ns: string,
  target: string,
  port: number,
): Promise<{ port: number; child: ChildProcess }> {
  const cluster = inject('cluster');
  const child = spawn(
    join(cluster.binDir, 'kubectl'),
    [
      ...['--kubeconfig', cluster.kubeconfig, '-n', ns],
      ...['port-forward', '--address', '127.0.0.1', target, `:${port}`],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const local = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = /^Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) =>
      reject(new Error(`kubectl port-forward exited ${code}: ${stderr.join('')}`)),
    );
  });
  return { port: local, child };
}

describe.skipIf(unavailable !== undefined)(
  `install from deploy/ on a real node${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    const ns = uniqueName('gw-install');
    const appNs = `${ns}-guestbook`;
    const appRef = { group: 'gitward.dev', namespace: ns, name: 'guestbook' };
    let image: ImageRecord;
    let node: RealNode | undefined;
    let git: GitServer | undefined;
    let relay: TcpRelay | undefined;
    let forward: ChildProcess | undefined;
    let work = '';
    let repoURL = '';
    const overlay = () => join(work, 'install');
    /** An overlay of `base` in work/`name`: this run's image and namespace, pods on the real node. */
    const writeOverlay = async (
      name: string,
      base: string,
      namespace: string,
      extra: readonly object[] = [],
    ) => {
      const placement = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'any' },
        spec: {
          template: {
            spec: {
              nodeSelector: { [realNodeLabel.key]: realNodeLabel.value },
              tolerations: [realNodeToleration],
            },
          },
        },
      };
      await mkdir(join(work, name));
      await writeFile(
        join(work, name, 'extra.yaml'),
        extra.map((o) => JSON.stringify(o)).join('\n---\n'),
      );
      await writeFile(
        join(work, name, 'kustomization.yaml'),
        JSON.stringify({
          apiVersion: 'kustomize.config.k8s.io/v1beta1',
          kind: 'Kustomization',
          namespace,
          resources: [base, ...(extra.length > 0 ? ['extra.yaml'] : [])],
          images: [{ name: image.ref.split(':')[0], newTag: image.tag }],
          patches: [{ target: { kind: 'Deployment' }, patch: JSON.stringify(placement) }],
        }),
      );
    };
    const gitward = (args: readonly string[]): Promise<CliRun> =>
      runCli(args, {
        GITWARD_CONFIG: join(work, 'cli.yaml'),
        GITWARD_KUBECONFIG: inject('cluster').kubeconfig,
      });
    const cli = async (args: readonly string[]): Promise<string> => {
      const r = await gitward(args);
      if (r.code !== 0) throw new Error(`gitward ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const pods = async (name: string) =>
      (await getJson<PodList>(['pods', '-n', ns, '-l', `app.kubernetes.io/name=gitward-${name}`]))
        .items;

    beforeAll(async () => {
      const cacheDir = inject('cacheDir');
      const recordFile = imageRecordPath(cacheDir);
      const record = parseImageRecord(await readFile(recordFile, 'utf8').catch(() => ''));
      if (!record)
        throw new Error(`no image record at ${recordFile}: npm test builds it (npm run image)`);
      image = record;
      work = await mkdtemp(join(tmpdir(), 'gitward-install-e2e-'));
      node = await startRealNode({
        cluster: inject('cluster'),
        cacheDir,
        name: uniqueName('install'),
      });
      expect(await node.importImage(image.archive)).toContain(image.ref);

      git = await createGitServer();
      await git.createRepo('guestbook', join(repoRoot, 'demo', 'guestbook'));
      // Pods reach the host's loopback git server through a relay on the node's bridge address.
      relay = await node.relayHostPort(Number(new URL(git.url).port));
      repoURL = `http://${relay.host}:${relay.port}/guestbook.git`;

      // The CRDs as deploy/crds ships them (the shared control plane may have them already).
      await applyShippedCrds('gitward-install-e2e');

      // deploy/ as shipped, less the CRDs (see the file comment), under an overlay that names
      // this run's image and namespace and puts the pods on the real node.
      await cp(join(repoRoot, 'deploy'), join(work, 'deploy'), { recursive: true });
      await writeFile(
        join(work, 'deploy', 'crds', 'kustomization.yaml'),
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n',
      );
      await writeOverlay('install', '../deploy/overlays/ha', ns);
    }, 900_000);

    afterAll(async () => {
      forward?.kill();
      await kubectl(['delete', '-k', overlay(), '--ignore-not-found', '--wait=false']).catch(
        () => '',
      );
      await kubectl(['delete', 'namespace', appNs, '--ignore-not-found', '--wait=false']).catch(
        () => '',
      );
      await node?.stop();
      await relay?.close();
      await git?.close();
      if (work) await rm(work, { recursive: true, force: true });
    }, 300_000);

    it('installs the HA overlay: every pod runs on the real node and answers its probes', async () => {
      await kubectl(['apply', '--server-side', '-k', overlay()]);
      for (const name of ['controller', 'server']) {
        const ready = await waitFor(`two Ready ${name} pods`, async () => {
          const ps = (await pods(name)).filter(isReady);
          return ps.length === 2 ? ps : undefined;
        });
        for (const p of ready) expect(p.spec.nodeName).toBe(node?.nodeName);
      }
      // One controller leads; the other is a ready standby.
      const lease = await getJson<{ spec: { holderIdentity?: string } }>([
        'lease',
        'gitward-controller',
        '-n',
        ns,
      ]);
      expect(lease.spec.holderIdentity).toMatch(/^gitward-controller-/);
    });

    it('logs in through the gitward-server Service and syncs the guestbook', async () => {
      // The first line; then comes Argo CD's advice to change it.
      const password =
        (await cli(['admin', 'initial-password', '-n', ns])).split('\n')[0]?.trim() ?? '';
      expect(password).not.toBe('');
      const pf = await portForward(ns, 'svc/gitward-server', 443);
      forward = pf.child;
      await cli([
        ...['login', `127.0.0.1:${pf.port}`, '--insecure'],
        ...['--username', 'admin', '--password', password],
      ]);
      await cli([
        ...['app', 'create', 'guestbook', '--repo', repoURL, '--path', '.'],
        ...['--dest-server', 'https://kubernetes.default.svc', '--dest-namespace', appNs],
        ...['--sync-policy', 'automated', '--self-heal', '--sync-option', 'CreateNamespace=true'],
      ]);
      await waitApplication(
        appRef,
        (a) => a.status?.sync?.status === 'Synced' && a.status.health?.status === 'Healthy',
        { timeoutMs: 180_000 },
      );
      const got = await cli(['app', 'get', 'guestbook']);
      expect(got).toMatch(/Synced/);
      expect(got).toMatch(/Healthy/);
    });

    it('hands over to the standby when the leading controller pod is killed', async () => {
      const holder = async () =>
        (
          await getJson<{ spec: { holderIdentity?: string } }>([
            'lease',
            'gitward-controller',
            '-n',
            ns,
          ])
        ).spec.holderIdentity ?? '';
      const before = await holder();
      const leaderPod = (await pods('controller')).find((p) => before.startsWith(p.metadata.name));
      expect(leaderPod, `no pod holds the lease ${before}`).toBeDefined();
      await kubectl([
        ...['delete', 'pod', leaderPod?.metadata.name ?? '', '-n', ns],
        ...['--grace-period=0', '--force'],
      ]);
      const after = await waitFor(
        'another controller pod to take the lease',
        async () => {
          const h = await holder();
          return h !== '' && h !== before ? h : undefined;
        },
        90_000,
      );
      expect(after.startsWith(leaderPod?.metadata.name ?? '-')).toBe(false);
      // The new leader acts: drift in the guestbook is healed.
      const svc = await getJson<{ metadata: { uid: string } }>([
        'service',
        'guestbook',
        '-n',
        appNs,
      ]);
      await kubectl(['delete', 'service', 'guestbook', '-n', appNs]);
      await waitFor('the new leader to heal the deleted Service', async () => {
        const s = await getJson<{ metadata: { uid: string } }>([
          'service',
          'guestbook',
          '-n',
          appNs,
        ]);
        return s.metadata.uid !== svc.metadata.uid ? true : undefined;
      });
    });

    it('uninstalls and leaves nothing behind', async () => {
      forward?.kill();
      forward = undefined;
      await kubectl(['delete', 'application.gitward.dev', 'guestbook', '-n', ns, '--wait=true']);
      await kubectl(['delete', '-k', overlay(), '--wait=true']);
      expect(await kubectl(['get', 'namespace', ns, '--ignore-not-found'])).toBe('');
      // By name: other files' installs carry a prefix of their own.
      const left = await kubectl([
        ...['get', 'clusterroles,clusterrolebindings', '--ignore-not-found', '-o', 'name'],
        ...['--field-selector', 'metadata.name=gitward-controller'],
      ]);
      expect(left).toBe('');
      expect(
        await kubectl([
          ...['get', 'clusterroles,clusterrolebindings', '--ignore-not-found', '-o', 'name'],
          ...['--field-selector', 'metadata.name=gitward-server'],
        ]),
      ).toBe('');
      const onNode = await kubectl([
        ...['get', 'pods', '-A', '--field-selector', `spec.nodeName=${node?.nodeName ?? ''}`],
        ...['-o', 'name'],
      ]);
      expect(onNode).toBe('');
    });

    it('a namespace-scoped install syncs into its namespace and refuses another', async () => {
      const scoped = uniqueName('gw-ns-install');
      const other = `${scoped}-other`;
      const scopedRef = { group: 'gitward.dev', namespace: scoped };
      const app = (name: string, dest: string) => ({
        apiVersion: 'gitward.dev/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace: scoped },
        spec: {
          project: 'default',
          source: { repoURL, path: '.', targetRevision: 'HEAD' },
          destination: { server: 'https://kubernetes.default.svc', namespace: dest },
          syncPolicy: { automated: {} },
        },
      });
      try {
        await kubectl(['create', 'namespace', scoped]);
        await kubectl(['create', 'namespace', other]);
        // As Argo CD's namespace-install: the in-cluster Secret lists what the install manages.
        await writeOverlay('scoped', '../deploy/namespace-install', scoped, [
          {
            apiVersion: 'v1',
            kind: 'Secret',
            metadata: { name: 'in-cluster', labels: { 'gitward.dev/secret-type': 'cluster' } },
            stringData: {
              name: 'in-cluster',
              server: 'https://kubernetes.default.svc',
              namespaces: scoped,
            },
          },
        ]);
        await kubectl(['apply', '--server-side', '-k', join(work, 'scoped')]);
        await waitFor('the namespace-scoped controller to lead', async () => {
          const ps = (
            await getJson<PodList>([
              'pods',
              '-n',
              scoped,
              '-l',
              'app.kubernetes.io/name=gitward-controller',
            ])
          ).items.filter(isReady);
          return ps.length === 1 ? ps : undefined;
        });
        await kubectl(['apply', '-f', '-'], JSON.stringify(app('inside', scoped)));
        await kubectl(['apply', '-f', '-'], JSON.stringify(app('outside', other)));
        await waitApplication(
          { ...scopedRef, name: 'inside' },
          (a) => a.status?.sync?.status === 'Synced' && a.status.health?.status === 'Healthy',
          { timeoutMs: 180_000 },
        );
        const refused = await waitApplication(
          { ...scopedRef, name: 'outside' },
          (a) => JSON.stringify(a.status ?? {}).includes(`is not managed by cluster in-cluster`),
          { timeoutMs: 120_000 },
        );
        expect(JSON.stringify(refused.status)).toContain(`namespace ${other}`);
        expect(await kubectl(['get', 'all', '-n', other, '-o', 'name'])).toBe('');
      } finally {
        await kubectl([
          'delete',
          'applications.gitward.dev',
          '--all',
          '-n',
          scoped,
          '--wait=true',
        ]).catch(() => '');
        await kubectl([
          'delete',
          '-k',
          join(work, 'scoped'),
          '--ignore-not-found',
          '--wait=true',
        ]).catch(() => '');
        await kubectl([
          'delete',
          'namespace',
          scoped,
          other,
          '--ignore-not-found',
          '--wait=false',
        ]).catch(() => '');
      }
    });
  },
);
