import { describe, expect, it } from 'vitest';
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

describe('trimStderr', () => {
  it('keeps the last lines only', () => {
    const long = Array.from({ length: 40 }, (_, i) => `line ${i}`).join('\n');
    const t = trimStderr(long, 3);
    expect(t).toBe('line 37\nline 38\nline 39');
  });
});
