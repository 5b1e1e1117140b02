import { ErrorCode, GitwardError } from '@gitward/model';
import type { RenderBudget } from './context.ts';

/** Defaults of the render size limits (controller/server config may change them). */
export const defaultRenderLimits = {
  /** One manifest file of a Directory source. */
  maxFileBytes: 8 * 1024 * 1024,
  /** Everything one render reads from manifest files and tool outputs together. */
  maxRenderBytes: 64 * 1024 * 1024,
} as const;

const mib = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`);

/** The budget of one render: a repository author decides how big its files and outputs are. */
export function createRenderBudget(maxFileBytes: number, maxRenderBytes: number): RenderBudget {
  let used = 0;
  return {
    maxFileBytes,
    maxRenderBytes,
    charge(bytes, what) {
      used += bytes;
      if (used > maxRenderBytes)
        throw new GitwardError(
          ErrorCode.ManifestTooLarge,
          `the render is larger than the limit of ${mib(maxRenderBytes)} (reached at ${what})`,
        );
    },
    get used() {
      return used;
    },
  };
}

/** Refuses one file over the per-file limit, before it is read. */
export function checkFileSize(budget: RenderBudget, bytes: number, file: string): void {
  if (bytes > budget.maxFileBytes)
    throw new GitwardError(
      ErrorCode.ManifestTooLarge,
      `${file} is ${bytes} bytes, larger than the per-file limit of ${mib(budget.maxFileBytes)}`,
    );
  budget.charge(bytes, file);
}
