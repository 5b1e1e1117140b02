/**
 * `npm test`: every check CI runs, in order, stopping at the first failure. Each step is a
 * separate program run with execFile semantics (no shell strings).
 */
import { spawnSync } from 'node:child_process';

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const jsonnetTool = new URL('../packages/local-cluster/tools/jsonnet', import.meta.url).pathname;
const steps: [string, string, string[]][] = [
  ['type-check', bin('tsc'), ['-p', 'tsconfig.json']],
  ['type-check (web UI)', bin('tsc'), ['-p', 'packages/web/tsconfig.json']],
  ['lint', bin('eslint'), ['--max-warnings=0', '.']],
  ['format', bin('prettier'), ['--check', '.']],
  [
    'dependency rule',
    bin('depcruise'),
    ['--config', '.dependency-cruiser.cjs', 'packages', 'test'],
  ],
  ['unit tests', bin('vitest'), ['run', '--project', 'unit']],
  // gitward's confining jsonnet evaluator (its importer is the file-disclosure boundary).
  ['go vet (tools/jsonnet)', 'go', ['-C', jsonnetTool, 'vet', './...']],
  ['go test (tools/jsonnet)', 'go', ['-C', jsonnetTool, 'test', './...']],
  // The browser tests in e2e load the UI the server serves from packages/web/dist.
  ['build web UI', bin('vite'), ['build', '--logLevel', 'warn', 'packages/web']],
  // The install e2e (test/e2e/install.test.ts) runs gitward's own image on a real kubelet node:
  // build it here (skipped when nothing changed since the last build), with its system packages.
  ['system packages for the image', 'sh', ['scripts/ensure-deps.sh', 'image']],
  // ... and for the real kubelet node it runs on (containerd, runc, CNI plugins, iptables).
  ['system packages for a real node', 'sh', ['scripts/ensure-deps.sh', 'node']],
  ['image', process.execPath, ['scripts/image.ts']],
  ['e2e tests', bin('vitest'), ['run', '--project', 'e2e']],
];

for (const [name, file, args] of steps) {
  const t0 = performance.now();
  process.stderr.write(`\n=== ${name} ===\n`);
  const res = spawnSync(file, args, { stdio: 'inherit' });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  if (res.status !== 0) {
    process.stderr.write(`\n=== ${name}: FAILED after ${secs}s ===\n`);
    process.exit(res.status ?? 1);
  }
  process.stderr.write(`=== ${name}: ok (${secs}s) ===\n`);
}
