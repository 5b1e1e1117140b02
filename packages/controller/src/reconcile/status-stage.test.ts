import { describe, expect, it } from 'vitest';
import { HealthStatusCode, OperationPhase, type Application } from '@gitward/model';
import { composeStatus, statusPatch } from './status-stage.ts';

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

describe('statusPatch', () => {
  it('clears a message the new health and operation state no longer have', () => {
    const patch = statusPatch({
      health: { status: HealthStatusCode.Healthy },
      operationState: { operation: {}, phase: OperationPhase.Running, startedAt: 't' },
    });
    expect(patch.health).toEqual({ status: HealthStatusCode.Healthy, message: null });
    expect(patch.operationState).toMatchObject({ message: null });
  });
  it('keeps messages that are there', () => {
    const patch = statusPatch({ health: { status: HealthStatusCode.Degraded, message: 'why' } });
    expect(patch.health).toEqual({ status: HealthStatusCode.Degraded, message: 'why' });
  });
});

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
