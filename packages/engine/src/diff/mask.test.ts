import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { maskSecrets } from './mask.ts';

const secret = (data: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', ...extra },
  data,
});

describe('maskSecrets', () => {
  it('gives equal values equal runs and different values different lengths, across both sides', () => {
    const [t, l] = maskSecrets(
      secret({ a: 'MQ==', b: 'Mg==', c: 'Mw==' }),
      secret({ a: 'MQ==', b: 'OQ==' }),
    );
    expect(t?.['data']).toEqual({ a: '++++++++', b: '++++++++', c: '++++++++' });
    expect(l?.['data']).toEqual({ a: '++++++++', b: '++++++++++++' });
  });

  it('masks the last-applied copy with the same runs and folds its stringData', () => {
    const lastApplied = JSON.stringify({ kind: 'Secret', stringData: { a: 'old' } });
    const live = secret(
      { a: 'b2xk' },
      {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
          other: 'x',
        },
      },
    );
    const [, l] = maskSecrets(secret({ a: 'bmV3' }), live);
    const copy = JSON.parse(
      l?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'] ?? '',
    ) as unknown;
    expect(copy).toEqual({ kind: 'Secret', data: { a: '++++++++++++' } });
    expect(l?.['data']).toEqual({ a: '++++++++++++' });
    expect(l?.metadata.annotations?.['other']).toBe('x');
  });

  it('hides a last-applied copy it cannot parse, masks sensitive annotations, leaves inputs alone', () => {
    const live = secret(
      {},
      {
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{not json',
          token: 't',
        },
      },
    );
    const [, l] = maskSecrets(undefined, live, ['token']);
    expect(l?.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': '++++++++',
      token: '++++++++',
    });
    expect(live.metadata.annotations?.['token']).toBe('t');
  });

  it('passes other kinds through', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: {}, data: { a: 'b' } };
    expect(maskSecrets(cm, undefined)).toEqual([cm, undefined]);
  });
});
