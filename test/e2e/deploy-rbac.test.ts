import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedVariants, type RenderedObject } from '@gitward/local-cluster';
import {
  applyObjects,
  deleteClusterScoped,
  deployDir,
  rbacKinds,
  renderChart,
} from './support/deploy.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';

// What each ServiceAccount of the install may do, as the apiserver itself answers it
// (`kubectl auth can-i --list`), against the checked-in expectation deploy/test/can-i/<scope>-<sa>.txt.
// The chart's RBAC objects (namespace, ServiceAccounts, Roles, ClusterRoles, bindings) are rendered
// into a namespace and with a name prefix of this run, so nothing collides with another file on the
// shared control plane. Removing (or adding) a rule in deploy/chart/templates/rbac.yaml changes
// what can-i lists and fails this test; after a deliberate change, rerun it with
// GITWARD_UPDATE_CAN_I=1 to rewrite the expectations, and review their diff.

const expectationsDir = join(deployDir, 'test', 'can-i');
const update = process.env['GITWARD_UPDATE_CAN_I'] === '1';

/** can-i's table with whitespace collapsed and rows sorted: stable across runs. */
function normalize(table: string): string[] {
  const [header, ...rows] = table
    .split('\n')
    .map((l) => l.trim().replaceAll(/\s+/g, ' '))
    .filter(Boolean);
  return [header ?? '', ...rows.sort()];
}

interface Scope {
  readonly scope: 'cluster' | 'namespace';
  readonly flags: readonly string[];
}

const scopes: Scope[] = [
  { scope: 'cluster', flags: generatedVariants.base },
  { scope: 'namespace', flags: generatedVariants['namespace-install'] },
];

describe.each(scopes)('RBAC of the $scope-scoped install', ({ scope, flags }) => {
  const ns = uniqueName('gw-rbac');
  const managed = `${ns}-managed`;
  const other = `${ns}-other`;
  const prefix = `${ns}-`;
  let objects: RenderedObject[] = [];

  beforeAll(async () => {
    const rendered = await renderChart([
      ...flags,
      ...['--set', `namespace=${ns}`, '--set', `namePrefix=${prefix}`],
      ...['--set', 'createNamespace=true', '--set-json', `namespaces=["${managed}"]`],
    ]);
    objects = rendered.filter((o) => rbacKinds.has(o.kind));
    for (const n of [managed, other]) await kubectl(['create', 'namespace', n]);
    await applyObjects(objects);
  });

  afterAll(async () => {
    await deleteClusterScoped(objects);
    await kubectl([
      'delete',
      'namespace',
      ns,
      managed,
      other,
      '--ignore-not-found',
      '--wait=false',
    ]);
  });

  it('renders only Roles for the namespace scope, ClusterRoles with this run’s prefix for the cluster scope', () => {
    const clusterRoles = objects
      .filter((o) => o.kind === 'ClusterRole')
      .map((o) => o.metadata.name);
    expect(clusterRoles.sort()).toEqual(
      scope === 'cluster' ? [`${prefix}gitward-controller`, `${prefix}gitward-server`] : [],
    );
  });

  it.each(['controller', 'server'])(
    'gitward-%s may do exactly what deploy/test/can-i lists',
    async (sa) => {
      const sections: string[] = [];
      const where = [
        ['the control namespace', ns],
        ...(scope === 'namespace' ? [['a listed namespace', managed]] : []),
        ['any other namespace', other],
      ] as const;
      for (const [label, target] of where) {
        const table = await kubectl([
          'auth',
          'can-i',
          '--list',
          `--as=system:serviceaccount:${ns}:gitward-${sa}`,
          '-n',
          target,
        ]);
        sections.push(
          `# ${label}: kubectl auth can-i --list --as=system:serviceaccount:<namespace>:gitward-${sa} -n <${label}>`,
          ...normalize(table),
        );
      }
      const actual = `${sections.join('\n')}\n`;
      const file = join(expectationsDir, `${scope}-gitward-${sa}.txt`);
      if (update) {
        await mkdir(expectationsDir, { recursive: true });
        await writeFile(file, actual);
      }
      expect(actual).toBe(await readFile(file, 'utf8'));
    },
  );
});
