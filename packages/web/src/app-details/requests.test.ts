import { describe, expect, it } from 'vitest';
import { deleteQuery, canTerminate, syncBody, type SyncChoices } from './requests.ts';
import { refId } from './resource-graph.ts';

const web = { group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web' };
const svc = { group: '', kind: 'Service', namespace: 'demo', name: 'web' };
const all = new Set([refId(web), refId(svc)]);
const base: SyncChoices = {
  revision: '',
  prune: false,
  dryRun: false,
  applyOutOfSyncOnly: false,
  force: false,
  replace: false,
  serverSideApply: false,
  selected: all,
};

describe('syncBody', () => {
  it.each([
    { name: 'defaults: full sync', choices: {}, want: { prune: false, dryRun: false } },
    {
      name: 'revision trimmed',
      choices: { revision: ' v2 ' },
      want: { revision: 'v2', prune: false, dryRun: false },
    },
    {
      name: 'prune and dry run',
      choices: { prune: true, dryRun: true },
      want: { prune: true, dryRun: true },
    },
    {
      name: 'sync options',
      choices: { applyOutOfSyncOnly: true, replace: true, serverSideApply: true },
      want: {
        prune: false,
        dryRun: false,
        syncOptions: { items: ['ApplyOutOfSyncOnly=true', 'Replace=true', 'ServerSideApply=true'] },
      },
    },
    {
      name: 'force sets the strategy and the option',
      choices: { force: true },
      want: {
        prune: false,
        dryRun: false,
        strategy: { hook: { force: true } },
        syncOptions: { items: ['Force=true'] },
      },
    },
    {
      name: 'a subset is a selective sync',
      choices: { selected: new Set([refId(svc)]) },
      want: { prune: false, dryRun: false, resources: [svc] },
    },
    {
      name: 'nothing ticked sends an empty selection',
      choices: { selected: new Set<string>() },
      want: { prune: false, dryRun: false, resources: [] },
    },
  ])('$name', ({ choices, want }) => {
    expect(syncBody({ ...base, ...choices }, [web, svc])).toEqual(want);
  });
});

describe('deleteQuery', () => {
  it.each([
    ['foreground', { cascade: 'true', propagationPolicy: 'foreground' }],
    ['background', { cascade: 'true', propagationPolicy: 'background' }],
    ['non-cascading', { cascade: 'false' }],
  ] as const)('%s', (policy, want) => {
    expect(deleteQuery(policy)).toEqual(want);
  });
});

describe('canTerminate', () => {
  it.each([
    ['Running', true],
    ['Terminating', false],
    ['Succeeded', false],
    [undefined, false],
  ])('%s: terminate %s', (phase, want) => {
    expect(canTerminate(phase)).toBe(want);
  });
});
