import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reusedSections, reuseOnly, savedSection, section } from './results.ts';

describe('bench section results', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('measures unless reuse is asked for, then takes the saved figures, Maps included', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-results-'));
    const value = { n: 3, verdicts: new Map([['app-1', { sync: 'Synced' }]]) };
    let measured = 0;
    const measure = () => {
      measured++;
      return Promise.resolve(value);
    };
    expect(await section(dir, 'peer-x', measure, {})).toBe(value);
    // Not asked for: measured again.
    await section(dir, 'peer-x', measure, { GITWARD_BENCH_REUSE: 'other' });
    expect(measured).toBe(2);
    const again = await section(dir, 'peer-x', measure, { GITWARD_BENCH_REUSE: 'x,peer-x' });
    expect(measured).toBe(2);
    expect(again).toEqual(value);
    expect(again.verdicts.get('app-1')).toEqual({ sync: 'Synced' });
    expect(reusedSections().map((r) => r.name)).toEqual(['peer-x']);
  });

  it('measures when reuse is asked for but nothing was saved', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-results-'));
    let measured = 0;
    await section(dir, 'none', () => Promise.resolve(++measured), { GITWARD_BENCH_REUSE: 'all' });
    expect(measured).toBe(1);
  });

  it('reads saved figures without measuring (a report from what was saved)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-results-'));
    expect(await savedSection(dir, 'peer-y')).toBeUndefined();
    await section(dir, 'peer-y', () => Promise.resolve({ ok: true }), {});
    expect(await savedSection(dir, 'peer-y')).toEqual({ ok: true });
    expect(reuseOnly({ GITWARD_BENCH_REUSE_ONLY: '1' })).toBe(true);
    expect(reuseOnly({})).toBe(false);
  });
});
