import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import type { KubeClient, KubeWatchOptions, WatchEvent } from './types.ts';
import { watchSettingsConfigMap } from './watched-settings.ts';

const cm = (name: string, rv: string, data: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  data,
});

/** One list, then one watch whose events the test sends. */
function client(items: KubeObject[]) {
  let emit: ((e: WatchEvent) => void) | undefined;
  const watching = Promise.withResolvers<void>();
  const kube = {
    list: () => Promise.resolve({ items, resourceVersion: '1' }),
    watch: (_p: string, opts: KubeWatchOptions, onEvent: (e: WatchEvent) => void) => {
      emit = onEvent;
      watching.resolve();
      return new Promise<void>((resolve) => opts.signal.addEventListener('abort', () => resolve()));
    },
  } as unknown as KubeClient;
  return {
    kube,
    watching: watching.promise,
    send: (e: WatchEvent) => emit?.(e),
  };
}

describe('watchSettingsConfigMap', () => {
  it('parses the named ConfigMap when it changes, and only then', async () => {
    const c = client([cm('other', '1')]);
    const parsed: unknown[] = [];
    const changes: (string | undefined)[] = [];
    const w = watchSettingsConfigMap(c.kube, {
      namespace: 'ns',
      name: 'gitward-cm',
      parse: (data) => {
        parsed.push(data);
        return (data as Record<string, string> | undefined)?.['k'] ?? 'default';
      },
      onChange: (_v, obj) => changes.push(obj?.metadata['resourceVersion'] as string | undefined),
      onError: () => undefined,
    });
    expect(w.current()).toBe('default');
    await w.ready;
    await c.watching;
    c.send({ type: 'ADDED', object: cm('gitward-cm', '2', { k: 'a' }) });
    expect(w.current()).toBe('a');
    // Another ConfigMap changing does not parse the settings again.
    c.send({ type: 'MODIFIED', object: cm('other', '3') });
    c.send({ type: 'MODIFIED', object: cm('gitward-cm', '4', { k: 'b' }) });
    expect(w.current()).toBe('b');
    c.send({ type: 'DELETED', object: cm('gitward-cm', '5') });
    expect(w.current()).toBe('default');
    c.send({ type: 'MODIFIED', object: cm('other', '6') });
    await tick();
    // The initial parse, the first list (no settings), then each change of gitward-cm only.
    expect(changes).toEqual([undefined, '2', '4', undefined]);
    expect(parsed).toHaveLength(5);
    await w.stop();
  });
});
