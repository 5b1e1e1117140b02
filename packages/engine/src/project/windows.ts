/**
 * AppProject sync windows (Argo CD's `spec.syncWindows`): which windows apply to an
 * Application, whether a window is open at an instant, when it closes or next opens, and
 * whether a sync may run, with Argo CD's precedence (an active deny beats everything, matching
 * allow windows gate syncs to their open periods, `manualSync` exempts manual syncs and
 * `syncOverrun` lets a running sync finish across a boundary).
 *
 * Time zones are real (IANA, DST-aware) rather than Argo CD's "offset of today" approximation:
 * a schedule fires whenever the wall clock of the window's zone reads a matching minute. On a
 * spring-forward day a skipped wall time fires at the shifted instant (02:30 becomes 03:30), and
 * on a fall-back day a repeated wall time fires at both instants, so windows that tile the day
 * stay gap-free across either transition.
 */
import { CronExpressionParser } from 'cron-parser';
import type { AppProject, AppProjectSpec, Application } from '@gitward/model';
import { parseGoDuration } from './duration.ts';
import { globMatch } from './glob.ts';

export { parseGoDuration } from './duration.ts';

export type SyncWindow = NonNullable<AppProjectSpec['syncWindows']>[number];

/** What a window's selectors look at: the Application's name and its destination. */
export interface SyncWindowApp {
  readonly name: string;
  /** The destination namespace. */
  readonly namespace: string;
  readonly cluster: { readonly server?: string | undefined; readonly name?: string | undefined };
}

/**
 * What the windows match an Application on: its name, destination namespace and cluster. One
 * home, so the controller's verdict and the API's (sync request, windows view) cannot differ.
 */
export function windowAppOf(
  app: Pick<Application, 'metadata'> & { readonly spec: Pick<Application['spec'], 'destination'> },
): SyncWindowApp {
  const { destination } = app.spec;
  return {
    name: app.metadata.name,
    namespace: destination.namespace ?? '',
    cluster: {
      ...(destination.server ? { server: destination.server } : {}),
      ...(destination.name ? { name: destination.name } : {}),
    },
  };
}

export type WindowState =
  /** `since` is the start of the current occurrence; `until` is undefined when the window
   * stays open past every horizon we look at (e.g. `* * * * *` for 1h). */
  | { readonly active: true; readonly since: Date; readonly until: Date | undefined }
  /** `nextStart` is undefined when the window never opens again or is invalid. */
  | { readonly active: false; readonly nextStart: Date | undefined };

export interface SyncRequest {
  readonly manual: boolean;
  readonly now: Date;
  /** Set while an operation is running: its start decides whether `syncOverrun` applies. */
  readonly operationStartedAt?: Date | undefined;
}

export type SyncDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly message: string };

const DAY_MS = 86_400_000;
/** Steps over fire times near a DST transition, where fires come out of order; normally 1–2. */
const MAX_SEARCH_STEPS = 1000;
/** Durations of uninterrupted opening after which we call a window open-ended. */
const MAX_MERGE_STEPS = 100;
const ALLOWED = { allowed: true } as const;

// ---- time zones ---------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      f = null;
    }
    formatters.set(zone, f);
  }
  return f;
}

/**
 * Why a `timeZone` value is unusable, or undefined when it is fine. Go's `time.LoadLocation`
 * is stricter than ICU: it rejects UTC offsets ("+01:00") and wrong case ("europe/berlin"),
 * which Argo CD then silently treats as UTC; we refuse both so a window means the same in both.
 */
function timeZoneProblem(zone: string | undefined): string | undefined {
  if (zone === undefined || zone === '') return undefined;
  const resolved = /^[A-Za-z]/.test(zone)
    ? formatterFor(zone)?.resolvedOptions().timeZone
    : undefined;
  if (resolved === undefined) return `unknown time zone "${zone}"`;
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    return `unknown time zone "${zone}" (did you mean "${resolved}"?)`;
  }
  return undefined;
}

