import { describe, expect, it } from 'vitest';
import { defaultSyncOptions, parseSyncOptions, type SyncOptions } from './sync-options.ts';

describe('parseSyncOptions', () => {
  const cases: {
    name: string;
    app: string[];
    annotation?: string;
    expected: Partial<SyncOptions>;
  }[] = [
    { name: 'defaults (server-side apply on in gitward)', app: [], expected: {} },
    {
      name: 'app-level items',
      app: [
        'Prune=false',
        'PruneLast=true',
        'Replace=true',
        'Force=true',
        'ServerSideApply=false',
        'Validate=false',
        'SkipDryRunOnMissingResource=true',
        'CreateNamespace=true',
        'ApplyOutOfSyncOnly=true',
        'PrunePropagationPolicy=background',
        'RespectIgnoreDifferences=true',
        'FailOnSharedResource=true',
        'Delete=confirm',
      ],
      expected: {
        prune: 'false',
        pruneLast: true,
        replace: true,
        force: true,
        serverSideApply: false,
        validate: false,
        skipDryRunOnMissingResource: true,
        createNamespace: true,
        applyOutOfSyncOnly: true,
        prunePropagationPolicy: 'background',
        respectIgnoreDifferences: true,
        failOnSharedResource: true,
        delete: 'confirm',
      },
    },
    {
      name: 'a later app-level item wins (spec then operation)',
      app: ['Replace=true', 'Replace=false'],
      expected: { replace: false },
    },
    {
      name: 'the resource annotation overrides the app level',
      app: ['Prune=confirm', 'ServerSideApply=true', 'Validate=false'],
      annotation: 'Prune=false, ServerSideApply=false,Validate=true',
      expected: { prune: 'false', serverSideApply: false, validate: true },
    },
    {
      name: 'operation-wide options are read at app level only',
      app: [],
      annotation: 'CreateNamespace=true,ApplyOutOfSyncOnly=true,PrunePropagationPolicy=orphan',
      expected: {},
    },
    {
      name: 'unknown keys, bad values and malformed items are ignored',
      app: ['Prune=maybe', 'Nope=true', 'PruneLast', 'Validate=False', 'PrunePropagationPolicy=x'],
      annotation: ',,Replace=yes',
      expected: {},
    },
    {
      name: 'resource-level PruneLast, Replace and SkipDryRunOnMissingResource',
      app: [],
      annotation: 'PruneLast=true,Replace=true,SkipDryRunOnMissingResource=true,Delete=false',
      expected: {
        pruneLast: true,
        replace: true,
        skipDryRunOnMissingResource: true,
        delete: 'false',
      },
    },
  ];
  it.each(cases)('$name', ({ app, annotation, expected }) => {
    expect(parseSyncOptions(app, annotation)).toEqual({ ...defaultSyncOptions, ...expected });
  });

  it('defaults to server-side apply, foreground propagation and prune/delete allowed', () => {
    expect(defaultSyncOptions).toMatchObject({
      serverSideApply: true,
      prunePropagationPolicy: 'foreground',
      prune: 'true',
      delete: 'true',
      validate: true,
    });
  });
});
