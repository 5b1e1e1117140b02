import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildArgocd, verdicts, type Oracle } from './support/argocd-health.ts';

// The oracle for Lua health checks: the same argocd-cm customizations and the same objects judged
// by Argo CD itself (`argocd admin settings resource-overrides health`, the v3.6.2 binary built
// from its Go module, as the bench's peers are) and by `gitward admin health --customizations`.
// Argo CD's tool runs the controller's own code for one object: a script error makes it exit
// (the controller shows Unknown with the error), a script that returns nothing prints "not
// configured" (the controller shows no health).

let oracle: Oracle = { argocd: '', home: '' };
let dir = '';

const indent = (s: string, n: number) => s.trim().replaceAll('\n', `\n${' '.repeat(n)}`);
const perKey: Record<string, string> = {
  'example.com_Widget': `
hs = {}
if obj.status ~= nil and obj.status.ready == true then
  hs.status = "Healthy"
  hs.message = "ready with " .. obj.spec.replicas .. " replicas, half is " .. (obj.spec.replicas / 2)
  return hs
end
hs.status = "Progressing"
hs.message = "waiting for " .. obj.metadata.name
return hs`,
  'example.com_Gadget': `
local os = require("os")
local hs = { status = "Suspended" }
if obj.spec.paused ~= true then hs.status = "Healthy" end
hs.message = table.getn(obj.spec.parts) .. " parts, first " .. unpack(obj.spec.parts) .. (os.time() > 0 and "" or "!")
return hs`,
  'example.com_Invalid': 'return { status = "Great", message = "no such code" }',
  'example.com_Nothing': 'return nil',
  'example.com_Broken': 'return obj.nothing.here',
  apps_Deployment: 'return { status = "Degraded", message = "overridden: " .. obj.metadata.name }',
};
const block = `
argoproj.io/Rollout:
  health.lua: |
    ${indent('return { status = "Progressing", message = "from the block" }', 4)}
"*.crossplane.io/*":
  health.lua.useOpenLibs: true
  health.lua: |
    ${indent(
      `
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Ready" and c.status == "True" then
    return { status = "Healthy", message = string.format("%s is ready", string.lower(obj.kind)) }
  end
  if c.type == "Ready" then return { status = "Progressing", message = c.reason .. ": " .. c.message } end
end
return { status = "Unknown", message = "no Ready condition" }`,
      4,
    )}
example.com/Widget:
  health.lua: |
    return { status = "Degraded", message = "the per-key script wins over this one" }
`;
const argocdCm = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: argocd-cm, namespace: argocd}',
  'data:',
  ...Object.entries(perKey).map(
    ([k, v]) => `  resource.customizations.health.${k}: |\n    ${indent(v, 4)}`,
  ),
  `  resource.customizations: |\n    ${indent(block, 4)}`,
  '',
].join('\n');

const objects: Record<string, string> = {
  'widget-ready': `apiVersion: example.com/v1
kind: Widget
metadata: {name: w1}
spec: {replicas: 3}
status: {ready: true}`,
  'widget-waiting': `apiVersion: example.com/v1
kind: Widget
metadata: {name: w2}
spec: {replicas: 1}`,
  gadget: `apiVersion: example.com/v1
kind: Gadget
metadata: {name: g}
spec: {paused: true, parts: [bolt, nut]}`,
  invalid: `apiVersion: example.com/v1
kind: Invalid
metadata: {name: i}`,
  nothing: `apiVersion: example.com/v1
kind: Nothing
metadata: {name: n}`,
  broken: `apiVersion: example.com/v1
kind: Broken
metadata: {name: b}`,
  deployment: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, generation: 1}
spec: {replicas: 1}
status: {observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1}`,
  deleting: `apiVersion: apps/v1