/** The zone a window is evaluated in: its own, or UTC (as Argo CD does) when unset or invalid. */
function zoneOf(window: Pick<SyncWindow, 'timeZone'>): string {
  const zone = window.timeZone;
  return zone && timeZoneProblem(zone) === undefined ? zone : 'UTC';
}

/** Milliseconds the zone's wall clock is ahead of UTC at `instant`. */
function offsetMs(zone: string, instant: number): number {
  if (zone === 'UTC') return 0;
  const parts = formatterFor(zone)?.formatToParts(instant) ?? [];
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(
    part('year'),
    part('month') - 1,
    part('day'),
    part('hour'),
    part('minute'),
    part('second'),
  );
  return wall - Math.floor(instant / 1000) * 1000;
}

/** The zone's offsets two days either side of `t`: at most one transition lies in between. */
function offsetsNear(zone: string, t: number): { before: number; after: number } {
  return { before: offsetMs(zone, t - 2 * DAY_MS), after: offsetMs(zone, t + 2 * DAY_MS) };
}

/**
 * The instants a wall-clock reading (as a UTC-based millisecond count) names, ascending: two on
 * a fall-back day, otherwise one. A wall time skipped by spring-forward does not exist; the
 * pre-transition offset moves it forward by the gap (02:30 becomes 03:30), as cron does.
 */
function instantsOf(zone: string, wall: number): number[] {
  const { before, after } = offsetsNear(zone, wall);
  const candidates = [...new Set([wall - before, wall - after])].sort((a, b) => a - b);
  const real = candidates.filter((t) => t + offsetMs(zone, t) === wall);
  return real.length > 0 ? real : [wall - before];
}

/**
 * Bounds on the instants that wall times near `wall` name: every such instant lies within
 * [wall - max offset, wall - min offset], which ends searches early.
 */
function offsetRange(zone: string, wall: number): { min: number; max: number } {
  const { before, after } = offsetsNear(zone, wall);
  return { min: Math.min(before, after), max: Math.max(before, after) };
}

// ---- schedules ----------------------------------------------------------------------------

const MONTH_NAMES = new Set('jan feb mar apr may jun jul aug sep oct nov dec'.split(' '));
const DAY_NAMES = new Set('sun mon tue wed thu fri sat'.split(' '));
const FIELD_NAMES = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;

/**
 * Argo CD parses schedules with robfig/cron's standard parser: exactly five fields, numbers,
 * `*`, `?`, ranges, lists, steps, and month/weekday names; no `@daily`, seconds, `L`, `W`, `#`
 * or `H`, which cron-parser would otherwise accept.
 */
function fieldProblem(field: string, index: number): string | undefined {
  const names = index === 3 ? MONTH_NAMES : index === 4 ? DAY_NAMES : undefined;
  const words = field.toLowerCase().match(/[a-z]+/g) ?? [];
  const badWord = words.find((w) => !names?.has(w));
  if (!/^[0-9A-Za-z*?,/-]+$/.test(field) || badWord !== undefined) {
    return `unsupported ${FIELD_NAMES[index] ?? 'field'} field "${field}"`;
  }
  return undefined;
}

function scheduleProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) {
    return `cannot parse schedule "${schedule}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  const bad = fields.map(fieldProblem).find((p) => p !== undefined);
  if (bad !== undefined) return `cannot parse schedule "${schedule}": ${bad}`;
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
    return undefined;
  } catch (e) {
    return `cannot parse schedule "${schedule}": ${e instanceof Error ? e.message : String(e)}`;
  }
}

function durationProblem(duration: string): string | undefined {
  const ms = parseGoDuration(duration);
  if (ms === undefined)
    return `cannot parse duration "${duration}" (expected a Go duration like 1h, 30m or 1h30m)`;
  // Go accepts "0" and negative durations, but such a window never opens.
  if (ms <= 0) return `duration "${duration}" must be positive`;
  return undefined;
}

/** The fields of a window as the API receives them, before the schema has vouched for them. */
export interface SyncWindowInput {
  readonly kind?: string | undefined;
  readonly schedule?: string | undefined;
  readonly duration?: string | undefined;
  readonly timeZone?: string | undefined;
}

/**
 * Problems with one window, empty when it is valid: kind, schedule, duration and time zone, as
 * the API checks them on project create/update. Unlike Argo CD we refuse an unknown time zone
 * instead of quietly using UTC.
 */
export function validateSyncWindow(window: SyncWindowInput): string[] {
  const problems: (string | undefined)[] = [
    window.kind === 'allow' || window.kind === 'deny'
      ? undefined
      : `kind "${window.kind ?? ''}" must be allow or deny`,
    scheduleProblem(window.schedule ?? ''),
    durationProblem(window.duration ?? ''),
    timeZoneProblem(window.timeZone),
  ];
  return problems.filter((p): p is string => p !== undefined);
}

/** A window ready to evaluate: valid schedule and positive duration, zone resolved. */
interface Evaluable {
  readonly window: SyncWindow;
  readonly durationMs: number;
  readonly zone: string;
}

function evaluable(window: SyncWindow): Evaluable | undefined {
  const durationMs = parseGoDuration(window.duration);
  if (durationMs === undefined || durationMs <= 0 || scheduleProblem(window.schedule))
    return undefined;
  return { window, durationMs, zone: zoneOf(window) };
}

/** Steps through the schedule's wall-clock fire times from `wall` (exclusive) in one direction. */
function wallSteps(
  schedule: string,
  wall: number,
  direction: 'next' | 'prev',
): () => number | undefined {
  const expr = CronExpressionParser.parse(schedule, { currentDate: new Date(wall), tz: 'UTC' });
  return () => {
    try {
      return (direction === 'next' ? expr.next() : expr.prev()).getTime();
    } catch {
      return undefined; // cron-parser's loop limit: no such fire time within its search range
    }
  };
}

/** The latest fire instant at or before `at`. */
function lastFire(w: Evaluable, at: number): number | undefined {
  // +1 ms: cron-parser's prev() is exclusive, and a fire exactly at `at` counts.
  const step = wallSteps(w.window.schedule, at + offsetRange(w.zone, at).max + 1, 'prev');
  let best: number | undefined;
  for (let i = 0; i < MAX_SEARCH_STEPS; i++) {
    const wall = step();
    if (wall === undefined) break;
    for (const t of instantsOf(w.zone, wall)) if (t <= at && (best ?? -Infinity) < t) best = t;
    // No earlier wall time names an instant later than this.
    if (best !== undefined && wall - offsetRange(w.zone, wall).min <= best) break;
  }
  return best;
}

/** The earliest fire instant strictly after `at`. */
function nextFire(w: Evaluable, at: number): number | undefined {
  const step = wallSteps(w.window.schedule, at + offsetRange(w.zone, at).min, 'next');
  let best: number | undefined;
  for (let i = 0; i < MAX_SEARCH_STEPS; i++) {
    const wall = step();
    if (wall === undefined) break;
    for (const t of instantsOf(w.zone, wall)) if (t > at && (best ?? Infinity) > t) best = t;
    // No later wall time names an instant earlier than this.
    if (best !== undefined && wall - offsetRange(w.zone, wall).max >= best) break;
  }
  return best;
}

/** The start of the occurrence open at `at`, if one is. */
function openSince(w: Evaluable, at: number): number | undefined {
  const last = lastFire(w, at);
  return last !== undefined && at < last + w.durationMs ? last : undefined;
}

/**
 * When the open period that began at `since` ends, merging occurrences that start before the
 * previous one ends (a window can be longer than its schedule's interval). Each step jumps to the
 * end of the latest occurrence started by the current end, so a long window over a dense schedule
 * costs one step per duration, not one per fire. Undefined when the window stays open for more
 * than MAX_MERGE_STEPS durations in a row.
 */
function openUntil(w: Evaluable, since: number): number | undefined {
  let end = since + w.durationMs;
  for (let i = 0; i < MAX_MERGE_STEPS; i++) {
    const last = lastFire(w, end);
    if (last === undefined || last + w.durationMs <= end) return end;
    end = last + w.durationMs;
  }
  return undefined;
}

const dateOf = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** Whether the window is open at `now`: within [fire time, fire time + duration) in its zone. */
export function isActive(window: SyncWindow, now: Date): boolean {
  const w = evaluable(window);
  return w !== undefined && openSince(w, now.getTime()) !== undefined;
}

/** Whether the window is open, and when it closes or next opens. */
export function windowState(window: SyncWindow, now: Date): WindowState {
  const w = evaluable(window);
  if (w === undefined) return { active: false, nextStart: undefined };
  const at = now.getTime();
  const since = openSince(w, at);
  if (since !== undefined) {
    return { active: true, since: new Date(since), until: dateOf(openUntil(w, since)) };
  }
  return { active: false, nextStart: dateOf(nextFire(w, at)) };
}

/** The next instant the window opens or closes; undefined when it never will. */
export function nextChange(window: SyncWindow, now: Date): Date | undefined {
  const state = windowState(window, now);
  return state.active ? state.until : state.nextStart;
}

// ---- matching -----------------------------------------------------------------------------

function clusterMatches(pattern: string, cluster: SyncWindowApp['cluster']): boolean {
  return (
    (!!cluster.name && globMatch(pattern, cluster.name)) ||
    (!!cluster.server && globMatch(pattern, cluster.server))
  );
}

function windowMatches(window: SyncWindow, app: SyncWindowApp): boolean {
  const results: boolean[] = [];
  const { applications = [], clusters = [], namespaces = [] } = window;
  if (applications.length > 0) results.push(applications.some((p) => globMatch(p, app.name)));
  if (clusters.length > 0) results.push(clusters.some((p) => clusterMatches(p, app.cluster)));
  if (namespaces.length > 0) results.push(namespaces.some((p) => globMatch(p, app.namespace)));
  // A window that selects nothing applies to nothing.
  if (results.length === 0) return false;
  return window.andOperator ? results.every(Boolean) : results.some(Boolean);
}

/**
 * The windows that apply to an Application: any non-empty selector list (applications by name,
 * clusters by destination name or server, namespaces by destination namespace) matching, or
 * with `andOperator` every non-empty list matching. Globs as in the rest of the project spec.
 */
export function matchingWindows(
  windows: readonly SyncWindow[] | undefined,
  app: SyncWindowApp,
): SyncWindow[] {
  return (windows ?? []).filter((w) => windowMatches(w, app));
}

// ---- the sync decision --------------------------------------------------------------------

type Verdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false;
      /** `deny`: active deny windows block; `allow`: matching allow windows are all closed. */
      readonly by: 'deny' | 'allow';
      readonly windows: readonly Evaluable[];
    };

/** Argo CD's SyncWindows.CanSync at one instant, over already matched, evaluable windows. */
function decide(windows: readonly Evaluable[], manual: boolean, at: number): Verdict {
  const open = windows.filter((w) => openSince(w, at) !== undefined);
  const denies = open.filter((w) => w.window.kind === 'deny');
  if (denies.length > 0) {
    // Active denies decide alone, even over closed allow windows: all must permit manual syncs.
    if (manual && denies.every((w) => w.window.manualSync === true)) return ALLOWED;
    return { allowed: false, by: 'deny', windows: denies };
  }
  const allows = windows.filter((w) => w.window.kind === 'allow');
  if (allows.length === 0 || open.length > 0) return ALLOWED;
  if (manual && allows.every((w) => w.window.manualSync === true)) return ALLOWED;
  return { allowed: false, by: 'allow', windows: allows };
}

const isoOf = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function label(w: Evaluable): string {
  return `${w.window.kind} window "${w.window.schedule}" (${w.window.duration}, ${w.zone})`;
}

function denyMessage(denies: readonly Evaluable[], manual: boolean, at: number): string {
  const blockers = denies.filter((w) => !(manual && w.window.manualSync === true));
  // Name the blocker that stays open longest (open-ended counts as forever): the sync waits for it.
  let worst: { w: Evaluable; until: number | undefined } | undefined;
  for (const w of blockers.length > 0 ? blockers : denies) {
    const since = openSince(w, at);
    const until = since === undefined ? undefined : openUntil(w, since);
    if (!worst || (until ?? Infinity) > (worst.until ?? Infinity)) worst = { w, until };
  }
  if (!worst) return 'sync blocked by a deny window';
  const end = worst.until === undefined ? ' with no end in sight' : ` until ${isoOf(worst.until)}`;
  return `sync blocked by ${label(worst.w)}${end}`;
}

function allowMessage(allows: readonly Evaluable[], at: number): string {
  let first: { w: Evaluable; start: number } | undefined;
  for (const w of allows) {
    const start = nextFire(w, at);
    if (start !== undefined && (!first || start < first.start)) first = { w, start };
  }
  if (!first) return 'sync blocked: no allow window is open and none will open';
  return `sync blocked: no allow window is open; next ${label(first.w)} opens at ${isoOf(first.start)}`;
}

function blockedMessage(
  verdict: Extract<Verdict, { allowed: false }>,
  windows: readonly Evaluable[],
  manual: boolean,
  at: number,
): string {
  const base =
    verdict.by === 'deny'
      ? denyMessage(verdict.windows, manual, at)
      : allowMessage(verdict.windows, at);
  // Tell an automated sync's reader that a person could still sync now.
  return !manual && decide(windows, true, at).allowed ? `${base}; manual sync is allowed` : base;
}

/**
 * Whether a sync may start (or a running one continue) now, per the project's sync windows:
 * no matching window → allowed; an active deny blocks, and beats any allow, unless the sync is
 * manual and every active deny has `manualSync`; with matching allow windows a sync needs one
 * of them open, unless it is manual and every closed allow has `manualSync`. A running operation
 * (`operationStartedAt`) that was allowed when it started continues past an allow window's end,
 * or into a deny window, when every blocking window has `syncOverrun`. A matching window with an
 * unparsable schedule or duration blocks, as Argo CD refuses to sync on an invalid window.
 */
export function canSync(
  windows: readonly SyncWindow[] | undefined,
  app: SyncWindowApp,
  request: SyncRequest,
): SyncDecision {
  const matching = matchingWindows(windows, app);
  if (matching.length === 0) return ALLOWED;
  const usable: Evaluable[] = [];
  for (const window of matching) {
    const w = evaluable(window);
    if (!w) {
      const problems = [scheduleProblem(window.schedule), durationProblem(window.duration)];
      return {
        allowed: false,
        message: `sync blocked by invalid window: ${problems.filter(Boolean).join('; ')}`,
      };
    }
    usable.push(w);
  }
  const at = request.now.getTime();
  const verdict = decide(usable, request.manual, at);
  if (verdict.allowed) return ALLOWED;
  const started = request.operationStartedAt?.getTime();
  if (
    started !== undefined &&
    verdict.windows.every((w) => w.window.syncOverrun === true) &&
    decide(usable, request.manual, started).allowed
  ) {
    return ALLOWED;
  }
  return { allowed: false, message: blockedMessage(verdict, usable, request.manual, at) };
}

/**
 * Whether the app's project lets it sync now: the one check the controller (before each pass of
 * an operation, and before an automated sync) and the API (a sync request) both make.
 */
export function appSyncAllowed(
  project: Pick<AppProject, 'spec'> | undefined,
  app: Parameters<typeof windowAppOf>[0],
  request: SyncRequest,
): SyncDecision {
  return canSync(project?.spec.syncWindows ?? [], windowAppOf(app), request);
}
