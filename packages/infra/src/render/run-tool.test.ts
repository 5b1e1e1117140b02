import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processGone } from '../process/process-gone.ts';
import { ErrorCode } from '@gitward/model';
import { runTool, trimStderr } from './run-tool.ts';

const node = process.execPath;
const opts = { cwd: '/', env: {}, timeoutMs: 10_000, maxOutputBytes: 1024 * 1024 };
const script = (code: string) => ['-e', code];

describe('runTool', () => {
  it('returns stdout', async () => {
    expect(await runTool('t', node, script('process.stdout.write("ok")'), opts)).toBe('ok');
  });

  it('passes stdin', async () => {
    const out = await runTool('t', node, script('process.stdin.pipe(process.stdout)'), {
      ...opts,
      input: 'in',
    });
    expect(out).toBe('in');
  });

  it('fails with the exit code and the end of stderr', async () => {
    await expect(
      runTool('helm', node, script('console.error("line1\\nError: boom"); process.exit(3)'), opts),
    ).rejects.toMatchObject({
      code: ErrorCode.RenderFailed,
      message: expect.stringMatching(/helm failed \(exit 3\): line1\nError: boom/) as unknown,
    });
  });

  it('kills a tool that runs past the timeout', async () => {
    await expect(
      runTool('slow', node, script('setTimeout(() => {}, 60000)'), { ...opts, timeoutMs: 300 }),
    ).rejects.toMatchObject({
      code: ErrorCode.RenderTimeout,
    });
  });

  it('refuses output beyond the cap instead of truncating it', async () => {
    await expect(
      runTool('big', node, script('process.stdout.write("x".repeat(5000))'), {
        ...opts,
        maxOutputBytes: 1000,
      }),
    ).rejects.toThrow(/more than 1000 bytes/);
  });

  it('reports a missing program', async () => {
    await expect(runTool('nope', '/nonexistent/tool', [], opts)).rejects.toMatchObject({
      code: ErrorCode.ToolMissing,
    });
  });
});

describe('runTool kills the whole process tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'run-tool-'));
  const pidFile = join(dir, 'pid');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // A tool that starts `sleep 100` sharing its stdout (as `sh -c 'sleep 100 & ...'` does), writes
  // the grandchild's pid, then does `rest`.
  const forking = (rest: string, detached = false) =>
    script(
      `const c = require('node:child_process').spawn('sleep', ['100'], { stdio: 'inherit', detached: ${detached} });` +
        `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); ${rest}`,
    );
  const grandchild = () => Number(readFileSync(pidFile, 'utf8'));

  it('on timeout, the grandchild holding stdout dies too and the run ends at the timeout', async () => {
    const t0 = Date.now();
    await expect(
      runTool('plugin:fork', node, forking('setInterval(() => {}, 1000)'), {
        ...opts,
        timeoutMs: 1000,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.RenderTimeout });
    expect(Date.now() - t0).toBeLessThan(2500);
    await expect.poll(() => processGone(grandchild()), { timeout: 1000 }).toBe(true);
  });

  it('a tool that exits leaving a background child holding stdout returns at once, child killed', async () => {
    const t0 = Date.now();
    const out = await runTool(
      'plugin:bg',
      node,
      forking('process.stdout.write("ok", () => process.exit(0))'),
      opts,
    );
    expect(out).toBe('ok');
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect.poll(() => processGone(grandchild()), { timeout: 1000 }).toBe(true);
  });

  it('a descendant that left the group cannot hold the render past a short grace', async () => {
    const t0 = Date.now();
    const out = await runTool(
      'plugin:escape',
      node,
      forking('process.stdout.write("ok", () => process.exit(0))', true),
      opts,
    );
    try {
      expect(out).toBe('ok');
      expect(Date.now() - t0).toBeLessThan(4000);
    } finally {
      process.kill(grandchild(), 'SIGKILL');
    }
  });
});

describe('trimStderr', () => {
  it('keeps the last lines only', () => {
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const t = trimStderr(long, 3);
    expect(t).toBe('line 37\nline 38\nline 39');
  });
});
