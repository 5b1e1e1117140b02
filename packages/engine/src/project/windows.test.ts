import { describe, expect, it } from 'vitest';
import {
  canSync,
  isActive,
  matchingWindows,
  nextChange,
  validateSyncWindow,
  windowAppOf,
  windowState,
  type SyncWindow,
  type SyncWindowApp,
} from './windows.ts';

const win = (w: Partial<SyncWindow> & Pick<SyncWindow, 'schedule' | 'duration'>): SyncWindow => ({
  kind: 'deny',
  applications: ['*'],
  ...w,
});
const at = (iso: string) => new Date(iso);

const app: SyncWindowApp = {
  name: 'web-prod',
  namespace: 'prod',
  cluster: { server: 'https://kubernetes.default.svc', name: 'in-cluster' },
};

describe('validateSyncWindow', () => {
  const ok = { kind: 'allow', schedule: '0 22 * * *', duration: '1h' };
  it.each([
    ['a plain window', ok],
    ['a time zone', { ...ok, timeZone: 'Europe/Berlin' }],
    ['a legacy zone alias Go also knows', { ...ok, timeZone: 'EST' }],
    ['an empty time zone (UTC)', { ...ok, timeZone: '' }],
    ['month and weekday names', { ...ok, schedule: '0 9 * JAN-MAR mon-fri' }],
    ['ranges, lists and steps', { ...ok, schedule: '*/15 9-17 1,15 * 1-5' }],
    ['? for a day field', { ...ok, schedule: '0 9 ? * *' }],
    ['a compound duration', { ...ok, duration: '1h30m' }],
  ])('accepts %s', (_, w) => {
    expect(validateSyncWindow(w)).toEqual([]);
  });

  it.each([
    ['an unknown kind', { ...ok, kind: 'maybe' }, ['kind "maybe" must be allow or deny']],
    ['a missing kind', { ...ok, kind: undefined }, ['kind "" must be allow or deny']],
    [
      'too few fields',
      { ...ok, schedule: 'not a cron' },
      [
        'cannot parse schedule "not a cron": expected 5 fields (minute hour day-of-month month day-of-week), got 3',
      ],
    ],
    [
      'a seconds field',
      { ...ok, schedule: '0 0 22 * * *' },
      [
        'cannot parse schedule "0 0 22 * * *": expected 5 fields (minute hour day-of-month month day-of-week), got 6',
      ],
    ],
    [
      'a descriptor',
      { ...ok, schedule: '@daily' },
      [
        'cannot parse schedule "@daily": expected 5 fields (minute hour day-of-month month day-of-week), got 1',
      ],
    ],
    [
      'L (cron-parser only)',
      { ...ok, schedule: '0 0 L * *' },
      ['cannot parse schedule "0 0 L * *": unsupported day-of-month field "L"'],
    ],
    [
      'nth weekday (cron-parser only)',
      { ...ok, schedule: '0 0 * * 1#2' },
      ['cannot parse schedule "0 0 * * 1#2": unsupported day-of-week field "1#2"'],
    ],
    [
      'a weekday name in the month field',
      { ...ok, schedule: '0 0 * mon *' },
      ['cannot parse schedule "0 0 * mon *": unsupported month field "mon"'],
    ],
    [
      'a missing duration',
      { ...ok, duration: undefined },
      [expect.stringMatching(/^cannot parse duration ""/)],
    ],
    ['days', { ...ok, duration: '1d' }, [expect.stringMatching(/^cannot parse duration "1d"/)]],
    ['a zero duration', { ...ok, duration: '0s' }, ['duration "0s" must be positive']],
    ['a negative duration', { ...ok, duration: '-1h' }, ['duration "-1h" must be positive']],
    [
      'an unknown time zone',
      { ...ok, timeZone: 'Mars/Olympus' },
      ['unknown time zone "Mars/Olympus"'],
    ],
    ['a UTC offset', { ...ok, timeZone: '+01:00' }, ['unknown time zone "+01:00"']],
    [
      'a zone in the wrong case',
      { ...ok, timeZone: 'europe/berlin' },
      ['unknown time zone "europe/berlin" (did you mean "Europe/Berlin"?)'],
    ],
    [
      'everything at once',
      { kind: 'sometimes', schedule: '', duration: 'soon', timeZone: 'Nowhere/Land' },
      [
        'kind "sometimes" must be allow or deny',
        expect.stringMatching(/^cannot parse schedule ""/),
        expect.stringMatching(/^cannot parse duration "soon"/),
        'unknown time zone "Nowhere/Land"',
      ],
    ],
  ])('rejects %s', (_, w, problems) => {
    expect(validateSyncWindow(w)).toEqual(problems);
  });

  it.each([
    ['an out-of-range minute', '61 * * * *'],
    ['a day that never comes', '0 0 30 2 *'],
  ])('passes on cron-parser’s reason for %s', (_, schedule) => {
    const [problem, ...more] = validateSyncWindow({ ...ok, schedule });
    expect(more).toEqual([]);
    expect(problem).toMatch(/^cannot parse schedule "[^"]+": [A-Z]/);
    expect(problem).toContain(`"${schedule}"`);
  });
});

