import { describe, expect, it } from 'vitest';
import { errorText } from './error-alert.tsx';

describe('errorText', () => {
  it.each([
    [403, 'permission denied', 'You are not allowed to sync web: permission denied'],
    [404, 'application web not found', 'Not found: application web not found'],
    [400, 'bad spec', 'Could not sync web: bad spec'],
    [0, 'cannot reach the server', 'Could not sync web: cannot reach the server'],
  ])('%i', (status, message, want) => {
    expect(errorText({ status, code: 'X', message }, 'sync web')).toBe(want);
  });
});
