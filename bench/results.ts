/**
 * Section results kept between bench runs: a full `npm run bench` at 1,000 apps with the peers
 * takes hours on 2 cores, and one failure late in it would throw the rest away. Every section's
 * figures are saved as JSON (`<cache>/bench-results/<name>.json`, `bench-results-quick/` for
 * `--quick`, with the commit and the time
 * they were measured at); `GITWARD_BENCH_REUSE` (a comma-separated list of section names, or
 * `all`) takes saved figures instead of measuring again, and BENCHMARKS.md then says which
 * sections were reused and from which commit. The `--only-*` modes save too, so a long section
 * can be measured alone and the report assembled afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

interface Saved<T> {
  readonly commit: string;
  readonly at: string;
  readonly value: T;
}

/** Where a reused section came from, for the report. */
export interface ReusedSection {
  readonly name: string;
  readonly commit: string;
  readonly at: string;
}

const reused: ReusedSection[] = [];
/** A --quick run's figures never stand in for a full run's. */
const quick = process.argv.includes('--quick');

/** Sections taken from an earlier run, in the order they were asked for. */
export const reusedSections = (): readonly ReusedSection[] => reused;

function headCommit(): string {
  try {
    const rev = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { encoding: 'utf8' }).trim();
    return dirty ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return 'unknown';
  }
}

// Maps (a peer's verdicts) survive the round trip as tagged entry lists.
const replacer = (_k: string, v: unknown) =>
  v instanceof Map ? { $map: [...(v as Map<unknown, unknown>).entries()] } : v;
const reviver = (_k: string, v: unknown) =>
  v !== null && typeof v === 'object' && Array.isArray((v as { $map?: unknown }).$map)
    ? new Map((v as { $map: [unknown, unknown][] }).$map)
    : v;

function wanted(name: string, env: NodeJS.ProcessEnv): boolean {
  const list = (env['GITWARD_BENCH_REUSE'] ?? '').split(',').map((s) => s.trim());
  return list.includes('all') || list.includes(name);
}

/** The section's figures: saved ones when reuse is asked for and they exist, else measured. */
export async function section<T>(
  cacheDir: string,
  name: string,
  measure: () => Promise<T>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const dir = join(cacheDir, quick ? 'bench-results-quick' : 'bench-results');
  const file = join(dir, `${name}.json`);
  if (wanted(name, env)) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const saved = JSON.parse(text, reviver) as Saved<T>;
      reused.push({ name, commit: saved.commit, at: saved.at });
      return saved.value;
    }
  }
  const value = await measure();
  const saved: Saved<T> = { commit: headCommit(), at: new Date().toISOString(), value };
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(saved, replacer));
  return value;
}
