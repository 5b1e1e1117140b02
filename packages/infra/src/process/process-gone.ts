import { readFileSync } from 'node:fs';

/**
 * True once `pid` no longer runs: gone, or a zombie waiting for its new parent to reap it (a
 * killed grandchild is reparented, and in a container nobody may reap it soon). Tests use it to
 * check that a process group was killed.
 */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}
