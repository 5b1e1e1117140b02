import fc from 'fast-check';
import type { KubeObject, ResourceKey } from '@gitward/model';
import { describe, expect, it } from 'vitest';
import { createWriteFence, versionReached } from './write-fence.ts';

const cm = (name: string, resourceVersion?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', ...(resourceVersion ? { resourceVersion } : {}) },
});
const key = (name: string): ResourceKey => ({
  group: '',
  kind: 'ConfigMap',
  namespace: 'ns',
  name,
});

describe('versionReached', () => {
  it.each([
    ['10', '10', true],
    ['11', '10', true],
    ['9', '10', false],
    // Numbers, not strings: "9" < "10" as text.
    ['10', '9', true],
    ['100000000000000000000', '99999999999999999999', true],
    [undefined, '10', false],
    // Not the etcd3 revision format: only the same version counts.
    ['abc', 'abc', true],
    ['abd', 'abc', false],
    ['11', 'x10', false],
  ])('seen %s, wrote %s: %s', (seen, wrote, want) => {
    expect(versionReached(seen, wrote)).toBe(want);
  });

  it('orders decimal versions as integers and never throws on any text', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 25n }),
        fc.bigInt({ min: 0n, max: 10n ** 25n }),
        (a, b) => {
          expect(versionReached(String(a), String(b))).toBe(a >= b);
        },
      ),
    );
    fc.assert(
      fc.property(fc.option(fc.string()), fc.string(), (seen, wrote) => {
        expect(typeof versionReached(seen ?? undefined, wrote)).toBe('boolean');
      }),
    );
  });
});

describe('createWriteFence', () => {
  it('holds a written object until the view shows its version or a later one', () => {
    const fence = createWriteFence();
    fence.wrote(cm('a', '20'));
    const view = new Map<string, KubeObject>();
    const get = (k: ResourceKey) => view.get(k.name);
    expect(fence.unseen([key('a'), key('b')], get)).toEqual([key('a')]);
    view.set('a', cm('a', '19'));
    expect(fence.unseen([key('a')], get)).toEqual([key('a')]);
    view.set('a', cm('a', '21'));
    expect(fence.unseen([key('a')], get)).toEqual([]);
    // Seen once: forgotten, even if the view goes back (a delete is someone else's change).
    view.delete('a');
    expect(fence.unseen([key('a')], get)).toEqual([]);
    expect(fence.size()).toBe(0);
  });

  it('lets go after maxWaitMs (deleted again, or a slow watch) and stays bounded', () => {
    let t = 0;
    const fence = createWriteFence({ maxWaitMs: 100, maxEntries: 2, now: () => t });
    fence.wrote(cm('a', '1'));
    fence.wrote(cm('b', '2'));
    fence.wrote(cm('c', '3'));
    expect(fence.size()).toBe(2);
    const none = () => undefined;
    expect(fence.unseen([key('a'), key('b'), key('c')], none)).toEqual([key('b'), key('c')]);
    t = 101;
    expect(fence.unseen([key('b'), key('c')], none)).toEqual([]);
    expect(fence.size()).toBe(0);
    // Entries no pass asks about go with the next write once expired.
    fence.wrote(cm('d', '4'));
    t = 300;
    fence.wrote(cm('e', '5'));
    expect(fence.size()).toBe(1);
  });

  it('ignores an answer without a resourceVersion (nothing to wait for)', () => {
    const fence = createWriteFence();
    fence.wrote(cm('a'));
    expect(fence.size()).toBe(0);
  });
});
