import { describe, expect, it } from 'vitest';
import type { Application, ApplicationStatus } from '@gitward/model';
import { eventObject, operationEvents, statusEvents, type AppEvent } from './app-events.ts';

type Op = NonNullable<ApplicationStatus['operationState']>;
const op = (startedAt: string, phase: string, extra: Partial<Op> = {}): Op => ({
  startedAt,
  phase,
  operation: { sync: {} },
  ...extra,
});
const synced = { syncResult: { revision: 'abc123' } } as Partial<Op>;

describe('operationEvents', () => {
  it.each<[string, Op | undefined, Op | undefined, Pick<AppEvent, 'reason' | 'message'>[]]>([
    ['no operation', undefined, undefined, []],
    [
      'a new operation starts',
      op('t0', 'Succeeded'),
      op('t1', 'Running', synced),
      [{ reason: 'OperationStarted', message: 'initiated sync to abc123' }],
    ],
    ['another pass of the same operation', op('t1', 'Running'), op('t1', 'Running'), []],
    [
      'the running operation succeeds',
      op('t1', 'Running'),
      op('t1', 'Succeeded', synced),
      [{ reason: 'OperationCompleted', message: 'Sync operation to abc123 succeeded' }],
    ],
    [
      'it starts and fails in one pass',
      undefined,
      op('t1', 'Failed', { ...synced, message: 'one or more objects failed to apply' }),
      [
        { reason: 'OperationStarted', message: 'initiated sync to abc123' },
        {
          reason: 'OperationCompleted',
          message: 'Sync operation to abc123 failed: one or more objects failed to apply',
        },
      ],
    ],
    ['a completed operation seen again', op('t1', 'Succeeded'), op('t1', 'Succeeded'), []],
    [
      'an automated sync to the target revision',
      undefined,
      op('t2', 'Running', {
        operation: { sync: {}, initiatedBy: { automated: true } },
      }),
      [{ reason: 'OperationStarted', message: 'initiated automated sync to main' }],
    ],
  ])('%s', (_name, before, after, want) => {
    expect(
      operationEvents(before, after, 'main').map(({ reason, message }) => ({ reason, message })),
    ).toEqual(want);
  });

  it('reports a failed operation as a Warning', () => {
    const [e] = operationEvents(op('t1', 'Running'), op('t1', 'Error', { message: 'boom' }));
    expect(e).toEqual({
      type: 'Warning',
      reason: 'OperationCompleted',
      message: 'Sync operation failed: boom',
    });
  });
});

describe('statusEvents', () => {
  it.each([
    [
      { health: 'Progressing' },
      { health: 'Healthy' },
      ['Updated health status: Progressing -> Healthy'],
    ],
    [{ sync: 'OutOfSync' }, { sync: 'Synced' }, ['Updated sync status: OutOfSync -> Synced']],
    [{ health: 'Healthy' }, { health: 'Healthy' }, []],
    [{}, { health: 'Healthy', sync: 'Synced' }, []],
  ])('%j -> %j', (before, now, messages) => {
    expect(statusEvents(before, now).map((e) => e.message)).toEqual(messages);
  });
});

const app = (status: Partial<ApplicationStatus> = {}): Application =>
  ({
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: { name: 'guestbook', namespace: 'gitward', uid: 'u-1', resourceVersion: '7' },
    spec: { project: 'default', destination: {}, source: { repoURL: 'r', targetRevision: 'main' } },
    status,
  }) as unknown as Application;

describe('eventObject', () => {
  it('names the Application with its uid as the involved object', () => {
    const e = eventObject(
      app(),
      { type: 'Normal', reason: 'OperationStarted', message: 'm' },
      new Date('2026-01-01T00:00:00Z'),
      'gitward.dev',
      1,
    );
    expect(e).toMatchObject({
      metadata: { namespace: 'gitward' },
      involvedObject: {
        apiVersion: 'gitward.dev/v1alpha1',
        kind: 'Application',
        name: 'guestbook',
        uid: 'u-1',
      },
      source: { component: 'gitward-controller' },
      reportingComponent: 'gitward-controller',
      firstTimestamp: '2026-01-01T00:00:00.000Z',
    });
    expect(e.metadata.name).toMatch(/^guestbook\.[0-9a-f]+$/);
  });
});
