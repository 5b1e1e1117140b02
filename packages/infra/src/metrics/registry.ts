/**
 * A small Prometheus registry: counters, gauges and histograms with labels, written out in the
 * text exposition format 0.0.4. Dependency-free on purpose: the controller and the API server
 * need a dozen metrics, not a client library with its own process and GC collectors.
 */
import { ErrorCode, GitwardError } from '@gitward/model';

/** The Content-Type of {@link MetricsRegistry.expose}'s output. */
export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

/** Prometheus' default buckets (seconds), as client_golang's DefBuckets. */
export const defaultBuckets: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export type Labels = Readonly<Record<string, string>>;

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Called before each exposition, to set values read from elsewhere (queue length, memory). */
  readonly collect?: () => void;
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending; +Inf is implied. */
  readonly buckets?: readonly number[];
}

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  reset(): void;
}

export interface Gauge {
  set(labels: Labels, value: number): void;
  inc(labels?: Labels, by?: number): void;
  /** Drops one series (e.g. the info series of a deleted app). */
  remove(labels: Labels): void;
  reset(): void;
}

export interface Histogram {
  observe(labels: Labels, value: number): void;
  /** Starts a timer; calling the result observes the elapsed seconds and returns them. */
  startTimer(labels?: Labels): () => number;
  reset(): void;
}

