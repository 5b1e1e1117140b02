/**
 * Go's `time.Duration` text syntax ("1h", "30m", "1h30m", "1.5h", "90s", "250ms"), which Argo CD
 * uses for sync window durations and retry backoffs; users copy these values from Argo CD's docs,
 * so gitward reads exactly what Go's `time.ParseDuration` reads.
 */

const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Go rejects anything beyond int64 nanoseconds (about 292 years); 2^63 up to float rounding. */
const MAX_NS = 2 ** 63;

/** One `<number><unit>` term, anchored where the previous one ended. */
const TERM = /(\d*)(?:\.(\d*))?([^\d.]+)/y;

function termNs(whole: string, fraction: string, unit: string): number | undefined {
  const perUnit = NS_PER_UNIT[unit];
  if (perUnit === undefined || (whole === '' && fraction === '')) return undefined;
  // Go truncates fractions below a nanosecond; so do we.
  const frac =
    fraction === '' ? 0 : Math.floor((Number(fraction) * perUnit) / 10 ** fraction.length);
  return Number(whole || '0') * perUnit + frac;
}

/**
 * Milliseconds of a Go duration string, or undefined when Go's `time.ParseDuration` would fail.
 * Like Go, no whitespace is allowed, every number needs a unit ("1h30" fails), a sign may lead,
 * and the bare string "0" is the only unitless value. Negative durations parse (Go accepts
 * them); callers decide whether they make sense.
 */
export function parseGoDuration(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = /^[-+]/.test(text) ? text.slice(1) : text;
  if (body === '0') return 0;
  if (body === '') return undefined;
  TERM.lastIndex = 0;
  let ns = 0;
  while (TERM.lastIndex < body.length) {
    const m = TERM.exec(body);
    const term = m ? termNs(m[1] ?? '', m[2] ?? '', m[3] ?? '') : undefined;
    if (term === undefined) return undefined;
    ns += term;
  }
  if (ns > MAX_NS) return undefined;
  return (sign * ns) / 1e6;
}
