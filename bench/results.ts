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
import { dirname, join } from 'node:path';

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

/**
 * `GITWARD_BENCH_REUSE_ONLY=1`: a section with no saved figures is left out instead of measured
 * (the peers: "not run in this bench run"), so a report can be written from what was saved.
 */
export const reuseOnly = (env: NodeJS.ProcessEnv = process.env) =>
  env['GITWARD_BENCH_REUSE_ONLY'] === '1';

/** The saved figures of a section, when there are any; taking them records it as reused. */
export async function savedSection<T>(cacheDir: string, name: string): Promise<T | undefined> {
  const text = await readFile(fileOf(cacheDir, name), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const saved = JSON.parse(text, reviver) as Saved<T>;
  reused.push({ name, commit: saved.commit, at: saved.at });
  return saved.value;
}

const fileOf = (cacheDir: string, name: string) =>
  join(cacheDir, quick ? 'bench-results-quick' : 'bench-results', `${name}.json`);

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
  if (wanted(name, env)) {
    const saved = await savedSection<T>(cacheDir, name);
    if (saved !== undefined) return saved;
  }
  const value = await measure();
  const saved: Saved<T> = { commit: headCommit(), at: new Date().toISOString(), value };
  const file = fileOf(cacheDir, name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(saved, replacer));
  return value;
}
