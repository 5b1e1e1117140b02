import { describe, expect, it } from 'vitest';
import { binariesIn } from './binaries.ts';
import { componentNames, componentSpecs, fakeNode, kubeconfigFor } from './components.ts';
import { pkiFiles } from './pki.ts';

const layout = {
  dir: '/run/c1',
  ports: { etcdClient: 20001, etcdPeer: 20002, apiServer: 20003 },
  pki: pkiFiles('/run/c1/pki'),
  kubeconfig: '/run/c1/kubeconfig',
  bin: binariesIn('/cache/bin/set'),
};

describe('componentSpecs', () => {
  const specs = componentSpecs(layout);
  const args = (name: string) => specs.find((s) => s.name === name)?.args ?? [];

  it('starts components in dependency order', () => {
    expect(specs.map((s) => s.name)).toEqual([...componentNames]);
  });

  it('binds only loopback ports chosen for this cluster', () => {
    expect(args('etcd')).toContain('--listen-client-urls=http://127.0.0.1:20001');
    expect(args('etcd')).toContain('--listen-peer-urls=http://127.0.0.1:20002');
    expect(args('kube-apiserver')).toEqual(
      expect.arrayContaining([
        '--secure-port=20003',
        '--bind-address=127.0.0.1',
        '--etcd-servers=http://127.0.0.1:20001',
      ]),
    );
    // Fixed default ports would collide when two clusters run side by side.
    expect(args('kube-controller-manager')).toContain('--secure-port=0');
    expect(args('kube-scheduler')).toContain('--secure-port=0');
  });

  it('turns on RBAC and TLS with client certificates', () => {
    expect(args('kube-apiserver')).toEqual(
      expect.arrayContaining([
        // Node: a real node's kubelet gets exactly what its pods need.
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        '--client-ca-file=/run/c1/pki/ca.crt',
        '--tls-cert-file=/run/c1/pki/apiserver.crt',
      ]),
    );
  });

  it('reaches a real kubelet with the admin certificate, at its InternalIP', () => {
    expect(args('kube-apiserver')).toEqual(
      expect.arrayContaining([
        '--kubelet-client-certificate=/run/c1/pki/admin.crt',
        '--kubelet-client-key=/run/c1/pki/admin.key',
        '--kubelet-preferred-address-types=InternalIP,Hostname',
      ]),
    );
  });

  it('lets kwok manage only the fake node, never a real one', () => {
    expect(args('kwok')).toContain(
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    );
    expect(args('kwok')).not.toContain('--manage-all-nodes=true');
    expect(fakeNode()).toMatchObject({
      metadata: { annotations: { 'kwok.x-k8s.io/node': 'fake' } },
    });
  });

  it('points every client component at the admin kubeconfig', () => {
    for (const n of ['kube-controller-manager', 'kube-scheduler', 'kwok']) {
      expect(args(n)).toContain('--kubeconfig=/run/c1/kubeconfig');
    }
  });
});

describe('kubeconfigFor', () => {
  it('embeds credentials and selects its own context', () => {
    const cfg = JSON.parse(
      kubeconfigFor('dev', 'https://127.0.0.1:1', { ca: 'CA', cert: 'CERT', key: 'KEY' }),
    ) as {
      'current-context': string;
      clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
      users: { user: { 'client-key-data': string } }[];
    };
    expect(cfg['current-context']).toBe('gitward-dev');
    expect(cfg.clusters[0]?.cluster.server).toBe('https://127.0.0.1:1');
    expect(
      Buffer.from(
        cfg.clusters[0]?.cluster['certificate-authority-data'] ?? '',
        'base64',
      ).toString(),
    ).toBe('CA');
    expect(Buffer.from(cfg.users[0]?.user['client-key-data'] ?? '', 'base64').toString()).toBe(
      'KEY',
    );
  });
});
