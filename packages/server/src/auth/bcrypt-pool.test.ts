import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { createBcryptPool } from './bcrypt-pool.ts';

describe('createBcryptPool', () => {
  it('refuses jobs beyond its queue with OVERLOADED, and still answers the queued ones', async () => {
    const pool = createBcryptPool({ size: 1, maxQueue: 1 });
    const hash = bcrypt.hashSync('pw', 4);
    const first = pool.compare('pw', hash); // taken by the worker at once
    const second = pool.compare('nope', hash); // waits in the queue
    expect(pool.queued()).toBe(1);
    const third: unknown = await pool.compare('pw', hash).catch((e: unknown) => e);
    expect(third).toBeInstanceOf(GitwardError);
    expect((third as GitwardError).code).toBe(ErrorCode.Overloaded);
    expect(await Promise.all([first, second])).toEqual([true, false]);
    expect(pool.queued()).toBe(0);
  });

  it('answers false for a malformed hash, and the worker goes on', async () => {
    const pool = createBcryptPool({ size: 1 });
    expect(await pool.compare('pw', 'not-a-hash')).toBe(false);
    expect(await pool.compare('pw', bcrypt.hashSync('pw', 4))).toBe(true);
  });
});
