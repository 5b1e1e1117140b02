// The answers the server builds in files that keep their own producer-side types are the shared
// wire types clients read (@gitward/model api/responses.ts): checked by the compiler here.
import type { ResourceDiff } from '@gitward/model';
import { describe, expect, it } from 'vitest';
import type { ManagedResource } from './app-diff.ts';

/** Compiles only while the server's managed-resources item is a ResourceDiff. */
const asWireType = (m: ManagedResource): ResourceDiff => m;

describe('answers built outside routes/', () => {
  it('a managed-resources item is the shared ResourceDiff', () => {
    const item: ManagedResource = {
      group: '',
      kind: 'ConfigMap',
      namespace: 'web',
      name: 'a',
      status: 'Synced',
      modified: false,
      liveState: '{}',
      targetState: '{}',
      normalizedLiveState: '{}',
      predictedLiveState: '{}',
      diff: '',
    };
    expect(asWireType(item)).toBe(item);
  });
});
