import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@gitward/model';
import { loadConfig } from '../config.ts';
import type { Output } from '../output.ts';
import { adminCommand } from './admin.ts';

const dir = mkdtempSync(join(tmpdir(), 'gitward-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function run(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const output: Output = { out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`) };
  await adminCommand({ output, config: loadConfig({ HOME: '/nonexistent' }) }).parseAsync(
    ['health', ...args],
    { from: 'user' },
  );
  return lines;
}

const progressing = file(
  'deploy.yaml',
  `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
`,
);
const healthy = file(
  'svc.json',
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: {} }),
);
const configMap = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n');
const ignored = file(
  'ignored.yaml',
  `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {argocd.argoproj.io/ignore-healthcheck: "true"}
`,
);

describe('gitward admin health', () => {
  it.each([
    [
      [progressing],
      ['Progressing: Waiting for rollout to finish: 1 of 2 updated replicas are available...'],
    ],
    [[healthy], ['Healthy']],
    [[configMap], ['No health: no health rule for ConfigMap (v1)']],
    [
      [ignored],
      ['No health: the object opts out with argocd.argoproj.io/ignore-healthcheck: "true"'],
    ],
  ])('prints the status and why for %j', async ([path = ''], want) => {
    expect(await run('-f', path)).toEqual(want);
  });

  it.each([
    [
      progressing,
      {
        status: 'Progressing',
        message: 'Waiting for rollout to finish: 1 of 2 updated replicas are available...',
      },
    ],
    [healthy, { status: 'Healthy' }],
    [configMap, { status: null }],
  ])('prints JSON with -o json for %s', async (path, want) => {
    const lines = await run('-f', path, '-o', 'json');
    expect(JSON.parse(lines.join('\n'))).toEqual(want);
  });

  it('fails with NOT_FOUND for a missing file', async () => {
    await expect(run('-f', join(dir, 'nope.yaml'))).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });

  it('fails with INVALID_ARGUMENT when the file holds no object', async () => {
    await expect(run('-f', file('empty.yaml', '# nothing\n'))).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
  });
});