describe('matchingWindows', () => {
  it.each<[string, Partial<SyncWindow>, SyncWindowApp['cluster'], boolean]>([
    ['an application glob', { applications: ['web-*'] }, app.cluster, true],
    ['another application', { applications: ['api-*'] }, app.cluster, false],
    ['a namespace', { namespaces: ['prod'] }, app.cluster, true],
    ['a namespace glob miss', { namespaces: ['stag*'] }, app.cluster, false],
    ['a cluster by name', { clusters: ['in-cluster'] }, app.cluster, true],
    ['a cluster by server glob', { clusters: ['https://kubernetes.*'] }, app.cluster, true],
    ['another cluster', { clusters: ['staging'] }, app.cluster, false],
    [
      'a cluster when the app names only a server',
      { clusters: ['in-*'] },
      { server: 'https://x' },
      false,
    ],
    ['any cluster but the app names none', { clusters: ['*'] }, {}, false],
    ['OR: one list matches', { applications: ['api-*'], namespaces: ['prod'] }, app.cluster, true],
    ['OR: no list matches', { applications: ['api-*'], namespaces: ['dev'] }, app.cluster, false],
    [
      'AND: every list matches',
      {
        applications: ['web-*'],
        namespaces: ['prod'],
        clusters: ['in-cluster'],
        andOperator: true,
      },
      app.cluster,
      true,
    ],
    [
      'AND: one list misses',
      { applications: ['web-*'], namespaces: ['prod'], clusters: ['staging'], andOperator: true },
      app.cluster,
      false,
    ],
    ['AND: a single list', { namespaces: ['prod'], andOperator: true }, app.cluster, true],
    [
      'AND: empty lists are ignored',
      { applications: [], namespaces: ['prod'], andOperator: true },
      app.cluster,
      true,
    ],
    ['no lists at all', { applications: undefined }, app.cluster, false],
    ['only empty lists', { applications: [], namespaces: [], clusters: [] }, app.cluster, false],
    ['"!" is literal, not a negation', { applications: ['!api'] }, app.cluster, false],
  ])('%s', (_, selectors, cluster, matches) => {
    const w = win({
      schedule: '0 22 * * *',
      duration: '1h',
      applications: undefined,
      ...selectors,
    });
    const other = win({ schedule: '0 1 * * *', duration: '1h', applications: ['nothing'] });
    expect(matchingWindows([other, w], { ...app, cluster })).toEqual(matches ? [w] : []);
  });

  it('keeps the project order and tolerates no windows', () => {
    const a = win({ schedule: '0 1 * * *', duration: '1h' });
    const b = win({
      schedule: '0 2 * * *',
      duration: '1h',
      namespaces: ['prod'],
      applications: [],
    });
    expect(matchingWindows([a, b], app)).toEqual([a, b]);
    expect(matchingWindows(undefined, app)).toEqual([]);
  });
});

