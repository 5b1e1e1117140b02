import { describe, expect, it } from 'vitest';
import { formatResourceKey, groupOf } from './resource-key.ts';

describe('groupOf', () => {
  it.each([
    ['v1', ''],
    ['apps/v1', 'apps'],
    ['gitward.dev/v1alpha1', 'gitward.dev'],
  ])('%s -> "%s"', (apiVersion, group) => {
    expect(groupOf(apiVersion)).toBe(group);
  });
});

describe('formatResourceKey', () => {
  it('joins group, kind, namespace and name', () => {
    expect(
      formatResourceKey({ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' }),
    ).toBe('apps/Deployment/shop/web');
  });
});