export interface MetricsRegistry {
  counter(opts: MetricOptions): Counter;
  gauge(opts: MetricOptions): Gauge;
  histogram(opts: HistogramOptions): Histogram;
  /** Every metric in registration order, in the text format. */
  expose(): string;
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelPattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and newline (the format's only escapes). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and newline only. */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `k="v",...` of a series, escaped once when the series is created, not on every scrape. */
function labelPairs(names: readonly string[], values: readonly string[]): string {
  return names.map((n, i) => `${n}="${escapeLabelValue(values[i] ?? '')}"`).join(',');
}

const braced = (pairs: string) => (pairs === '' ? '' : `{${pairs}}`);

function invalid(message: string): never {
  throw new GitwardError(ErrorCode.InvalidArgument, message);
}

/**
 * One labelled series. Its exposition text is kept until the value changes: a scrape of a
 * thousand per-app series renders only those updated since the last one.
 */
interface Series<S> {
  readonly pairs: string;
  value: S;
  text: string | undefined;
}

interface Family<S> {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly series: Map<string, Series<S>>;
  readonly collect: (() => void) | undefined;
  /** The exposition lines of one series, given its label pairs (see labelPairs). */
  readonly lines: (pairs: string, value: S) => string[];
}

function family<S>(
  opts: MetricOptions,
  type: Family<S>['type'],
  lines: Family<S>['lines'],
): Family<S> {
  if (!namePattern.test(opts.name)) invalid(`invalid metric name ${opts.name}`);
  const labelNames = opts.labelNames ?? [];
  for (const l of labelNames)
    if (!labelPattern.test(l) || l.startsWith('__')) invalid(`invalid label name ${l}`);
  return {
    name: opts.name,
    type,
    help: opts.help,
    labelNames,
    series: new Map(),
    collect: opts.collect,
    lines,
  };
}

/** The label values in the family's order; an unknown label name is a programming error. */
function valuesOf(
  f: { readonly name: string; readonly labelNames: readonly string[] },
  labels: Labels = {},
): string[] {
  for (const k of Object.keys(labels))
    if (!f.labelNames.includes(k)) invalid(`${f.name} has no label ${k}`);
  return f.labelNames.map((n) => labels[n] ?? '');
}

/** The series for `labels`, created if new, its text dropped: callers are about to change it. */
function seriesOf<S>(f: Family<S>, labels: Labels | undefined, init: () => S): Series<S> {
  const values = valuesOf(f, labels);
  const key = JSON.stringify(values);
  let s = f.series.get(key);
  if (!s) {
    s = { pairs: labelPairs(f.labelNames, values), value: init(), text: undefined };
    f.series.set(key, s);
  }
  s.text = undefined;
  return s;
}

function render(f: Family<unknown>): string {
  f.collect?.();
  const out = [`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`];
  for (const s of f.series.values()) out.push((s.text ??= f.lines(s.pairs, s.value).join('\n')));
  return out.join('\n');
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

/** An empty registry. */
export function createMetricsRegistry(): MetricsRegistry {
  const families: Family<unknown>[] = [];
  const names = new Set<string>();
  const add = <S>(f: Family<S>): Family<S> => {
    if (names.has(f.name)) invalid(`metric ${f.name} is registered twice`);
    names.add(f.name);
    families.push(f as Family<unknown>);
    return f;
  };
  const simple = (f: Family<number>) => (pairs: string, v: number) => [
    `${f.name}${braced(pairs)} ${formatValue(v)}`,
  ];

  return {
    counter(opts) {
      const f: Family<number> = add(family(opts, 'counter', (l, v) => simple(f)(l, v)));
      // An unlabelled metric exists from the start, as client_golang's do.
      if (f.labelNames.length === 0) seriesOf(f, {}, () => 0);
      return {
        inc(labels, by = 1) {
          if (by < 0) invalid(`${f.name}: a counter cannot decrease`);
          seriesOf(f, labels, () => 0).value += by;
        },
        reset: () => f.series.clear(),
      };
    },
    gauge(opts) {
      const f: Family<number> = add(family(opts, 'gauge', (l, v) => simple(f)(l, v)));
      if (f.labelNames.length === 0) seriesOf(f, {}, () => 0);
      return {
        set: (labels, value) => void (seriesOf(f, labels, () => 0).value = value),
        inc: (labels, by = 1) => void (seriesOf(f, labels, () => 0).value += by),
        remove: (labels) => void f.series.delete(JSON.stringify(valuesOf(f, labels))),
        reset: () => f.series.clear(),
      };
    },
    histogram(opts) {
      const buckets = [...(opts.buckets ?? defaultBuckets)];
      if (buckets.some((b, i) => i > 0 && b <= (buckets[i - 1] ?? -Infinity)))
        invalid(`${opts.name}: buckets must ascend`);
      if (opts.labelNames?.includes('le')) invalid(`${opts.name}: "le" is reserved`);
      const init = (): HistogramState => ({ counts: buckets.map(() => 0), sum: 0, count: 0 });
      const les = [...buckets, Infinity].map(formatValue);
      const f: Family<HistogramState> = add(
        family<HistogramState>(opts, 'histogram', (pairs, h) => {
          const lead = pairs === '' ? '' : `${pairs},`;
          const bucketLines = les.map((le, i) => {
            const n = i < buckets.length ? (h.counts[i] ?? 0) : h.count;
            return `${f.name}_bucket{${lead}le="${le}"} ${n}`;
          });
          return [
            ...bucketLines,
            `${f.name}_sum${braced(pairs)} ${formatValue(h.sum)}`,
            `${f.name}_count${braced(pairs)} ${h.count}`,
          ];
        }),
      );
      if (f.labelNames.length === 0) seriesOf(f, {}, init);
      const observe = (labels: Labels, value: number) => {
        const h = seriesOf(f, labels, init).value;
        // Counts are kept per bucket cumulatively: a value lands in every bucket it fits under.
        buckets.forEach((b, i) => {
          if (value <= b) h.counts[i] = (h.counts[i] ?? 0) + 1;
        });
        h.sum += value;
        h.count += 1;
      };
      return {
        observe,
        startTimer(labels = {}) {
          const start = performance.now();
          return () => {
            const seconds = (performance.now() - start) / 1000;
            observe(labels, seconds);
            return seconds;
          };
        },
        reset: () => f.series.clear(),
      };
    },
    expose: () => `${families.map(render).join('\n')}\n`,
  };
}
