import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { KubeClient, KubeWatchOptions, WatchEvent } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import type { Logger } from 'pino';
import { createControllerSettings } from './settings-source.ts';

const cm = (rv: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'gitward-cm', namespace: 'ns', uid: 'u1', resourceVersion: rv },
  data,
});

/** A client with one list and one watch the test drives, recording the requests made. */
function fakeKube() {
  let emit: ((e: WatchEvent) => void) | undefined;
  const watching = Promise.withResolvers<void>();
  const posted: { path: string; body: unknown }[] = [];
  const kube = {
    list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
    watch: (_p: string, opts: KubeWatchOptions, onEvent: (e: WatchEvent) => void) => {
      emit = onEvent;
      watching.resolve();
      return new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve()));
    },
    request: (_m: string, path: string, o: { body: unknown }) => {
      posted.push({ path, body: o.body });
      return Promise.resolve({ status: 201, body: {} });
    },
  } as unknown as KubeClient;
  return { kube, watching: watching.promise, send: (e: WatchEvent) => emit?.(e), posted };
}

function fakeLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at =
    (level: string) =>
    (a: unknown, b?: string): void => {
      lines.push({ level, msg: typeof a === 'string' ? a : (b ?? '') });
    };
  return {
    logger: { warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger,
    lines,
  };
}

describe('createControllerSettings', () => {
  it('applies the ConfigMap, reports a bad value by log and Event, and tells of real changes', async () => {
    const k = fakeKube();
    const { logger, lines } = fakeLogger();
    const s = createControllerSettings({
      kube: k.kube,
      namespace: 'ns',
      name: 'gitward-cm',
      overrides: { jitterSeconds: 5 },
      logger,
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    let changes = 0;
    s.onChange(() => changes++);
    await s.ready;
    await k.watching;
    expect(s.current()).toMatchObject({ trackingMethod: 'annotation', resyncSeconds: 120 });

    k.send({ type: 'ADDED', object: cm('2', { 'application.resourceTrackingMethod': 'label' }) });
    expect(s.current()).toMatchObject({ trackingMethod: 'label', jitterSeconds: 5 });
    expect(changes).toBe(1);

    // Only the overridden key changed: nothing that matters changed.
    k.send({
      type: 'MODIFIED',
      object: cm('3', {
        'application.resourceTrackingMethod': 'label',
        'timeout.reconciliation.jitter': '9s',
      }),
    });
    expect(changes).toBe(1);

    k.send({ type: 'MODIFIED', object: cm('4', { 'timeout.reconciliation': 'soon' }) });
    expect(s.current()).toMatchObject({ trackingMethod: 'annotation', resyncSeconds: 120 });
    expect(changes).toBe(2);
    await tick();
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      'settings key timeout.reconciliation: "soon" is not a duration (e.g. "180s", "3m", "0"); using the default',
    ]);
    expect(k.posted).toHaveLength(1);
    expect(k.posted[0]?.path).toBe('/api/v1/namespaces/ns/events');
    expect(k.posted[0]?.body).toMatchObject({
      type: 'Warning',
      reason: 'InvalidSetting',
      involvedObject: { kind: 'ConfigMap', name: 'gitward-cm', namespace: 'ns', uid: 'u1' },
    });
    await s.stop();
  });
});
