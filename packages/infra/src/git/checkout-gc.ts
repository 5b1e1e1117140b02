import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Keeps the checked-out trees under `root` (`<root>/<url hash>/<sha>`) bounded: every commit an
 * app was ever at would otherwise stay on disk forever. A tree in use (acquired, not yet
 * released) is never removed; among the others, those idle longer than `maxIdleMs` go, then the
 * least recently used until at most `maxCheckouts` remain.
 */
export interface CheckoutCollector {
  /** Marks `dir` in use (call before materializing it). Resolves once old state is scanned. */
  acquire(dir: string): Promise<void>;
  /** Ends one use of `dir`; the tree may be collected once nobody uses it. */
  release(dir: string): void;
  /** Removes what is over the bounds now; resolves to the removed directories. */
  collect(): Promise<string[]>;
}

export interface CheckoutCollectorOptions {
  readonly root: string;
  readonly maxCheckouts: number;
  readonly maxIdleMs: number;
  readonly now?: () => number;
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => join(dir, e.name));
}

export function createCheckoutCollector(o: CheckoutCollectorOptions): CheckoutCollector {
  const now = o.now ?? Date.now;
  const lastUsed = new Map<string, number>();
  const users = new Map<string, number>();
  // Trees being deleted: acquiring one waits until it is gone, then materializes it anew.
  const removing = new Map<string, Promise<void>>();
  let collecting: Promise<string[]> | undefined;

  /**
   * Trees left by an earlier process are known by their mtime; half-made `.tmp-` trees are
   * crash leftovers (this runs before this process materializes anything).
   */
  const scanned = (async () => {
    for (const repoDir of await subdirs(o.root)) {
      for (const dir of await subdirs(repoDir)) {
        const name = dir.slice(repoDir.length + 1);
        if (name.startsWith('.tmp-')) await rm(dir, { recursive: true, force: true });
        else if (!lastUsed.has(dir)) lastUsed.set(dir, await stat(dir).then((s) => s.mtimeMs, now));
      }
    }
  })().catch(() => undefined);

  function victims(): string[] {
    const idle = [...lastUsed].filter(([dir]) => !users.get(dir)).sort((a, b) => a[1] - b[1]);
    const out: string[] = [];
    let count = lastUsed.size;
    for (const [dir, used] of idle) {
      if (now() - used <= o.maxIdleMs && count <= o.maxCheckouts) break;
      out.push(dir);
      count--;
    }
    return out;
  }

  async function run(): Promise<string[]> {
    await scanned;
    const removed: string[] = [];
    for (const dir of victims()) {
      // Checked again: a render may have taken it while an earlier removal was awaited.
      if (users.get(dir)) continue;
      lastUsed.delete(dir);
      const gone = rm(dir, { recursive: true, force: true }).finally(() => removing.delete(dir));
      removing.set(dir, gone);
      await gone;
      removed.push(dir);
    }
    return removed;
  }

  return {
    async acquire(dir) {
      users.set(dir, (users.get(dir) ?? 0) + 1);
      lastUsed.set(dir, now());
      await scanned;
      await removing.get(dir);
    },
    release(dir) {
      const n = (users.get(dir) ?? 0) - 1;
      if (n > 0) users.set(dir, n);
      else users.delete(dir);
      if (lastUsed.has(dir)) lastUsed.set(dir, now());
    },
    collect() {
      collecting ??= run().finally(() => (collecting = undefined));
      return collecting;
    },
  };
}
