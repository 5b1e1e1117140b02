import { describe, expect, it } from 'vitest';
import type { ApplicationStatus } from '@gitward/model';
import { statusWriteNeeded } from './status.ts';

const at = '2026-12-07T08:00:00.000Z';
const base: ApplicationStatus = {
  sync: { status: 'Synced', revision: 'abc' },
  health: { status: 'Healthy', lastTransitionTime: at },
  conditions: [],
  reconciledAt: at,
};
const minutes = (m: number) => new Date(Date.parse(at) + m * 60_000);

describe('statusWriteNeeded', () => {
  it.each<[string, ApplicationStatus | undefined, ApplicationStatus, Date, boolean]>([
    ['no status yet', undefined, base, minutes(1), true],
    [
      'only reconciledAt moved',
      base,
      { ...base, reconciledAt: minutes(1).toISOString() },
      minutes(1),
      false,
    ],
    [
      'a member set to undefined is what the apiserver keeps as absent',
      base,
      { ...base, sourceType: undefined, reconciledAt: minutes(2).toISOString() },
      minutes(2),
      false,
    ],
    [
      'keys in another order are the same status',
      { reconciledAt: at, conditions: [], health: base.health, sync: base.sync },
      base,
      minutes(1),
      false,
    ],
    [
      'the sync status changed',
      base,
      { ...base, sync: { status: 'OutOfSync', revision: 'abc' } },
      minutes(1),
      true,
    ],
    [
      'a health message went away',
      { ...base, health: { status: 'Healthy', message: 'x', lastTransitionTime: at } },
      base,
      minutes(1),
      true,
    ],
    ['reconciledAt reached its maximum age', base, base, minutes(10), true],
    ['reconciledAt unreadable', { ...base, reconciledAt: 'never' }, base, minutes(1), true],
  ])('%s', (_, previous, next, now, want) => {
    expect(statusWriteNeeded(previous, next, now)).toBe(want);
  });
});
