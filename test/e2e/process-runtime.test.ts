/**
 * The processes as they run in a pod: CRDs from the manifests (checked, not installed, without
 * --install-crds), probes and metrics on the metrics port, JSON or text logs.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startLocalCluster, type LocalCluster } from '@gitward/local-cluster';
import { ApiGroup, installManifests } from '@gitward/model';
import { startController } from './support/controller-process.ts';
import { kubectl } from './support/kubectl.ts';
import { startServer } from './support/server-process.ts';

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The log's JSON lines, once one has `msg` (the log is written through a pipe: poll for it). */
async function jsonLines(file: string, msg: string): Promise<Record<string, unknown>[]> {
  const deadline = performance.now() + 30_000;
  for (;;) {
    const text = await readFile(file, 'utf8');
    const lines = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    if (lines.some((l) => l['msg'] === msg)) return lines;
    if (performance.now() > deadline) throw new Error(`no "${msg}" in ${file}:\n${text}`);
    await sleep(100);
  }
}

describe('processes as in a pod (CRDs from the manifests)', () => {
  let fresh: LocalCluster | undefined;
  beforeAll(async () => {
    // What the manifests install (CRDs, namespace, default project), applied as a user would.
    const items = installManifests(ApiGroup.Gitward);
    const list = (xs: unknown[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items: xs });
    await kubectl(['apply', '--server-side', '-f', '-'], list(items.slice(0, 3)));
    // A CRD just created has no conditions yet (kubectl wait refuses it): poll the condition.
    for (const plural of ['applications', 'appprojects']) {
      const established = `{.status.conditions[?(@.type=="Established")].status}`;
      const deadline = performance.now() + 60_000;
      while (
        (await kubectl(['get', `crd/${plural}.gitward.dev`, '-o', `jsonpath=${established}`])) !==
        'True'
      ) {
        if (performance.now() > deadline) throw new Error(`crd ${plural} not established`);
        await sleep(200);
      }
    }
    await kubectl(['apply', '--server-side', '-f', '-'], list(items.slice(3)));
  });
  afterAll(async () => {
    await fresh?.stop();
  });

  it('starts where the CRDs are served, probes and metrics answer, logs are JSON', async () => {
    const controller = await startController([], { installCrds: false });
    try {
      await controller.ready();
      const base = `http://127.0.0.1:${controller.healthPort}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^process_cpu_seconds_total /m);
      const lines = await jsonLines(controller.logFile, 'caches synced; reconciling');
      for (const l of lines) {
        expect(typeof l['level'], JSON.stringify(l)).toBe('string');
        expect(l['time'], JSON.stringify(l)).toMatch(rfc3339);
        expect(l['component']).toBe('controller');
      }
    } finally {
      await controller.stop();
    }
  });

  it('exits non-zero with one line naming what to apply where the CRDs are missing', async () => {
    // A control plane of its own, with no CRDs: the shared one keeps its CRDs for other tests.
    fresh = await startLocalCluster({ name: 'e2e-no-crds', cacheDir: inject('cacheDir') });
    const controller = await startController(['--log-format', 'text'], {
      installCrds: false,
      kubeconfig: fresh.state.kubeconfig,
    });
    if (controller.child.exitCode === null && controller.child.signalCode === null)
      await once(controller.child, 'exit');
    await controller.stop();
    expect(controller.child.exitCode).toBe(1);
    const log = await readFile(controller.logFile, 'utf8');
    const fatal = log.split('\n').filter((l) => l.includes('level=fatal'));
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatch(
      /^time=\S+Z level=fatal msg="CRDs applications\.gitward\.dev, appprojects\.gitward\.dev not found: apply the CRDs of this gitward version \(deploy\/crds\) or start with --install-crds" component=controller/,
    );
  });

  it('server answers /healthz and /readyz on its metrics port once it listens', async () => {
    const server = await startServer();
    try {
      const lines = await jsonLines(server.logFile, 'metrics and health endpoints listening');
      const listening = lines.find((l) => l['msg'] === 'metrics and health endpoints listening');
      expect(listening?.['address']).toBe('127.0.0.1');
      const base = `http://127.0.0.1:${String(listening?.['port'])}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect((await fetch(`${base}/metrics`)).status).toBe(200);
      for (const l of lines) {
        expect(typeof l['level']).toBe('string');
        expect(l['time']).toMatch(rfc3339);
      }
    } finally {
      await server.stop();
    }
  });
});