describe('windowState / isActive / nextChange', () => {
  const daily22 = win({ schedule: '0 22 * * *', duration: '1h' });
  const berlin22 = win({ schedule: '0 22 * * *', duration: '1h', timeZone: 'Europe/Berlin' });
  const berlin0230 = win({ schedule: '30 2 * * *', duration: '1h', timeZone: 'Europe/Berlin' });

  type Expected = { since: string; until: string | undefined } | { next: string | undefined };
  it.each<[string, SyncWindow, string, Expected]>([
    [
      'just before the start',
      daily22,
      '2026-11-27T21:59:59.999Z',
      { next: '2026-11-27T22:00:00Z' },
    ],
    [
      'at the start (inclusive)',
      daily22,
      '2026-11-27T22:00:00Z',
      { since: '2026-11-27T22:00:00Z', until: '2026-11-27T23:00:00Z' },
    ],
    [
      'inside',
      daily22,
      '2026-11-27T22:59:59.999Z',
      { since: '2026-11-27T22:00:00Z', until: '2026-11-27T23:00:00Z' },
    ],
    ['at the end (exclusive)', daily22, '2026-11-27T23:00:00Z', { next: '2026-11-28T22:00:00Z' }],
    // Europe/Berlin: 22:00 is 21:00Z in winter (CET) and 20:00Z in summer (CEST).
    [
      'Berlin, winter, 22:30 local',
      berlin22,
      '2026-01-15T21:30:00Z',
      { since: '2026-01-15T21:00:00Z', until: '2026-01-15T22:00:00Z' },
    ],
    [
      'Berlin, winter, 21:30 local',
      berlin22,
      '2026-01-15T20:30:00Z',
      { next: '2026-01-15T21:00:00Z' },
    ],
    [
      'Berlin, winter, 23:30 local (22:30Z)',
      berlin22,
      '2026-01-15T22:30:00Z',
      { next: '2026-01-16T21:00:00Z' },
    ],
    [
      'Berlin, summer, 22:30 local',
      berlin22,
      '2026-07-15T20:30:00Z',
      { since: '2026-07-15T20:00:00Z', until: '2026-07-15T21:00:00Z' },
    ],
    [
      'Berlin, summer, 23:30 local (21:30Z)',
      berlin22,
      '2026-07-15T21:30:00Z',
      { next: '2026-07-16T20:00:00Z' },
    ],
    [
      'Berlin, the evening before spring-forward',
      berlin22,
      '2026-03-28T21:30:00Z',
      { since: '2026-03-28T21:00:00Z', until: '2026-03-28T22:00:00Z' },
    ],
    [
      'Berlin, next start after spring-forward',
      berlin22,
      '2026-03-28T22:30:00Z',
      { next: '2026-03-29T20:00:00Z' },
    ],
    [
      'Berlin, next start after fall-back',
      berlin22,
      '2026-10-24T21:30:00Z',
      { next: '2026-10-25T21:00:00Z' },
    ],
    // 02:30 does not exist on 2026-03-29: the window opens at 03:30 CEST (01:30Z).
    [
      'Berlin, skipped wall time, before',
      berlin0230,
      '2026-03-29T01:15:00Z',
      { next: '2026-03-29T01:30:00Z' },
    ],
    [
      'Berlin, skipped wall time, inside',
      berlin0230,
      '2026-03-29T01:45:00Z',
      { since: '2026-03-29T01:30:00Z', until: '2026-03-29T02:30:00Z' },
    ],
    // 02:30 happens twice on 2026-10-25 (00:30Z CEST, 01:30Z CET): two back-to-back occurrences.
    [
      'Berlin, repeated wall time, first',
      berlin0230,
      '2026-10-25T00:45:00Z',
      { since: '2026-10-25T00:30:00Z', until: '2026-10-25T02:30:00Z' },
    ],
    [
      'Berlin, repeated wall time, second',
      berlin0230,
      '2026-10-25T01:45:00Z',
      { since: '2026-10-25T01:30:00Z', until: '2026-10-25T02:30:00Z' },
    ],
    [
      'Berlin, repeated wall time, after',
      berlin0230,
      '2026-10-25T02:30:00Z',
      { next: '2026-10-26T01:30:00Z' },
    ],
    [
      'Berlin, the day before fall-back',
      berlin0230,
      '2026-10-24T00:45:00Z',
      { since: '2026-10-24T00:30:00Z', until: '2026-10-24T01:30:00Z' },
    ],
    // Occurrences longer than the schedule's interval merge into one open period.
    [
      'overlapping occurrences',
      win({ schedule: '0 9-11 * * *', duration: '90m' }),
      '2026-11-27T10:45:00Z',
      { since: '2026-11-27T10:00:00Z', until: '2026-11-27T12:30:00Z' },
    ],
    [
      'touching occurrences',
      win({ schedule: '0 9,10 * * *', duration: '1h' }),
      '2026-11-27T09:30:00Z',
      { since: '2026-11-27T09:00:00Z', until: '2026-11-27T11:00:00Z' },
    ],
    [
      'always open',
      win({ schedule: '0 * * * *', duration: '2h' }),
      '2026-11-27T10:15:00Z',
      { since: '2026-11-27T10:00:00Z', until: undefined },
    ],
    [
      'a gap between occurrences',
      win({ schedule: '*/15 * * * *', duration: '10m' }),
      '2026-11-27T10:12:00Z',
      { next: '2026-11-27T10:15:00Z' },
    ],
    [
      'a weekend freeze (Fri 18:00 + 62h)',
      win({ schedule: '0 18 * * 5', duration: '62h' }),
      '2026-11-29T12:00:00Z',
      { since: '2026-11-27T18:00:00Z', until: '2026-11-30T08:00:00Z' },
    ],
    [
      'seconds in the duration',
      win({ schedule: '0 22 * * *', duration: '90s' }),
      '2026-11-27T22:01:29Z',
      { since: '2026-11-27T22:00:00Z', until: '2026-11-27T22:01:30Z' },
    ],
    [
      'a leap day, years ahead',
      win({ schedule: '0 0 29 2 *', duration: '1h' }),
      '2026-11-27T00:00:00Z',
      { next: '2028-02-29T00:00:00Z' },
    ],
    [
      'every minute for an hour',
      win({ schedule: '* * * * *', duration: '1h' }),
      '2026-11-27T10:15:30Z',
      { since: '2026-11-27T10:15:00Z', until: undefined },
    ],
    // Weekday and hour are read on the zone's wall clock: Monday 01:00 in New York is 06:00Z.
    [
      'New York, Sunday evening local, Monday in UTC',
      win({ schedule: '0 1 * * 1', duration: '1h', timeZone: 'America/New_York' }),
      '2026-11-30T01:30:00Z',
      { next: '2026-11-30T06:00:00Z' },
    ],
    [
      'New York, Monday 01:30 local',
      win({ schedule: '0 1 * * 1', duration: '1h', timeZone: 'America/New_York' }),
      '2026-11-30T06:30:00Z',
      { since: '2026-11-30T06:00:00Z', until: '2026-11-30T07:00:00Z' },
    ],
    [
      'an invalid time zone falls back to UTC',
      win({ ...daily22, timeZone: 'Mars/Olympus' }),
      '2026-11-27T22:30:00Z',
      { since: '2026-11-27T22:00:00Z', until: '2026-11-27T23:00:00Z' },
    ],
    [
      'an invalid schedule never opens',
      win({ schedule: '0 0 22 * * *', duration: '1h' }),
      '2026-11-27T22:30:00Z',
      { next: undefined },
    ],
    [
      'an invalid duration never opens',
      win({ schedule: '0 22 * * *', duration: '1d' }),
      '2026-11-27T22:30:00Z',
      { next: undefined },
    ],
  ])('%s', (_, window, now, expected) => {
    const iso = (d: Date | undefined) => d?.toISOString().replace('.000Z', 'Z');
    const state = windowState(window, at(now));
    if ('since' in expected) {
      expect(state).toEqual({
        active: true,
        since: at(expected.since),
        until: expected.until && at(expected.until),
      });
      expect(isActive(window, at(now))).toBe(true);
      expect(iso(nextChange(window, at(now)))).toBe(expected.until);
    } else {
      expect(state).toEqual({ active: false, nextStart: expected.next && at(expected.next) });
      expect(isActive(window, at(now))).toBe(false);
      expect(iso(nextChange(window, at(now)))).toBe(expected.next);
    }
  });
});

