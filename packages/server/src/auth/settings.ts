/**
 * Reads the session settings of the settings ConfigMap (`users.session.duration`,
 * `users.anonymous.enabled`) with Go's value syntax, since the keys are shared with Argo CD's
 * argocd-cm and users copy values from its docs.
 */
import { parseGoDuration as parseEngineDuration } from '@gitward/engine';
import { own } from '../own.ts';

/** Argo CD's default `users.session.duration`. */
export const DEFAULT_SESSION_DURATION_MS = 24 * 60 * 60 * 1000;

/**
 * A Go `time.Duration` ("24h", "1h30m", "90s") in milliseconds, undefined when it is not one:
 * the engine's parser, after trimming the blanks a ConfigMap value often carries.
 */
export const parseGoDuration = (text: string): number | undefined =>
  parseEngineDuration(text.trim());

/** Parses a boolean as Go's strconv.ParseBool does. Undefined when it is not one. */
export function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * The lifetime of a login session. An invalid or non-positive value falls back to the default:
 * a zero lifetime would otherwise mint sessions that never expire.
 */
export function sessionDurationMs(cm: Readonly<Record<string, string>>): number {
  const raw = own(cm, 'users.session.duration');
  const ms = raw === undefined ? undefined : parseGoDuration(raw);
  return ms !== undefined && ms > 0 ? ms : DEFAULT_SESSION_DURATION_MS;
}

/** Whether unauthenticated requests get the `policy.default` role (off unless set true). */
export function anonymousEnabled(cm: Readonly<Record<string, string>>): boolean {
  const raw = own(cm, 'users.anonymous.enabled');
  return raw !== undefined && parseGoBool(raw) === true;
}

/** Problems with the session keys, for the server to log at startup and on change. */
export function sessionSettingsProblems(cm: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const duration = own(cm, 'users.session.duration');
  if (duration !== undefined) {
    const ms = parseGoDuration(duration);
    if (ms === undefined || ms <= 0)
      problems.push(
        `users.session.duration "${duration}" is not a positive Go duration (e.g. "24h"); using 24h`,
      );
  }
  const anon = own(cm, 'users.anonymous.enabled');
  if (anon !== undefined && parseGoBool(anon) === undefined)
    problems.push(`users.anonymous.enabled "${anon}" is not a boolean; anonymous access stays off`);
  return problems;
}
