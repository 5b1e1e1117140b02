import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processGone } from '../process/process-gone.ts';
import { GitFailure, runGit } from './git-exec.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-exec-'));
  // A "git" that starts a helper (as git starts git-remote-https or ssh) and hangs.
  await writeFile(
    join(dir, 'git'),
    `#!/bin/sh\nsleep 100 &\necho $! > ${join(dir, 'helper.pid')}\nsleep 100\n`,
  );
  await chmod(join(dir, 'git'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('runGit', () => {
  it("on timeout kills git's helpers too (its whole process group)", async () => {
    const err = await runGit(['fetch', 'origin'], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      timeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitFailure);
    expect(err).toMatchObject({ timedOut: true, message: 'git fetch timed out' });
    const helper = Number(await readFile(join(dir, 'helper.pid'), 'utf8'));
    await expect.poll(() => processGone(helper), { timeout: 1000 }).toBe(true);
  });
});
