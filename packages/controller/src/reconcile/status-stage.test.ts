import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { composeStatus } from './status-stage.ts';

const app: Application = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'a' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://git/x.git', path: '.' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
  },
  status: {
    conditions: [{ type: 'ComparisonError', message: 'old', lastTransitionTime: 't0' }],
  },
};

describe('composeStatus', () => {
  it("adds the sync step's conditions to the comparison's", () => {
    const status = composeStatus(
      app,
      { kind: 'failed', conditions: [{ type: 'InvalidSpecError', message: 'bad' }] },
      {
        status: {
          conditions: [{ type: 'SyncError', message: 'auto-sync', lastTransitionTime: 't' }],
        },
      },
      new Date('2026-12-07T10:00:00Z'),
    );
    expect(status.conditions?.map((c) => c.type)).toEqual(['InvalidSpecError', 'SyncError']);
    expect(status.reconciledAt).toBe('2026-12-07T10:00:00.000Z');
  });
});