describe('isActive across DST transitions', () => {
  // An hourly one-hour window tiles the day; it must have no hole on either transition day.
  const hourly = win({ schedule: '0 * * * *', duration: '1h', timeZone: 'Europe/Berlin' });
  const hourlyStates = (from: string, hours: number) =>
    Array.from({ length: hours * 4 }, (_, i) =>
      isActive(hourly, new Date(at(from).getTime() + i * 900_000)),
    );

  it.each([
    ['spring-forward (2026-03-29)', '2026-03-28T22:00:00Z'],
    ['fall-back (2026-10-25)', '2026-10-24T22:00:00Z'],
  ])('an hourly window stays open through %s', (_, from) => {
    expect(hourlyStates(from, 6).every(Boolean)).toBe(true);
  });

  it.each([
    ['03:30 CEST, just after the skipped hour', '2026-03-29T01:30:00Z', '2026-03-29T01:00:00Z'],
    ['02:30 CET, the repeated hour', '2026-10-25T01:30:00Z', '2026-10-25T01:00:00Z'],
    ['02:30 CEST, the first pass', '2026-10-25T00:30:00Z', '2026-10-25T00:00:00Z'],
  ])('at %s the current occurrence began on the hour', (_, now, since) => {
    expect(windowState(hourly, at(now))).toMatchObject({ active: true, since: at(since) });
  });
});

