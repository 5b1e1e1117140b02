import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SESSION_DURATION_MS,
  anonymousEnabled,
  parseGoBool,
  parseGoDuration,
  sessionDurationMs,
  sessionSettingsProblems,
} from './settings.ts';

describe('parseGoDuration', () => {
  it.each([
    ['24h', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['1500us', 1.5],
    ['0', 0],
    ['-5m', -300_000],
    [' 10m ', 600_000],
    ['', undefined],
    ['24', undefined],
    ['1d', undefined],
    ['h', undefined],
    ['1h junk', undefined],
  ])('%j -> %j', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});

describe('parseGoBool', () => {
  it.each([
    ['true', true],
    ['True', true],
    ['1', true],
    ['false', false],
    ['F', false],
    ['yes', undefined],
    ['', undefined],
  ])('%j -> %j', (text, value) => {
    expect(parseGoBool(text)).toBe(value);
  });
});

describe('session settings', () => {
  it.each([
    [{}, DEFAULT_SESSION_DURATION_MS],
    [{ 'users.session.duration': '1h' }, 3_600_000],
    [{ 'users.session.duration': 'forever' }, DEFAULT_SESSION_DURATION_MS],
    [{ 'users.session.duration': '0' }, DEFAULT_SESSION_DURATION_MS],
    [{ 'users.session.duration': '-1h' }, DEFAULT_SESSION_DURATION_MS],
  ])('session duration of %j is %d ms', (cm, ms) => {
    expect(sessionDurationMs(cm)).toBe(ms);
  });

  it.each([
    [{}, false],
    [{ 'users.anonymous.enabled': 'true' }, true],
    [{ 'users.anonymous.enabled': 'false' }, false],
    [{ 'users.anonymous.enabled': 'yes' }, false],
  ])('anonymous access for %j is %j', (cm, enabled) => {
    expect(anonymousEnabled(cm)).toBe(enabled);
  });

  it('reports unreadable values and nothing for good ones', () => {
    expect(sessionSettingsProblems({ 'users.session.duration': '12h' })).toEqual([]);
    const problems = sessionSettingsProblems({
      'users.session.duration': '0',
      'users.anonymous.enabled': 'yes',
    });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain('users.session.duration');
    expect(problems[1]).toContain('users.anonymous.enabled');
  });
});
