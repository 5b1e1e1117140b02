import { describe, expect, it } from 'vitest';
import { parseDuration, retryAfterFailure, retryDelay, retryWait } from './retry.ts';

const now = new Date('2026-01-01T00:00:00Z');
const failed = (retry: object | undefined, retryCount?: number) => ({
  phase: 'Failed',
  message: 'boom',
  operation: { ...(retry ? { retry } : {}), sync: {} },
  syncResult: { resources: [{ name: 'x' }] },
  ...(retryCount ? { retryCount } : {}),
});

describe('retry', () => {
  it.each([
    ['5s', 5000],
    ['3m', 180_000],
    ['10', 10_000],
    ['250ms', 250],
    ['3m0s', 180_000],
    ['1m30s', 90_000],
    ['bogus', 42],
  ])('parses %s', (v, want) => {
    expect(parseDuration(v, 42)).toBe(want);
  });

  it('backs off by factor, capped', () => {
    const r = { limit: 5, backoff: { duration: '1s', factor: 3, maxDuration: '5s' } };
    expect([1, 2, 3].map((n) => retryDelay(r, n))).toEqual([1000, 3000, 5000]);
  });

  it('retries while attempts are left, clearing results, then gives up', () => {
    const r = { limit: 2, backoff: { duration: '1s' } };
    const next = retryAfterFailure(failed(r), now);
    expect(next).toMatchObject({ phase: 'Running', retryCount: 1, syncResult: { resources: [] } });
    expect(next?.message).toBe('boom. Retrying attempt #1 at 2026-01-01T00:00:01.000Z');
    expect(retryWait(next ?? {}, now)).toBe(1000);
    expect(retryAfterFailure(failed(r, 2), now)).toBeUndefined();
    expect(retryAfterFailure(failed(undefined), now)).toBeUndefined();
    expect(retryAfterFailure(failed({ limit: -1 }, 50), now)?.retryCount).toBe(51);
  });
});
