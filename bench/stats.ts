/** Summaries of repeated timings: every figure in BENCHMARKS.md is a median with its spread. */

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs), runs: xs.length };
}

/** Milliseconds `fn` takes, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** "median X (min–max, n runs)" with `digits` decimals. */
export function formatSpread(s: Spread, unit: string, digits = 1): string {
  const f = (x: number) => x.toFixed(digits);
  return `${f(s.median)} ${unit} (${f(s.min)}–${f(s.max)}, ${s.runs} runs)`;
}

/** "median (min–max, n runs)" for counts and rates, without decimals or a unit. */
export function formatWhole(s: Spread): string {
  return `${s.median.toFixed(0)} (${s.min.toFixed(0)}–${s.max.toFixed(0)}, ${s.runs} runs)`;
}

/** Nearest-rank percentile (p in 0–100): with few samples p95 is the maximum, as it should be. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}
