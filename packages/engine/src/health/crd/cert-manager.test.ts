import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const cm = (kind: string, status?: Record<string, unknown>) =>
  object('cert-manager.io/v1', kind, status ? { status } : {});
const ready = (status: string, message?: string, reason?: string) => ({
  type: 'Ready',
  status,
  ...(message ? { message } : {}),
  ...(reason ? { reason } : {}),
});

const cases: [string, ReturnType<typeof object>, string][] = [
  ['certificate: no status', cm('Certificate'), 'Progressing: Waiting for certificate'],
  [
    'certificate: issuing wins over Ready, wherever it is',
    cm(
      'Certificate',
      conditions(ready('True', 'valid'), { type: 'Issuing', status: 'True', message: 'renewing' }),
    ),
    'Progressing: renewing',
  ],
  ['certificate: ready', cm('Certificate', conditions(ready('True', 'valid'))), 'Healthy: valid'],
  [
    'certificate: not ready',
    cm('Certificate', conditions(ready('False', 'no secret'))),
    'Degraded: no secret',
  ],
  [
    'certificate: Ready Unknown waits',
    cm('Certificate', conditions('Ready=Unknown')),
    'Progressing: Waiting for certificate',
  ],
  [
    'certificate: conditions as a map count as none',
    cm('Certificate', { conditions: { Ready: 'True' } }),
    'Progressing: Waiting for certificate',
  ],
  ['issuer: no status', cm('Issuer'), 'Progressing: Initializing issuer'],
  [
    'issuer: registered',
    cm('Issuer', conditions(ready('True', 'registered'))),
    'Healthy: registered',
  ],
  ['issuer: a Ready without a message', cm('Issuer', conditions('Ready=False')), 'Degraded'],
  ['cluster issuer: no status', cm('ClusterIssuer', {}), 'Progressing: Initializing ClusterIssuer'],
  [
    'cluster issuer: failed',
    cm('ClusterIssuer', conditions(ready('False', 'acme down'))),
    'Degraded: acme down',
  ],
  [
    'request: denied',
    cm(
      'CertificateRequest',
      conditions(ready('False', 'x', 'Pending'), {
        type: 'Denied',
        status: 'True',
        message: 'denied',
      }),
    ),
    'Degraded: denied',
  ],
  [
    'request: invalid',
    cm(
      'CertificateRequest',
      conditions({ type: 'InvalidRequest', status: 'True', message: 'bad csr' }),
    ),
    'Degraded: bad csr',
  ],
  [
    'request: pending',
    cm('CertificateRequest', conditions(ready('False', 'waiting', 'Pending'))),
    'Progressing: waiting',
  ],
  [
    'request: failed',
    cm('CertificateRequest', conditions(ready('False', 'failed', 'Failed'))),
    'Degraded: failed',
  ],
  [
    'request: issued',
    cm('CertificateRequest', conditions(ready('True', 'issued'))),
    'Healthy: issued',
  ],
  ['request: no status', cm('CertificateRequest'), 'Progressing: Waiting for certificate request'],
  [
    'a condition that is a number fails as the script does',
    cm('Issuer', { conditions: [7] }),
    "Unknown: Issuer health check: attempt to index a non-table object(number) with key 'type'",
  ],
];

describe('cert-manager health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
