import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

/** `gitward admin ARGS`: what it printed, a line each. */
async function admin(...args: string[]): Promise<string[]> {
  const lines: string[] = [];
  const output: Output = { out: (l) => lines.push(l), err: (l) => lines.push(`err: ${l}`) };
  await adminCommand({ output, config: loadConfig({ HOME: '/nonexistent' }) }).parseAsync(args, {
    from: 'user',
  });
  return lines;
}
const run = (...args: string[]) => admin('health', ...args);

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

  it('judges custom resources by the built-in checks, and others by conditions when asked', async () => {
    const cert = file(
      'builtin-cert.yaml',
      'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\nstatus: {conditions: [{type: Ready, status: "True", message: issued}]}\n',
    );
    const run0 = file(
      'builtin-analysis-run.yaml',
      'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisRun\nmetadata: {name: a}\nstatus: {}\n',
    );
    const widget = file(
      'generic-widget.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nstatus: {conditions: [{type: Ready, status: "False", reason: NoDisk}]}\n',
    );
    const bare = file(
      'generic-bare.yaml',
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: b}\n',
    );
    expect(await run('-f', cert, '-f', run0, '-f', widget)).toEqual([
      `${cert}: Healthy: issued`,
      `${run0}: No health: the built-in check for AnalysisRun (argoproj.io/v1alpha1) returned no status`,
      `${widget}: No health: no health rule for Widget (example.com/v1)`,
    ]);
    expect(await run('-f', widget, '-f', bare, '--generic-conditions')).toEqual([
      `${widget}: Degraded: NoDisk`,
      `${bare}: No health: no health rule for Widget (example.com/v1), and no Ready, Reconciling or Stalled condition`,
    ]);
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

describe('gitward admin health --customizations (the real Lua engine)', () => {
  const widget = file(
    'widget.yaml',
    // No metadata at all, as Argo CD's own test fixtures.
    'apiVersion: example.com/v1\nkind: Widget\nspec: {replicas: 3}\nstatus: {ready: true}\n',
  );
  const pending = file(
    'pending.yaml',
    'apiVersion: example.com/v1\nkind: Widget\nspec: {replicas: 1}\nstatus: {ready: false}\n',
  );
  const bucket = file(
    'bucket.yaml',
    'apiVersion: s3.aws.crossplane.io/v1\nkind: Bucket\nmetadata: {name: b}\nstatus: {conditions: [{type: Ready, status: "False", message: creating}]}\n',
  );
  const widgetLua = [
    'hs = {}',
    'if obj.status.ready then',
    '  hs.status = "Healthy"',
    '  hs.message = "ready with " .. obj.spec.replicas .. " replicas"',
    'else',
    '  hs.status = "Progressing"',
    'end',
    'return hs',
  ].join('\n');
  const conditionsLua = [
    'for _, c in ipairs(obj.status.conditions) do',
    '  if c.type == "Ready" and c.status == "True" then return { status = "Healthy" } end',
    '  if c.type == "Ready" then return { status = "Progressing", message = c.message } end',
    'end',
  ].join('\n');
  const indent = (s: string) => s.replaceAll('\n', '\n    ');
  const cm = file(
    'argocd-cm.yaml',
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: argocd-cm}',
      'data:',
      `  resource.customizations.health.example.com_Widget: |\n    ${indent(widgetLua)}`,
      '  resource.customizations: |',
      '    "*.crossplane.io/*":',
      `      health.lua: |\n        ${conditionsLua.replaceAll('\n', '\n        ')}`,
      '',
    ].join('\n'),
  );
  const tree = join(dir, 'resource_customizations');
  mkdirSync(join(tree, 'example.com', 'Widget'), { recursive: true });
  mkdirSync(join(tree, '_.crossplane.io', '_'), { recursive: true });
  writeFileSync(join(tree, 'example.com', 'Widget', 'health.lua'), widgetLua);
  writeFileSync(join(tree, '_.crossplane.io', '_', 'health.lua'), conditionsLua);

  it.each([
    ['a ConfigMap', cm],
    ['a directory with _ wildcards', tree],
  ])('judges with the scripts of %s, one JSON line per file', async (_name, path) => {
    const lines = await run(
      '-f',
      widget,
      '-f',
      pending,
      '-f',
      bucket,
      '--customizations',
      path,
      '-o',
      'json',
    );
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([
      { file: widget, status: 'Healthy', message: 'ready with 3 replicas' },
      { file: pending, status: 'Progressing' },
      { file: bucket, status: 'Progressing', message: 'creating' },
    ]);
  });

  it('says Unknown with the script error, and that a script returned nothing', async () => {
    const broken = file(
      'broken-cm.yaml',
      'data:\n  resource.customizations.health.example.com_Widget: "return obj.nothing.here"\n  resource.customizations.health.apps_Deployment: "return nil"\n',
    );
    expect(await run('-f', widget, '-f', progressing, '--customizations', broken)).toEqual([
      `${widget}: Unknown: Lua script example.com/Widget health.lua: example.com/Widget health.lua:1: attempt to index a nil value (field 'nothing')`,
      `${progressing}: No health: the health script for Deployment (apps/v1) returned no status`,
    ]);
  });
});

describe('gitward admin action (offline, the real Lua engine)', () => {
  const widget = file(
    'widget-action.yaml',
    'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {}}\nspec: {size: 1}\n',
  );
  const tree = join(dir, 'actions_customizations');
  const actions = join(tree, 'example.com', 'Widget', 'actions');
  mkdirSync(join(actions, 'grow'), { recursive: true });
  writeFileSync(
    join(actions, 'discovery.lua'),
    'return { grow = { params = { { name = "by" } } } }',
  );
  writeFileSync(
    join(actions, 'grow', 'action.lua'),
    'obj.spec.size = obj.spec.size + tonumber(actionParams["by"])\nreturn obj',
  );

  it('lists and runs a Lua action of a resource_customizations directory', async () => {
    expect(
      JSON.parse(
        (await admin('action', 'list', '-f', widget, '--customizations', tree)).join('\n'),
      ),
    ).toEqual([{ name: 'grow', disabled: false, params: [{ name: 'by' }] }]);
    const out = await admin(
      'action',
      'run',
      'grow',
      '-f',
      widget,
      '--customizations',
      tree,
      '--param',
      'by=2',
      '-o',
      'json',
    );
    // The empty labels map stays a map (Lua cannot tell it from an empty list).
    expect(JSON.parse(out.join('\n'))).toEqual({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: {} },
      spec: { size: 3 },
    });
  });

  it('runs the built-in actions without customizations', async () => {
    const out = await admin('action', 'run', 'scale', '-f', progressing, '--param', 'replicas=5');
    expect(out.join('\n')).toMatch(/replicas: 5/);
    await expect(admin('action', 'run', 'scale', '-f', progressing)).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
  });
});