kind: Deployment
metadata: {name: old, deletionTimestamp: "2026-01-01T00:00:00Z"}`,
  rollout: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}`,
  'bucket-ready': `apiVersion: s3.aws.crossplane.io/v1beta1
kind: Bucket
metadata: {name: b1}
status: {conditions: [{type: Synced, status: "True"}, {type: Ready, status: "True"}]}`,
  'bucket-creating': `apiVersion: s3.aws.crossplane.io/v1beta1
kind: Bucket
metadata: {name: b2}
status: {conditions: [{type: Ready, status: "False", reason: Creating, message: "waiting for the bucket"}]}`,
  database: `apiVersion: database.crossplane.io/v1alpha1
kind: PostgreSQLInstance
metadata: {name: db}
status: {}`,
  configmap: `apiVersion: v1
kind: ConfigMap
metadata: {name: plain}`,
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-lua-oracle-'));
  // Built once per machine, then taken from the cache.
  oracle = { argocd: await buildArgocd(), home: dir };
}, 31 * 60_000);

describe('Lua health checks: gitward against Argo CD itself', () => {
  it('gives every object the verdict Argo CD gives it', async () => {
    const cmPath = join(dir, 'argocd-cm.yaml');
    await writeFile(cmPath, argocdCm);
    const names = Object.keys(objects);
    const paths = names.map((n) => join(dir, `${n}.yaml`));
    await Promise.all(names.map((n, i) => writeFile(paths[i] ?? '', `${objects[n]}\n`)));
    const { ours, theirs } = await verdicts(oracle, cmPath, paths);
    const table = (list: readonly string[]) => names.map((n, i) => `${n} → ${list[i]}`);
    expect(table(ours)).toEqual(table(theirs));
    // The cases are chosen to cover every kind of answer.
    expect(new Set(theirs.map((v) => v.split(':')[0]))).toEqual(
      new Set(['Healthy', 'Progressing', 'Suspended', 'Unknown', 'Degraded', 'none', 'error']),
    );
  });
});

// The built-in rules too: every fixture of the engine's health tests judged by Argo CD with an
// empty argocd-cm (its Go rules and built-in Lua) and by gitward with no customization.
const fixtures = join(
  import.meta.dirname,
  '..',
  '..',
  'packages',
  'engine',
  'src',
  'health',
  'testdata',
);
/** Where gitward's verdict differs from Argo CD's on purpose, with why. */
const knownDifferences: Readonly<Record<string, string>> = {
  // Argo CD's tool does not read the annotation; its controller skips such objects.
  'ignore-healthcheck.yaml': 'the annotation opts the object out: no health in both controllers',
};
/**
 * Fixtures whose status agrees and whose message says more in gitward: a failed Pod or Job names
 * its reason and the container in trouble (docs/sync.md), and a waiting PVC, Service or Ingress
 * says what it waits for where Argo CD says nothing. Node's JSON error text differs from Go's
 * in case only.
 */
const richerMessage =
  /^(pod-|job-|pvc-|service-loadbalancer-pending|ingress-unassigned|hpa-v1-invalid-annotation)/;
const statusOnly = (name: string, verdict: string) =>
  richerMessage.test(name) ? (verdict.split(':')[0] ?? verdict) : verdict;

describe('built-in health rules: gitward against Argo CD itself', () => {
  it('gives every fixture of the engine tests the verdict Argo CD gives it', async () => {
    const emptyCm = join(dir, 'empty-cm.yaml');
    await writeFile(
      emptyCm,
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm}\ndata: {}\n',
    );
    const names = (await readdir(fixtures)).filter((f) => f.endsWith('.yaml')).sort();
    const paths = names.map((n) => join(fixtures, n));
    const { ours, theirs } = await verdicts(oracle, emptyCm, paths);
    const table = (list: readonly string[]) =>
      names.flatMap((n, i) =>
        Object.hasOwn(knownDifferences, n) ? [] : [`${n} → ${statusOnly(n, list[i] ?? '')}`],
      );
    expect(table(ours)).toEqual(table(theirs));
  });
});
