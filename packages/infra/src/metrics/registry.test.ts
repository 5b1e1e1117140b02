import { describe, expect, it } from 'vitest';
import { registerProcessMetrics } from './process.ts';
import { createMetricsRegistry, escapeLabelValue, formatValue } from './registry.ts';
import { metricsResponse, probeResponse } from './server.ts';

describe('metrics registry', () => {
  it('writes counters and gauges in the text format, in registration order', () => {
    const r = createMetricsRegistry();
    const syncs = r.counter({
      name: 'app_sync_total',
      help: 'Syncs.',
      labelNames: ['name', 'phase'],
    });
    const depth = r.gauge({ name: 'queue_depth', help: 'Keys waiting.' });
    syncs.inc({ name: 'a', phase: 'Succeeded' });
    syncs.inc({ name: 'a', phase: 'Succeeded' }, 2);
    syncs.inc({ phase: 'Failed', name: 'b' });
    depth.set({}, 4);
    expect(r.expose()).toBe(
      [
        '# HELP app_sync_total Syncs.',
        '# TYPE app_sync_total counter',
        'app_sync_total{name="a",phase="Succeeded"} 3',
        'app_sync_total{name="b",phase="Failed"} 1',
        '# HELP queue_depth Keys waiting.',
        '# TYPE queue_depth gauge',
        'queue_depth 4',
        '',
      ].join('\n'),
    );
  });

  it('writes a histogram as cumulative buckets, +Inf, sum and count', () => {
    const r = createMetricsRegistry();
    const h = r.histogram({
      name: 'render_seconds',
      help: 'Render time.',
      labelNames: ['app'],
      buckets: [0.1, 1, 5],
    });
    for (const v of [0.05, 0.5, 0.7, 7]) h.observe({ app: 'x' }, v);
    expect(r.expose()).toBe(
      [
        '# HELP render_seconds Render time.',
        '# TYPE render_seconds histogram',
        'render_seconds_bucket{app="x",le="0.1"} 1',
        'render_seconds_bucket{app="x",le="1"} 3',
        'render_seconds_bucket{app="x",le="5"} 3',
        'render_seconds_bucket{app="x",le="+Inf"} 4',
        'render_seconds_sum{app="x"} 8.25',
        'render_seconds_count{app="x"} 4',
        '',
      ].join('\n'),
    );
  });

  it('exposes unlabelled metrics at zero before any observation', () => {
    const r = createMetricsRegistry();
    r.counter({ name: 'c_total', help: 'c' });
    r.histogram({ name: 'h', help: 'h', buckets: [1] });
    expect(r.expose()).toContain('c_total 0\n');
    expect(r.expose()).toContain('h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 0\nh_sum 0\nh_count 0');
  });

  it.each([
    ['plain', 'plain'],
    ['say "hi"', 'say \\"hi\\"'],
    ['C:\\path', 'C:\\\\path'],
    ['two\nlines', 'two\\nlines'],
  ])('escapes the label value %j', (raw, escaped) => {
    expect(escapeLabelValue(raw)).toBe(escaped);
    const r = createMetricsRegistry();
    r.gauge({ name: 'g', help: 'a \\ help\nline', labelNames: ['v'] }).set({ v: raw }, 1);
    expect(r.expose()).toContain(`g{v="${escaped}"} 1`);
    expect(r.expose()).toContain('# HELP g a \\\\ help\\nline');
  });

  it.each([
    [1, '1'],
    [0.25, '0.25'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('formats %s as %s', (v, text) => expect(formatValue(v)).toBe(text));

  it('removes, resets and collects gauge series', () => {
    const r = createMetricsRegistry();
    let n = 0;
    const info = r.gauge({ name: 'info', help: 'i', labelNames: ['name', 'health'] });
    const depth = r.gauge({ name: 'depth', help: 'd', collect: () => depth.set({}, ++n) });
    info.set({ name: 'a', health: 'Healthy' }, 1);
    info.set({ name: 'b', health: 'Degraded' }, 1);
    info.remove({ name: 'a', health: 'Healthy' });
    expect(r.expose()).not.toContain('name="a"');
    expect(r.expose()).toContain('depth 2');
    info.reset();
    expect(r.expose()).not.toContain('info{');
  });

  it.each([
    ['a bad name', () => createMetricsRegistry().counter({ name: '1x', help: '' })],
    [
      'an unknown label',
      () => createMetricsRegistry().counter({ name: 'x', help: '' }).inc({ nope: '1' }),
    ],
    [
      'a negative increment',
      () => createMetricsRegistry().counter({ name: 'x', help: '' }).inc({}, -1),
    ],
    [
      'descending buckets',
      () => createMetricsRegistry().histogram({ name: 'x', help: '', buckets: [2, 1] }),
    ],
    [
      'a duplicate name',
      () => {
        const r = createMetricsRegistry();
        r.gauge({ name: 'x', help: '' });
        r.gauge({ name: 'x', help: '' });
      },
    ],
  ])('refuses %s', (_what, f) => expect(f).toThrow());

  it('times with startTimer', () => {
    const r = createMetricsRegistry();
    const h = r.histogram({ name: 't', help: 't', labelNames: ['op'] });
    const seconds = h.startTimer({ op: 'x' })();
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(r.expose()).toContain('t_count{op="x"} 1');
  });

  it('registers the process collectors', () => {
    const r = createMetricsRegistry();
    registerProcessMetrics(r);
    const text = r.expose();
    for (const name of [
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'process_start_time_seconds',
      'nodejs_heap_size_used_bytes',
    ])
      expect(text).toMatch(new RegExp(`^${name} \\d+(\\.\\d+)?(e[+-]\\d+)?$`, 'm'));
  });

  it.each([
    ['GET', '/metrics', 200],
    ['GET', '/metrics?x=1', 200],
    ['POST', '/metrics', 405],
    ['GET', '/other', 404],
  ])('answers %s %s with %i', (method, url, status) => {
    const out = metricsResponse(createMetricsRegistry(), method, url);
    expect(out.status).toBe(status);
  });

  it.each([
    ['/healthz', false, 200],
    ['/healthz', true, 200],
    ['/readyz', false, 503],
    ['/readyz', true, 200],
    ['/readyz?verbose', true, 200],
    ['/metrics', true, undefined],
  ])('probe %s with ready=%s answers %s', (url, ready, status) => {
    expect(probeResponse(url, () => ready)?.status).toBe(status);
  });
});
