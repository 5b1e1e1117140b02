/**
 * What the Flux and Argo CD runners share: building a peer with bench/peers/build-peers.sh
 * (cached, so a warm run only checks), installing CRDs with the pinned kubectl, and small
 * Kubernetes writes that say which step failed.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '@gitward/infra';
import { ensureBinaries } from '@gitward/local-cluster';
import { applicationVerdict, type Verdict } from './peer-status.ts';
import type { PeerContext, PeerRunner } from './peers.ts';
import type { Spawned } from './processes.ts';
import { inBatches } from './scale-out.ts';

/** Thrown by a starter when a step fails, so the report can say which command it was. */
export class PeerStepError extends Error {
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.name = 'PeerStepError';
    this.command = command;
  }
}

export const buildScript = join(import.meta.dirname, 'peers', 'build-peers.sh');

/**
 * Runs a command; a failure becomes a PeerStepError naming the command and its stderr. Two hours by
 * default: a cold build of Argo CD on a loaded 2-core machine takes far longer than its 5 minutes idle.
 */
export function step(cmd: string, args: readonly string[], timeoutMs = 7_200_000): Promise<string> {
  const line = [cmd, ...args].join(' ');
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, out, stderr) => {
      if (err) {
        const text = (stderr.trim() || err.message).split('\n').slice(-15).join('\n');
        reject(new PeerStepError(line, text));
      } else resolve(out);
    });
  });
}

/** Builds (or finds) a peer and returns its directory (binaries and crds/). */
export async function buildPeer(ctx: PeerContext, peer: 'flux' | 'argocd'): Promise<string> {
  const out = await step('bash', [buildScript, '--cache-dir', ctx.cacheDir, peer]);
  const dir = /^\S+ (.+)$/m.exec(out.trim())?.[1];
  if (!dir) throw new PeerStepError(`bash ${buildScript} ${peer}`, `no directory in: ${out}`);
  return dir;
}

/**
 * Applies every CRD in `dir` server-side and waits until the apiserver serves them. Polled here, not
 * `kubectl wait --all`: that fails at once on a CRD the apiserver has not given conditions yet
 * ("status.conditions accessor error: <nil>").
 */
export async function installCrds(ctx: PeerContext, dir: string): Promise<void> {
  const kubectl = (await ensureBinaries({ cacheDir: ctx.cacheDir })).path.kubectl;
  await step(kubectl, ['--kubeconfig', ctx.kubeconfig, 'apply', '--server-side', '-f', dir]);
  const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
  type Crd = { status?: { conditions?: { type: string; status: string }[] } };
  const established = (c: Crd) =>
    c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') ?? false;
  for (let i = 0; i < 600; i++) {
    const res = await ctx.kube.request<{ items: Crd[] }>('GET', path);
    if (res.status === 200 && res.body.items.every(established)) return;
    await sleep(200);
  }
  throw new PeerStepError(`GET ${path}`, 'the CRDs were not Established within 120 s');
}

/** POSTs `body` to `path`; an existing object is fine (AlreadyExists). */
export async function create(kube: KubeClient, path: string, body: unknown): Promise<void> {
  const r = await kube.request('POST', path, { body });
  if (r.status >= 300 && r.status !== 409)
    throw new PeerStepError(
      `POST ${path}`,
      `HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 500)}`,
    );
}

export const createNamespace = (kube: KubeClient, name: string) =>
  create(kube, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

/** Sets one annotation with a merge patch. */
export async function annotate(
  kube: KubeClient,
  path: string,
  key: string,
  value: string,
): Promise<void> {
  const r = await kube.request('PATCH', path, {
    body: { metadata: { annotations: { [key]: value } } },
  });
  if (r.status >= 300) throw new Error(`annotating ${path}: HTTP ${r.status}`);
}

/**
 * Waits until an HTTP endpoint of the process answers 2xx. A process that exits or never answers
 * is a PeerStepError with its command line and the end of its log (read before the log goes).
 */
export async function untilHttpOk(p: Spawned, command: string, url: string): Promise<void> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (p.child.exitCode !== null || p.child.signalCode !== null) break;
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(200);
  }
  const log = await readFile(p.logFile, 'utf8').catch(() => '');
  const state =
    p.child.exitCode !== null ? `exited with ${p.child.exitCode}` : `${url} did not answer`;
  throw new PeerStepError(command, `${state}:\n${log.trimEnd().split('\n').slice(-15).join('\n')}`);
}

/** KEY=VALUE lines of a shell env file (comments and blank lines skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = m[2] ?? '';
  }
  return out;
}

/** The peers' versions, from bench/peers/versions.env (build-peers.sh reads the same file). */
export async function peerVersions(): Promise<Record<string, string>> {
  return parseEnvFile(await readFile(join(import.meta.dirname, 'peers', 'versions.env'), 'utf8'));
}

interface Listed {
  readonly metadata: { readonly name: string; readonly annotations?: Record<string, string> };
}

/**
 * What gitward and Argo CD share, both speaking Applications: the verdicts read from the list of
 * Applications at `path`, and the refresh request, annotation `key`=normal, which the controller
 * removes once it has refreshed the app (so a cycle ends when no asked app still carries it).
 */
export function applicationPeer(
  kube: KubeClient,
  path: string,
  key: string,
): Pick<PeerRunner, 'verdicts' | 'requestReconcile' | 'notify'> {
  const list = async () => (await kube.list(path)).items as unknown as Listed[];
  const notify = (name: string) => annotate(kube, `${path}/${name}`, key, 'normal');
  return {
    async verdicts() {
      return new Map<string, Verdict>(
        (await list()).map((a) => [a.metadata.name, applicationVerdict(a)]),
      );
    },
    async requestReconcile(names) {
      await inBatches(names, 20, notify);
      const want = new Set(names);
      return async () =>
        (await list()).every(
          (a) => !want.has(a.metadata.name) || a.metadata.annotations?.[key] === undefined,
        );
    },
    notify,
  };
}
