import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { loadConfig } from '../config.ts';
import { passwordFrom, terminalPasswordPrompt, type RemoteDeps } from './remote.ts';

const deps = (answers: (string | undefined)[]): RemoteDeps => ({
  config: loadConfig({ HOME: '/nonexistent' }),
  output: { out: () => undefined, err: () => undefined },
  prompt: () => Promise.resolve(answers.shift()),
});

describe('passwordFrom', () => {
  it.each([
    ['the flag wins over the prompt', 'given', ['typed'], 'given'],
    ['the prompt answers when the flag is absent', undefined, ['typed'], 'typed'],
    ['an empty answer is a password too', undefined, [''], ''],
  ])('%s', async (_, given, answers, want) => {
    expect(await passwordFrom(deps(answers), given, '--password', 'Password: ')).toBe(want);
  });

  it('without a terminal, says which flag is missing in one line', async () => {
    const err = await passwordFrom(deps([undefined]), undefined, '--password', 'Password: ').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.InvalidArgument);
    expect((err as GitwardError).message).toBe(
      '--password is required (stdin is not a terminal to prompt on)',
    );
  });
});

describe('terminalPasswordPrompt', () => {
  function streams(isTTY: boolean) {
    const input = Object.assign(new PassThrough(), { isTTY });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (c: Buffer) => (shown += c.toString()));
    return { input, output, shown: () => shown };
  }

  it('reads a line without echoing it', async () => {
    const s = streams(true);
    const answer = terminalPasswordPrompt(s)('Password: ');
    s.input.write('s3cret\r');
    expect(await answer).toBe('s3cret');
    expect(s.shown()).toBe('Password: \n');
  });

  it('does not ask when stdin is not a terminal', async () => {
    const s = streams(false);
    expect(await terminalPasswordPrompt(s)('Password: ')).toBeUndefined();
    expect(s.shown()).toBe('');
  });
});
