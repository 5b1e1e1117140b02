import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { crdCheckKeys } from '@gitward/engine';
import { buildArgocd, verdicts, type Oracle } from './support/argocd-health.ts';
import { runCli } from './support/cli.ts';

// The oracle for the built-in health checks of custom resources (packages/engine/src/health/crd):
// for every kind gitward has a check for, every object of Argo CD's own test data for that kind
// (read at test time from the argo-cd module in the Go module cache, which building the argocd
// peer fills) judged by Argo CD v3.6.2 with an empty argocd-cm (its built-in Lua) and by
// `gitward admin health` with no customization. Status and message must be the same.

const run = promisify(execFile);
const argoModule = 'github.com/argoproj/argo-cd/v3@v3.6.2';
let oracle: Oracle = { argocd: '', home: '' };
let dir = '';
let customizations = '';
/** An argocd-cm with no key: Argo CD judges by its built-in checks alone. */
let emptyCm = '';

/** Where Argo CD keeps a kind's test data: `_` in a directory name is its wildcard. */
const dirOf = (key: string) => key.replaceAll('*', '_');

async function yamlFilesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Fixtures whose verdicts differ, each with why (keys: paths under resource_customizations).
 * None so far.
 */
const knownDifferences: Readonly<Record<string, string>> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-crd-oracle-'));
  oracle = { argocd: await buildArgocd(), home: dir };
  emptyCm = join(dir, 'empty-cm.yaml');
  await writeFile(
    emptyCm,
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: argocd-cm}\ndata: {}\n',
  );
  const { stdout } = await run('go', ['env', 'GOMODCACHE'], {
    timeout: 60_000,
    env: { ...process.env, GOTOOLCHAIN: 'local' },
  });
  customizations = join(stdout.trim(), argoModule, 'resource_customizations');
  await access(customizations);
}, 31 * 60_000);

describe('built-in custom resource health checks: gitward against Argo CD itself', () => {
  it(
    "gives every object of Argo CD's test data the verdict Argo CD gives it",
    async () => {
      const paths: string[] = [];
      for (const key of crdCheckKeys) {
        const files = await yamlFilesUnder(join(customizations, dirOf(key), 'testdata'));
        // A kind gitward checks must be one Argo CD checks, with test data to compare on.
        expect(files, `Argo CD test data for ${key}`).not.toEqual([]);
        paths.push(...files);
      }
      const { ours, theirs } = await verdicts(oracle, emptyCm, paths);
      const table = (list: readonly string[]) =>
        paths.flatMap((p, i) => {
          const name = relative(customizations, p);
          return Object.hasOwn(knownDifferences, name) ? [] : [`${name} → ${list[i]}`];
        });
      expect(table(ours)).toEqual(table(theirs));
      expect(theirs.filter((v) => v === 'none' || v === 'error')).toEqual([]);
      // About 250 objects, each a run of argocd (a second or two, four at a time).
    },
    20 * 60_000,
  );
});

// Odd objects, to show the checks read a live object as Argo CD's Lua runtime does: null is nil,
// a map iterates as no list, and indexing nothing is an error (the same error in both).
const odd: Record<string, string> = {
  'rollout-no-conditions': `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r, generation: 1}
spec: {strategy: {canary: {}}}
status: {observedGeneration: 1}`,
  'rollout-no-strategy': `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r, generation: 2}
spec: {replicas: 1}
status: {observedGeneration: "2", conditions: [], currentPodHash: h, replicas: 1, updatedReplicas: 1, availableReplicas: 1}`,
  'rollout-generation-missing': `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}
spec: {strategy: {canary: {}}}
status: {observedGeneration: 3}`,
  'rollout-paused-string': `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r, generation: 1}
spec: {paused: "false", strategy: {canary: {}}}
status: {observedGeneration: 1, conditions: {}}`,
  'certificate-status-null': `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: c}
status: null`,
  'certificate-conditions-map': `apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: c}
status: {conditions: {Ready: "True"}}`,
  'issuer-condition-number': `apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: i}
status: {conditions: [7]}`,
  'issuer-condition-string': `apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: i}
status: {conditions: ["Ready", {type: Ready, status: "True", message: ok}]}`,
  'kafka-null-in-list': `apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata: {name: t}
status: {conditions: [null, {type: Ready, status: "True"}]}`,
  'git-no-spec': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: g}`,
  'git-outdated-no-reason': `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: g}
spec: {}
status: {conditions: [{type: ArtifactOutdated, status: "True"}]}`,
  'cluster-external-secret-empty': `apiVersion: external-secrets.io/v1beta1
kind: ClusterExternalSecret
metadata: {name: e}
status: {conditions: []}`,
  'crossplane-conditions-map': `apiVersion: ec2.aws.upbound.crossplane.io/v1beta1
kind: VPC
metadata: {name: v}
status: {conditions: {}}`,
  'crossplane-conditions-string': `apiVersion: ec2.aws.upbound.crossplane.io/v1beta1
kind: VPC
metadata: {name: v}
status: {conditions: "Ready"}`,
  'knative-no-type': `apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: s}
status: {conditions: [{status: "False"}]}`,
  'knative-operator-index': `apiVersion: operator.knative.dev/v1beta1
kind: KnativeEventing
metadata: {name: k}
status: {conditions: [{type: Ready, status: "True"}, {type: InstallSucceeded, status: "False"}]}`,
  'istio-status-string-number': `apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: i}
status: {status: "3"}`,
  'machine-health-check-types': `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachineHealthCheck
