// The dependency rule between packages (docs/architecture.md). Checked by `npm test`.
// Paths are the real paths of workspace packages (symlinks resolved).
const pkg = (name) => `^packages/${name}/`;
const workspace = '^packages/[^/]+/';

/**
 * A package may import only the workspace packages listed in `allowed`; its tests beside the code
 * may also use the test helpers (real git servers, the local control plane).
 */
function onlyImports(from, allowed, comment) {
  const allowedRe = [from, ...allowed].map((p) => `packages/${p}/`).join('|');
  return [
    {
      name: `${from}-imports`,
      comment,
      severity: 'error',
      from: { path: pkg(from), pathNot: '\\.test\\.ts$' },
      to: { path: workspace, pathNot: `^(${allowedRe})` },
    },
    {
      name: `${from}-test-imports`,
      comment: `${comment} (tests: plus testkit and local-cluster)`,
      severity: 'error',
      from: { path: `^packages/${from}/.*\\.test\\.ts$` },
      to: { path: workspace, pathNot: `^(${allowedRe}|packages/testkit/|packages/local-cluster/)` },
    },
  ];
}

module.exports = {
  forbidden: [
    ...onlyImports(
      'model',
      [],
      'model holds types and schemas only; it depends on nothing of ours.',
    ),
    ...onlyImports(
      'engine',
      ['model'],
      'engine is pure: parse, normalize, diff, health, sync plan.',
    ),
    ...onlyImports(
      'infra',
      ['model'],
      'adapters at the edge know nothing of the engine or the processes.',
    ),
    ...onlyImports(
      'local-cluster',
      ['model'],
      'the dev control plane is tooling, not part of the operator.',
    ),
    ...onlyImports(
      'testkit',
      ['model', 'local-cluster'],
      'test helpers must not reach into the operator.',
    ),
    ...onlyImports(
      'target',
      ['model', 'engine', 'infra'],
      'the target state (repo-server) is a library over the engine and the adapters.',
    ),
    ...onlyImports(
      'control',
      ['model', 'engine', 'infra'],
      'the control layer both processes share: Application store, clusters, dry run, settings.',
    ),
    ...onlyImports(
      'controller',
      ['model', 'engine', 'infra', 'target', 'control'],
      'controller and server share code through control and state through the cluster, never imports.',
    ),
    ...onlyImports(
      'server',
      ['model', 'engine', 'infra', 'target', 'control'],
      'controller and server share code through control and state through the cluster, never imports.',
    ),
    ...onlyImports(
      'cli',
      ['model', 'engine', 'infra', 'target', 'local-cluster'],
      'the CLI starts controller and server as processes, never imports them.',
    ),
    ...onlyImports(
      'web',
      ['model'],
      'the browser bundle must not pull in Node or Kubernetes code.',
    ),
    {
      name: 'pure-engine-and-model',
      comment: 'engine and model do no I/O: no Node built-ins with side effects.',
      severity: 'error',
      from: { path: '^packages/(engine|model|web)/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?(util|path)$' },
    },
    {
      name: 'no-reaching-into-packages',
      comment: 'import a workspace package by its name, never by a relative path into its src.',
      severity: 'error',
      from: { path: '^(packages/([^/]+)/)' },
      to: { path: workspace, pathNot: '^packages/$2/', dependencyTypes: ['local'] },
    },
    {
      name: 'tests-stay-out-of-production',
      severity: 'error',
      from: { path: '^packages/', pathNot: '\\.test\\.ts$' },
      to: { path: '(\\.test\\.ts$|^test/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(node_modules|/dist/)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