describe('canSync', () => {
  const deny22 = win({ kind: 'deny', schedule: '0 22 * * *', duration: '1h' });
  const allow9 = win({ kind: 'allow', schedule: '0 9 * * *', duration: '8h' });
  const allowed = { allowed: true };
  const blocked = (message: unknown) => ({ allowed: false, message });
  const denyUntil23 =
    'sync blocked by deny window "0 22 * * *" (1h, UTC) until 2026-11-27T23:00:00Z';
  const nextAllow =
    'sync blocked: no allow window is open; next allow window "0 9 * * *" (8h, UTC) opens at 2026-11-28T09:00:00Z';

  type Case = [
    string,
    SyncWindow[] | undefined,
    { manual?: boolean; now: string; started?: string },
    object,
  ];
  it.each<Case>([
    ['no windows', undefined, { now: '2026-11-27T22:30:00Z' }, allowed],
    [
      'no matching window',
      [{ ...deny22, applications: ['api-*'] }],
      { now: '2026-11-27T22:30:00Z' },
      allowed,
    ],
    ['an active deny', [deny22], { now: '2026-11-27T22:30:00Z' }, blocked(denyUntil23)],
    [
      'an active deny, manual, no manualSync',
      [deny22],
      { manual: true, now: '2026-11-27T22:30:00Z' },
      blocked(denyUntil23),
    ],
    [
      'an active deny, manual, manualSync',
      [{ ...deny22, manualSync: true }],
      { manual: true, now: '2026-11-27T22:30:00Z' },
      allowed,
    ],
    [
      'an active deny with manualSync, automated',
      [{ ...deny22, manualSync: true }],
      { now: '2026-11-27T22:30:00Z' },
      blocked(`${denyUntil23}; manual sync is allowed`),
    ],
    ['an inactive deny', [deny22], { now: '2026-11-27T21:30:00Z' }, allowed],
    ['an active allow', [allow9], { now: '2026-11-27T10:00:00Z' }, allowed],
    ['an inactive allow', [allow9], { now: '2026-11-27T18:00:00Z' }, blocked(nextAllow)],
    [
      'an inactive allow, manual, manualSync',
      [{ ...allow9, manualSync: true }],
      { manual: true, now: '2026-11-27T18:00:00Z' },
      allowed,
    ],
    [
      'an inactive allow with manualSync, automated',
      [{ ...allow9, manualSync: true }],
      { now: '2026-11-27T18:00:00Z' },
      blocked(`${nextAllow}; manual sync is allowed`),
    ],
    [
      'inactive allows, only one with manualSync, manual',
      [
        { ...allow9, manualSync: true },
        { ...allow9, schedule: '0 20 * * *' },
      ],
      { manual: true, now: '2026-11-27T18:00:00Z' },
      blocked(
        'sync blocked: no allow window is open; next allow window "0 20 * * *" (8h, UTC) opens at 2026-11-27T20:00:00Z',
      ),
    ],
    [
      'one of two allows active',
      [allow9, { ...allow9, schedule: '0 20 * * *', duration: '1h' }],
      { now: '2026-11-27T20:30:00Z' },
      allowed,
    ],
    [
      'an active deny beats an active allow',
      [{ ...allow9, schedule: '0 20 * * *', duration: '4h' }, deny22],
      { now: '2026-11-27T22:30:00Z' },
      blocked(denyUntil23),
    ],
    [
      'an active deny with manualSync decides alone over a closed allow (Argo CD)',
      [allow9, { ...deny22, manualSync: true }],
      { manual: true, now: '2026-11-27T22:30:00Z' },
      allowed,
    ],
    [
      'active denies, one without manualSync, manual',
      [{ ...deny22, manualSync: true, duration: '3h' }, deny22],
      { manual: true, now: '2026-11-27T22:30:00Z' },
      blocked(denyUntil23),
    ],
    [
      'overlapping denies name the one that ends last',
      [deny22, { ...deny22, schedule: '30 21 * * *', duration: '3h' }],
      { now: '2026-11-27T22:30:00Z' },
      blocked('sync blocked by deny window "30 21 * * *" (3h, UTC) until 2026-11-28T00:30:00Z'),
    ],
    [
      'an open-ended deny',
      [{ ...deny22, schedule: '0 * * * *', duration: '2h' }],
      { now: '2026-11-27T22:30:00Z' },
      blocked('sync blocked by deny window "0 * * * *" (2h, UTC) with no end in sight'),
    ],
    [
      'an allow on a day that never comes is invalid',
      [{ ...allow9, schedule: '0 0 30 2 *' }],
      { now: '2026-11-27T22:30:00Z' },
      blocked(
        expect.stringMatching(
          /^sync blocked by invalid window: cannot parse schedule "0 0 30 2 \*"/,
        ),
      ),
    ],
    // Europe/Berlin: the 22:00 deny is 21:00–22:00Z in November.
    [
      'a Berlin deny, at 22:30 local',
      [{ ...deny22, timeZone: 'Europe/Berlin' }],
      { now: '2026-11-27T21:30:00Z' },
      blocked(
        'sync blocked by deny window "0 22 * * *" (1h, Europe/Berlin) until 2026-11-27T22:00:00Z',
      ),
    ],
    [
      'a Berlin deny, at 22:30 UTC (23:30 local)',
      [{ ...deny22, timeZone: 'Europe/Berlin' }],
      { now: '2026-11-27T22:30:00Z' },
      allowed,
    ],
    [
      'a deny with an unknown zone runs in UTC',
      [{ ...deny22, timeZone: 'Mars/Olympus' }],
      { now: '2026-11-27T22:30:00Z' },
      blocked(denyUntil23),
    ],
    [
      'a matching window with a bad schedule blocks',
      [allow9, { ...deny22, schedule: '0 0 22 * * *' }],
      { now: '2026-11-27T10:00:00Z' },
      blocked(
        expect.stringMatching(
          /^sync blocked by invalid window: cannot parse schedule "0 0 22 \* \* \*": expected 5 fields/,
        ),
      ),
    ],
    [
      'a matching window with a bad duration blocks',
      [{ ...deny22, duration: '1d' }],
      { now: '2026-11-27T10:00:00Z' },
      blocked(expect.stringMatching(/^sync blocked by invalid window: cannot parse duration "1d"/)),
    ],
    [
      'a bad window that does not match is ignored',
      [{ ...deny22, duration: '1d', applications: ['api'] }],
      { now: '2026-11-27T22:30:00Z' },
      allowed,
    ],

    // syncOverrun: a running operation that was allowed when it started.
    [
      'overrun: allow ended, window has syncOverrun',
      [{ ...allow9, syncOverrun: true }],
      { now: '2026-11-27T17:30:00Z', started: '2026-11-27T16:30:00Z' },
      allowed,
    ],
    [
      'overrun: allow ended, no syncOverrun',
      [allow9],
      { now: '2026-11-27T17:30:00Z', started: '2026-11-27T16:30:00Z' },
      blocked(nextAllow),
    ],
    [
      'overrun: allows ended, one without syncOverrun',
      [
        { ...allow9, syncOverrun: true },
        { ...allow9, duration: '7h' },
      ],
      { now: '2026-11-27T17:30:00Z', started: '2026-11-27T15:30:00Z' },
      blocked(nextAllow),
    ],
    [
      'overrun: the operation started outside every allow',
      [{ ...allow9, syncOverrun: true }],
      { now: '2026-11-27T17:30:00Z', started: '2026-11-27T08:30:00Z' },
      blocked(nextAllow),
    ],
    [
      'overrun: no operation running',
      [{ ...allow9, syncOverrun: true }],
      { now: '2026-11-27T17:30:00Z' },
      blocked(nextAllow),
    ],
    [
      'overrun: into a deny with syncOverrun',
      [{ ...deny22, syncOverrun: true }],
      { now: '2026-11-27T22:10:00Z', started: '2026-11-27T21:50:00Z' },
      allowed,
    ],
    [
      'overrun: into a deny without syncOverrun',
      [deny22],
      { now: '2026-11-27T22:10:00Z', started: '2026-11-27T21:50:00Z' },
      blocked(denyUntil23),
    ],
    [
      'overrun: started inside the deny',
      [{ ...deny22, syncOverrun: true }],
      { now: '2026-11-27T22:10:00Z', started: '2026-11-27T22:05:00Z' },
      blocked(denyUntil23),
    ],
    [
      'overrun: allow with overrun, then a deny without',
      [{ ...allow9, duration: '14h', syncOverrun: true }, deny22],
      { now: '2026-11-27T22:10:00Z', started: '2026-11-27T21:00:00Z' },
      blocked(denyUntil23),
    ],
    [
      'overrun: allow without overrun, then a deny with it',
      [
        { ...allow9, duration: '14h' },
        { ...deny22, syncOverrun: true },
      ],
      { now: '2026-11-27T22:10:00Z', started: '2026-11-27T21:00:00Z' },
      allowed,
    ],
    [
      'overrun: two active denies, one without syncOverrun',
      [
        { ...deny22, syncOverrun: true },
        { ...deny22, schedule: '5 22 * * *' },
      ],
      { now: '2026-11-27T22:10:00Z', started: '2026-11-27T21:50:00Z' },
      blocked('sync blocked by deny window "5 22 * * *" (1h, UTC) until 2026-11-27T23:05:00Z'),
    ],
    [
      'overrun: a manual operation started under a manualSync allow',
      [{ ...allow9, manualSync: true, syncOverrun: true }],
      { manual: true, now: '2026-11-27T17:30:00Z', started: '2026-11-27T08:00:00Z' },
      allowed,
    ],
  ])('%s', (_, windows, req, expected) => {
    const decision = canSync(windows, app, {
      manual: req.manual ?? false,
      now: at(req.now),
      operationStartedAt: req.started === undefined ? undefined : at(req.started),
    });
    expect(decision).toEqual(expected);
  });
});

describe('windowAppOf', () => {
  const of = (destination: { server?: string; name?: string; namespace?: string }) =>
    windowAppOf({ metadata: { name: 'web' }, spec: { destination } });
  it.each([
    [
      { server: 'https://a', namespace: 'prod' },
      { name: 'web', namespace: 'prod', cluster: { server: 'https://a' } },
    ],
    [{ name: 'east' }, { name: 'web', namespace: '', cluster: { name: 'east' } }],
    [{}, { name: 'web', namespace: '', cluster: {} }],
  ])('maps the destination %j to what windows match on', (dest, want) => {
    expect(of(dest)).toEqual(want);
  });
});