metadata: {name: m}
status: {expectedMachines: "3", currentHealthy: 3}`,
  'machine-pool-number-phase': `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachinePool
metadata: {name: m}
status: {phase: 7}`,
  'cluster-external-secret-null-last': `apiVersion: external-secrets.io/v1beta1
kind: ClusterExternalSecret
metadata: {name: e}
status: {conditions: [{type: Ready, status: "True", message: ok}, null]}`,
  'knative-operator-null-first': `apiVersion: operator.knative.dev/v1beta1
kind: KnativeServing
metadata: {name: k}
status: {conditions: [null, {type: Ready, status: "True"}]}`,
  'machine-pool-float-phase': `apiVersion: cluster.x-k8s.io/v1beta1
kind: MachinePool
metadata: {name: m}
status: {phase: 0.0000001}`,
  'rollout-paused-empty-pause-conditions': `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r, generation: 1}
spec: {strategy: {canary: {}}}
status: {observedGeneration: 1, conditions: [], pauseConditions: [null], currentPodHash: h, stableRS: h}`,
  'upbound-no-conditions': `apiVersion: ec2.aws.upbound.io/v1beta1
kind: Composition
metadata: {name: c}
status: {conditions: []}`,
  'upbound-established': `apiVersion: s3.aws.upbound.io/v1beta1
kind: Bucket
metadata: {name: b}
status: {conditions: [{type: Established, status: "True"}]}`,
  'ack-ready-false': `apiVersion: s3.services.k8s.aws/v1alpha1
kind: Bucket
metadata: {name: b}
status: {conditions: [{type: Ready, status: "False", message: creating}, {type: ACK.Terminal, status: "True"}]}`,
  'cnrm-stale-conditions': `apiVersion: sql.cnrm.cloud.google.com/v1beta1
kind: SQLInstance
metadata: {name: s, generation: 3}
status: {observedGeneration: 2, conditions: [{reason: UpToDate, status: "True"}]}`,
  'cnrm-status-number': `apiVersion: sql.cnrm.cloud.google.com/v1beta1
kind: SQLInstance
metadata: {name: s}
status: 5`,
  'cnrm-connector-stale-healthy': `apiVersion: core.cnrm.cloud.google.com/v1beta1
kind: ConfigConnector
metadata: {name: c, generation: 2}
status: {healthy: true, observedGeneration: 1, conditions: [{reason: DependencyNotReady, message: wait}]}`,
  'analysis-run-no-phase': `apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata: {name: a}
status: {message: hello}`,
};

describe('built-in custom resource health checks on odd objects: gitward against Argo CD', () => {
  it(
    'reads them as the Lua scripts do, errors included',
    async () => {
      const names = Object.keys(odd);
      const paths = names.map((n) => join(dir, `odd-${n}.yaml`));
      await Promise.all(names.map((n, i) => writeFile(paths[i] ?? '', `${odd[n]}\n`)));
      const { ours, theirs: raw } = await verdicts(oracle, emptyCm, paths, [], true);
      // A script's empty table is a health with no status in Argo CD (its tool prints an empty
      // STATUS, its UI shows none); gitward has no health there, as for a script returning nothing.
      const theirs = raw.map((v) => (v === '' ? 'none' : v));
      // gitward shows a check's error as Unknown "<Kind> health check: <the Lua error>".
      const inTheirTerms = ours.map((v) => v.replace(/^Unknown: \w+ health check: /, 'error: '));
      const table = (list: readonly string[]) => names.map((n, i) => `${n} → ${list[i]}`);
      expect(table(inTheirTerms)).toEqual(table(theirs));
    },
    10 * 60_000,
  );
});

describe('the generic conditions check (gitward only: Argo CD has no such mode)', () => {
  const objects: Record<string, string> = {
    ready: 'status: {conditions: [{type: Ready, status: "True", message: all good}]}',
    failing:
      'status: {conditions: [{type: Ready, status: "False", reason: Broken, message: no disk}]}',
    reconciling: `status: {conditions: [{type: Ready, status: "Unknown"}, {type: Reconciling, status: "True", message: rolling}]}`,
    stalled: 'status: {conditions: [{type: Stalled, status: "True", reason: Quota}]}',
    stale: 'status: {observedGeneration: 1, conditions: [{type: Ready, status: "True"}]}',
    silent: 'status: {phase: Running}',
  };

  it('judges kinds with no check by their conditions, and only when turned on', async () => {
    const names = Object.keys(objects);
    const paths = names.map((n) => join(dir, `generic-${n}.yaml`));
    await Promise.all(
      names.map((n, i) =>
        writeFile(
          paths[i] ?? '',
          `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ${n}, generation: 2}\n${objects[n]}\n`,
        ),
      ),
    );
    const judge = async (extra: readonly string[]) => {
      const cli = await runCli([
        ...['admin', 'health', ...paths.flatMap((p) => ['-f', p]), '-o', 'json', ...extra],
      ]);
      expect(cli.code, cli.stderr).toBe(0);
      return cli.stdout
        .trim()
        .split('\n')
        .map((l) => {
          const h = JSON.parse(l) as { status: string | null; message?: string };
          return h.message ? `${h.status}: ${h.message}` : String(h.status);
        });
    };
    expect(await judge([])).toEqual(names.map(() => 'null'));
    expect(await judge(['--generic-conditions'])).toEqual([
      'Healthy: all good',
      'Degraded: no disk',
      'Progressing: rolling',
      'Degraded: Quota',
      'Progressing: Waiting for the controller to observe generation 2 (observed 1)',
      'null',
    ]);
  });
});
