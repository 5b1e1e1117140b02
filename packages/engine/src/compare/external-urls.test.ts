import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { externalUrlsOf } from './external-urls.ts';

const ingress: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web' },
  spec: {
    tls: [{ hosts: ['secure.example.com'] }],
    rules: [
      { host: 'secure.example.com', http: { paths: [{ path: '/' }] } },
      { host: 'plain.example.com', http: { paths: [{ path: '/api' }] } },
    ],
  },
};
const lb: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'lb' },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: { ingress: [{ ip: '10.1.2.3' }] } },
};
const linked: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'c',
    annotations: { 'link.argocd.argoproj.io/docs': 'https://docs.example.com' },
  },
};

describe('externalUrlsOf', () => {
  it('collects Ingress hosts, LoadBalancer addresses and link annotations', () => {
    expect(externalUrlsOf([ingress, lb, linked])).toEqual([
      'http://10.1.2.3',
      'http://plain.example.com/api',
      'https://docs.example.com',
      'https://secure.example.com',
    ]);
  });
  it('ignores ClusterIP Services', () => {
    expect(externalUrlsOf([{ ...lb, spec: { type: 'ClusterIP' } }])).toEqual([]);
  });
});
