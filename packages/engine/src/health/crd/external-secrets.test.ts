import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const es = (kind: string, status?: Record<string, unknown>) =>
  object('external-secrets.io/v1beta1', kind, status ? { status } : {});
const cond = (type: string, status: string, message?: string) => ({
  type,
  status,
  ...(message ? { message } : {}),
});

const cases: [string, ReturnType<typeof object>, string][] = [
  [
    'external secret: synced',
    es('ExternalSecret', conditions(cond('Ready', 'True', 'synced'))),
    'Healthy: synced',
  ],
  [
    'external secret: failing',
    es('ExternalSecret', conditions(cond('Ready', 'False', 'no key'))),
    'Degraded: no key',
  ],
  ['external secret: no status', es('ExternalSecret'), 'Progressing: Waiting for ExternalSecret'],
  [
    'secret store: no conditions',
    es('SecretStore', { conditions: [] }),
    'Progressing: Waiting for SecretStore',
  ],
  [
    'secret store: valid',
    es('SecretStore', conditions(cond('Ready', 'True', 'valid'))),
    'Healthy: valid',
  ],
  [
    'cluster secret store: no status',
    es('ClusterSecretStore'),
    'Progressing: Waiting for ClusterSecretStore',
  ],
  [
    'push secret: pushed',
    es('PushSecret', conditions(cond('Ready', 'True', 'pushed'))),
    'Healthy: pushed',
  ],
  ['push secret: no status', es('PushSecret'), 'Progressing: Waiting for PushSecret'],
  [
    'cluster external secret: the last condition decides',
    es(
      'ClusterExternalSecret',
      conditions(cond('NotReady', 'True', 'old'), cond('Ready', 'True', 'all namespaces')),
    ),
    'Healthy: all namespaces',
  ],
  [
    'cluster external secret: partly ready',
    es('ClusterExternalSecret', conditions(cond('PartiallyReady', 'True', 'some failed'))),
    'Degraded: some failed',
  ],
  [
    'cluster external secret: not ready',
    es('ClusterExternalSecret', conditions(cond('NotReady', 'True', 'none'))),
    'Degraded: none',
  ],
  [
    'cluster external secret: anything else waits',
    es('ClusterExternalSecret', conditions(cond('Ready', 'False'))),
    'Progressing: Waiting for ClusterExternalSecret',
  ],
  [
    'cluster external secret: no status',
    es('ClusterExternalSecret'),
    'Progressing: Waiting for ClusterExternalSecret',
  ],
  [
    'cluster external secret: an empty list fails as the script does',
    es('ClusterExternalSecret', { conditions: [] }),
    "Unknown: ClusterExternalSecret health check: attempt to index a non-table object(nil) with key 'type'",
  ],
];

describe('external-secrets health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
