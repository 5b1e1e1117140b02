import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import {
  applyAppEvents,
  emptyAppState,
  isOlder,
  mergeAppList,
  parseAppEvent,
  type AppEvent,
  type AppState,
} from './app-events.ts';

const app = (name: string, resourceVersion?: string, sync = 'Synced'): Application => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name, ...(resourceVersion ? { resourceVersion } : {}) },
  spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc' } },
  status: { sync: { status: sync } },
});

const stateOf = (...apps: Application[]): AppState => ({
  apps: new Map(apps.map((a) => [a.metadata.name, a])),
  tombstones: new Map(),
});

const view = (s: AppState) =>
  [...s.apps.values()].map((a) => `${a.metadata.name}@${a.metadata.resourceVersion ?? '-'}`).sort();

describe('parseAppEvent', () => {
  it.each([
    ['{"result":{"type":"ADDED","application":{"metadata":{"name":"a"}}}}', 'ADDED'],
    ['{"result":{"type":"DELETED","application":{"metadata":{"name":"a"}}}}', 'DELETED'],
    ['{"result":{"type":"BOOKMARK","application":{"metadata":{"name":"a"}}}}', undefined],
    ['{"result":{"type":"ADDED","application":{}}}', undefined],
    ['not json', undefined],
    ['null', undefined],
  ])('%s', (data, type) => {
    expect(parseAppEvent(data)?.type).toBe(type);
  });
});

describe('isOlder', () => {
  it.each([
    ['1', '2', true],
    ['2', '1', false],
    ['2', '2', false],
    ['9', '10', true],
    [undefined, '1', false],
    ['abc', '1', false],
  ])('%s < %s = %s', (a, b, want) => {
    expect(isOlder(a, b)).toBe(want);
  });
});

describe('applyAppEvents', () => {
  const cases: [string, AppState, AppEvent[], string[]][] = [
    ['adds', emptyAppState, [{ type: 'ADDED', application: app('a', '1') }], ['a@1']],
    [
      'modifies with a newer version',
      stateOf(app('a', '1')),
      [{ type: 'MODIFIED', application: app('a', '2') }],
      ['a@2'],
    ],
    [
      'ignores an older version',
      stateOf(app('a', '5')),
      [{ type: 'MODIFIED', application: app('a', '4') }],
      ['a@5'],
    ],
    [
      'deletes',
      stateOf(app('a', '1'), app('b', '1')),
      [{ type: 'DELETED', application: app('a', '2') }],
      ['b@1'],
    ],
    [
      'a re-creation after a deletion is shown',
      emptyAppState,
      [
        { type: 'ADDED', application: app('a', '1') },
        { type: 'DELETED', application: app('a', '2') },
        { type: 'ADDED', application: app('a', '3') },
      ],
      ['a@3'],
    ],
  ];
  it.each(cases)('%s', (_name, state, events, want) => {
    expect(view(applyAppEvents(state, events))).toEqual(want);
  });

  it('returns the same state for no events', () => {
    const s = stateOf(app('a'));
    expect(applyAppEvents(s, [])).toBe(s);
  });
});

describe('mergeAppList', () => {
  const cases: [string, AppState, Application[], string[]][] = [
    ['takes the list', emptyAppState, [app('a', '1'), app('b', '2')], ['a@1', 'b@2']],
    ['a newer streamed copy wins', stateOf(app('a', '7')), [app('a', '3')], ['a@7']],
    ['a newer listed copy wins', stateOf(app('a', '3')), [app('a', '7')], ['a@7']],
    ['keeps streamed apps the list lacks', stateOf(app('z', '9')), [app('a', '1')], ['a@1', 'z@9']],
    ['drops streamed apps older than the list', stateOf(app('z', '2')), [app('a', '5')], ['a@5']],
    ['keeps streamed apps when the list is empty', stateOf(app('z', '2')), [], ['z@2']],
    ['drops unversioned apps the list lacks', stateOf(app('z')), [app('a', '1')], ['a@1']],
    [
      'a tombstone keeps a stale listed app out',
      applyAppEvents(stateOf(app('a', '1')), [{ type: 'DELETED', application: app('a', '4') }]),
      [app('a', '3'), app('b', '1')],
      ['b@1'],
    ],
  ];
  it.each(cases)('%s', (_name, state, items, want) => {
    expect(view(mergeAppList(state, items))).toEqual(want);
  });
});
