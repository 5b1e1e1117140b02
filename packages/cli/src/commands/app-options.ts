import { ErrorCode, GitwardError } from '@gitward/model';

/** Shared option parsers of the `app` commands. */
export const collect = (v: string, acc: string[]) => [...acc, v];
/** Empty cells as kubectl shows them. */
export const dash = (s: string | undefined) => (s === undefined || s === '' ? '-' : s);

export function outputFormat(o: { output?: string }, allowed: readonly string[]): string {
  const f = o.output ?? 'wide';
  if (!allowed.includes(f))
    throw new GitwardError(ErrorCode.InvalidArgument, `-o must be one of ${allowed.join(', ')}`);
  return f;
}

/** `--flag true|false`, as Argo CD's boolean flags take. */
export const bool = (v: string): boolean => {
  if (v !== 'true' && v !== 'false')
    throw new GitwardError(ErrorCode.InvalidArgument, `expected true or false, got ${v}`);
  return v === 'true';
};
