import { join } from 'node:path';
import type { Binaries } from './binaries.ts';
import type { Pki } from './pki.ts';

/** Loopback ports of one cluster. Chosen free at start, so clusters run side by side. */
export interface Ports {
  readonly etcdClient: number;
  readonly etcdPeer: number;
  readonly apiServer: number;
}

export interface ClusterLayout {
  readonly dir: string;
  readonly ports: Ports;
  readonly pki: Pki;
  readonly kubeconfig: string;
  readonly bin: Binaries;
}

export const componentNames = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kwok',
] as const;
export type ComponentName = (typeof componentNames)[number];

export interface ComponentSpec {
  readonly name: ComponentName;
  readonly file: string;
  readonly args: readonly string[];
}

export const serviceClusterIpRange = '10.96.0.0/16';
export const fakeNodeName = 'kwok-node-0';
/** The annotation that marks a node as kwok's to fake (kwok's own convention). */
export const fakeNodeAnnotation = 'kwok.x-k8s.io/node';

/** The command line of every component, in start order. Pure, so it is unit-tested. */
export function componentSpecs(l: ClusterLayout): ComponentSpec[] {
  const etcdUrl = `http://127.0.0.1:${l.ports.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${l.ports.etcdPeer}`;
  // kube-controller-manager and kube-scheduler serve nothing we use: --secure-port=0 keeps them
  // off the network entirely, so a second cluster cannot collide with their default ports.
  const controlLoopArgs = [
    `--kubeconfig=${l.kubeconfig}`,
    `--authentication-kubeconfig=${l.kubeconfig}`,
    `--authorization-kubeconfig=${l.kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--secure-port=0',
  ];
  return [
    {
      name: 'etcd',
      file: l.bin.path.etcd,
      args: [
        '--name=default',
        `--data-dir=${join(l.dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=default=${peerUrl}`,
        // A throwaway cluster: durability is not worth an fsync per write.
        '--unsafe-no-fsync',
        '--log-level=warn',
      ],
    },
    {
      name: 'kube-apiserver',
      file: l.bin.path['kube-apiserver'],
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        // Without it the apiserver looks for a default route and fails on isolated machines.
        '--advertise-address=127.0.0.1',
        `--secure-port=${l.ports.apiServer}`,
        `--cert-dir=${join(l.dir, 'pki')}`,
        `--tls-cert-file=${l.pki.apiServerCert}`,
        `--tls-private-key-file=${l.pki.apiServerKey}`,
        `--client-ca-file=${l.pki.caCert}`,
        // Node: a real node's kubelet (real-node.ts) gets what its own pods need and no more.
        '--authorization-mode=Node,RBAC',
        '--enable-admission-plugins=NodeRestriction',
        // kubectl logs/exec reach a real kubelet, which authenticates the apiserver by this
        // certificate and asks back (webhook) whether it may; the kubelet's Hostname is not in DNS.
        `--kubelet-client-certificate=${l.pki.adminCert}`,
        `--kubelet-client-key=${l.pki.adminKey}`,
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${l.pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${l.pki.serviceAccountKey}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--allow-privileged=true',
        // The kubernetes Service would point at 127.0.0.1, which endpoints reject as loopback.
        '--endpoint-reconciler-type=none',
        '--profiling=false',
      ],
    },
    {
      name: 'kube-controller-manager',
      file: l.bin.path['kube-controller-manager'],
      args: [
        ...controlLoopArgs,
        '--controllers=*',
        `--service-account-private-key-file=${l.pki.serviceAccountKey}`,
        `--root-ca-file=${l.pki.caCert}`,
        `--cluster-signing-cert-file=${l.pki.caCert}`,
        `--cluster-signing-key-file=${l.pki.caKey}`,
        `--service-cluster-ip-range=${serviceClusterIpRange}`,
        '--cluster-name=gitward-local',
        '--kube-api-qps=200',
        '--kube-api-burst=400',
      ],
    },
    {
      name: 'kube-scheduler',
      file: l.bin.path['kube-scheduler'],
      args: controlLoopArgs,
    },
    {
      name: 'kwok',
      file: l.bin.path.kwok,
      args: [
        `--kubeconfig=${l.kubeconfig}`,
        `--config=${l.bin.kwokStages}`,
        // Only the fake node: a real node (real-node.ts) joins the same cluster and is its
        // kubelet's alone; kwok managing it too would fake its pods' status.
        `--manage-nodes-with-annotation-selector=${fakeNodeAnnotation}=fake`,
        '--cidr=10.244.0.0/16',
        '--node-ip=10.0.0.1',
        '--node-lease-duration-seconds=40',
      ],
    },
  ];
}

/** The fake Node kwok keeps Ready. No taint, so ordinary pods schedule onto it. */
export function fakeNode(): Record<string, unknown> {
  // Room for the benchmarks' thousands of one-replica Deployments: the node is fake, so its
  // capacity only has to never be the limit.
  const capacity = { cpu: '1000', memory: '4Ti', pods: '20000' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: fakeNodeName,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', [fakeNodeAnnotation]: 'fake' },
      labels: {
        'kubernetes.io/hostname': fakeNodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        type: 'kwok',
      },
    },
    status: { allocatable: capacity, capacity },
  };
}

/**
 * A kubeconfig (JSON is valid YAML) with everything embedded, so it can be copied: the admin's by
 * default, or another user's (a real node's kubelet) named by `user`.
 */
export function kubeconfigFor(
  name: string,
  server: string,
  pem: { ca: string; cert: string; key: string },
  user = 'admin',
): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const ctx = `gitward-${name}`;
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: ctx, cluster: { server, 'certificate-authority-data': b64(pem.ca) } }],
      users: [
        {
          name: `${ctx}-${user}`,
          user: { 'client-certificate-data': b64(pem.cert), 'client-key-data': b64(pem.key) },
        },
      ],
      contexts: [{ name: ctx, context: { cluster: ctx, user: `${ctx}-${user}` } }],
      'current-context': ctx,
    },
    null,
    2,
  )}\n`;
}
