import { describe, expect, it } from 'vitest';
import { HealthStatusCode as H, type HealthStatus, type HealthStatusCode } from '@gitward/model';
import { aggregateHealth, healthOrder, isWorse } from './index.ts';

type Item = Parameters<typeof aggregateHealth>[0][number];

/** `kind:name` with an optional `group/` prefix, in namespace shop. */
function item(ref: string, status: HealthStatusCode | undefined): Item {
  const [gk = '', name = ''] = ref.split(':');
  const slash = gk.lastIndexOf('/');
  const group = slash === -1 ? '' : gk.slice(0, slash);
  const key = { group, kind: gk.slice(slash + 1), namespace: 'shop', name };
  const health: HealthStatus | undefined = status && { status };
  return { key, health };
}

const app = 'argoproj.io/Application';

describe('aggregateHealth', () => {
  it.each<[string, Item[], HealthStatusCode, RegExp?]>([
    ['no resources', [], H.Healthy],
    [
      'all healthy',
      [item('apps/Deployment:web', H.Healthy), item('Service:web', H.Healthy)],
      H.Healthy,
    ],
    [
      'worst wins',
      [
        item('apps/Deployment:web', H.Progressing),
        item('Pod:db', H.Degraded),
        item('Service:web', H.Suspended),
      ],
      H.Degraded,
      /^\/Pod:shop\/db is Degraded$/,
    ],
    [
      'Suspended beats Healthy',
      [item('apps/Deployment:web', H.Suspended), item('Service:web', H.Healthy)],
      H.Suspended,
      /apps\/Deployment:shop\/web is Suspended/,
    ],
    [
      'Unknown is worst',
      [item('Pod:a', H.Degraded), item('Pod:b', H.Unknown)],
      H.Unknown,
      /^\/Pod:shop\/b is Unknown$/,
    ],
    [
      'resources without health are skipped',
      [item('ConfigMap:settings', undefined), item('Service:web', H.Progressing)],
      H.Progressing,
    ],
    [
      'a Missing resource does not lower health',
      [item('apps/Deployment:web', H.Missing), item('Service:web', H.Healthy)],
      H.Healthy,
    ],
    [
      'Missing only when none exist',
      [item('apps/Deployment:web', H.Missing), item('Service:web', H.Missing)],
      H.Missing,
      /^none of the expected resources exist: apps\/Deployment:shop\/web, \/Service:shop\/web$/,
    ],
    [
      'a resource without health still exists',
      [item('apps/Deployment:web', H.Missing), item('ConfigMap:settings', undefined)],
      H.Healthy,
    ],
    [
      'Missing child Application is ignored',
      [item(`${app}:child`, H.Missing), item('Service:web', H.Healthy)],
      H.Healthy,
    ],
    [
      'Unknown child Application is ignored',
      [item(`${app}:child`, H.Unknown), item('Service:web', H.Progressing)],
      H.Progressing,
    ],
    [
      'Degraded child Application counts',
      [item(`${app}:child`, H.Degraded)],
      H.Degraded,
      /^argoproj\.io\/Application:shop\/child is Degraded$/,
    ],
    [
      'at most three causes',
      ['a', 'b', 'c', 'd', 'e'].map((n) => item(`Pod:${n}`, H.Degraded)),
      H.Degraded,
      /^\/Pod:shop\/a, \/Pod:shop\/b, \/Pod:shop\/c and 2 more are Degraded$/,
    ],
    [
      'causes are those with the worst status',
      [item('Pod:a', H.Progressing), item('Pod:b', H.Degraded), item('Pod:c', H.Degraded)],
      H.Degraded,
      /^\/Pod:shop\/b, \/Pod:shop\/c are Degraded$/,
    ],
  ])('%s', (_, items, status, message) => {
    const got = aggregateHealth(items);
    expect(got.status).toBe(status);
    if (message) expect(got.message).toMatch(message);
    else if (status === H.Healthy) expect(got.message).toBeUndefined();
  });
});

describe('healthOrder and isWorse', () => {
  it('orders Healthy < Suspended < Progressing < Missing < Degraded < Unknown', () => {
    expect(healthOrder).toEqual([
      H.Healthy,
      H.Suspended,
      H.Progressing,
      H.Missing,
      H.Degraded,
      H.Unknown,
    ]);
  });

  it.each<[HealthStatusCode, HealthStatusCode, boolean]>([
    [H.Healthy, H.Suspended, true],
    [H.Suspended, H.Progressing, true],
    [H.Progressing, H.Missing, true],
    [H.Missing, H.Degraded, true],
    [H.Degraded, H.Unknown, true],
    [H.Degraded, H.Degraded, false],
    [H.Unknown, H.Healthy, false],
  ])('isWorse(%s, %s) is %s', (current, candidate, want) => {
    expect(isWorse(current, candidate)).toBe(want);
  });
});
