import { describe, expect, it } from 'vitest';
import {
  apiServiceRule,
  cniConflist,
  containerdConfig,
  iptablesUndo,
  kubeletArgs,
  kubeletConfig,
  nodeLayout,
  pickNodeNetwork,
  splitRule,
} from './real-node-config.ts';

const l = nodeLayout('/run/n1');

// The lines of `containerd config default` (containerd 1.6) that the node changes, with their
// neighbours, so a change in the wrong section shows.
const defaults = `disabled_plugins = []
root = "/var/lib/containerd"
state = "/run/containerd"

[debug]
  address = ""

[grpc]
  gid = 0
  address = "/run/containerd/containerd.sock"
  max_recv_message_size = 16777216

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    restrict_oom_score_adj = false
    sandbox_image = "registry.k8s.io/pause:3.6"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/opt/cni/bin"
      conf_dir = "/etc/cni/net.d"
          [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
            SystemdCgroup = true

[ttrpc]
  address = ""
`;

describe('containerdConfig', () => {
  const out = containerdConfig(defaults, l, 'gitward.local/pause:1');
  const line = (re: RegExp) =>
    out
      .split('\n')
      .find((x) => re.test(x))
      ?.trim();

  it.each([
    [/^root =/, 'root = "/run/n1/containerd/root"'],
    [/^state =/, 'state = "/run/n1/containerd/state"'],
    [/restrict_oom_score_adj/, 'restrict_oom_score_adj = true'],
    [/sandbox_image/, 'sandbox_image = "gitward.local/pause:1"'],
    [/SystemdCgroup/, 'SystemdCgroup = false'],
    [/bin_dir/, 'bin_dir = "/usr/lib/cni"'],
    [/conf_dir/, 'conf_dir = "/run/n1/cni/net.d"'],
  ])('sets %s', (re, want) => {
    expect(line(re)).toBe(want);
  });

  it('moves only the grpc socket; debug, metrics and ttrpc keep their empty addresses', () => {
    expect(out).toContain('[grpc]\n  gid = 0\n  address = "/run/n1/containerd.sock"\n');
    expect(out.match(/address = ""/g)).toHaveLength(3);
  });

  it('refuses defaults it does not recognise instead of half-applying them', () => {
    expect(() => containerdConfig(defaults.replace(/ +restrict_oom.*\n/, ''), l, 'p')).toThrow(
      /restrict_oom_score_adj/,
    );
  });
});

describe('pickNodeNetwork', () => {
  it.each([
    [[], [], { bridge: 'gwnode0', subnet: '10.89.0.0/24', nodeIp: '10.89.0.1' }],
    [['gwnode0'], [], { bridge: 'gwnode1', subnet: '10.89.1.0/24', nodeIp: '10.89.1.1' }],
    [[], ['10.89.0.7'], { bridge: 'gwnode1', subnet: '10.89.1.0/24', nodeIp: '10.89.1.1' }],
    [
      ['eth0'],
      ['10.0.0.2', '10.89.10.1'],
      { bridge: 'gwnode0', subnet: '10.89.0.0/24', nodeIp: '10.89.0.1' },
    ],
  ])('links %j, addresses %j -> %j', (links, addrs, want) => {
    expect(pickNodeNetwork(links, addrs)).toEqual(want);
  });
});

describe('cniConflist', () => {
  it('is a bridge of its own with host-local addresses kept in the node directory, no iptables', () => {
    const net = { bridge: 'gwnode3', subnet: '10.89.3.0/24', nodeIp: '10.89.3.1' };
    const c = JSON.parse(cniConflist(net, l)) as {
      plugins: Record<string, unknown>[];
    };
    expect(c.plugins).toEqual([
      {
        type: 'bridge',
        bridge: 'gwnode3',
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: '10.89.3.0/24', gateway: '10.89.3.1' }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: '/run/n1/cni/ipam',
        },
      },
    ]);
  });
});

describe('kubeletConfig', () => {
  const cfg = JSON.parse(
    kubeletConfig({
      layout: l,
      nodeIp: '10.89.0.1',
      port: 12345,
      caFile: '/run/c1/pki/ca.crt',
      servingCert: '/run/n1/pki/s.crt',
      servingKey: '/run/n1/pki/s.key',
    }),
  ) as Record<string, unknown>;

  it.each([
    ['cgroupDriver', 'cgroupfs'],
    ['cgroupsPerQOS', false],
    ['enforceNodeAllocatable', []],
    ['failCgroupV1', false],
    ['failSwapOn', false],
    ['localStorageCapacityIsolation', false],
    ['containerRuntimeEndpoint', 'unix:///run/n1/containerd.sock'],
    ['address', '10.89.0.1'],
    ['port', 12345],
    ['readOnlyPort', 0],
    ['authorization', { mode: 'Webhook' }],
    [
      'authentication',
      {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: '/run/c1/pki/ca.crt' },
      },
    ],
    ['registerWithTaints', [{ key: 'gitward.dev/real-node', value: 'true', effect: 'NoSchedule' }]],
  ])('%s = %j', (key, want) => {
    expect(cfg[key]).toEqual(want);
  });

  it('runs kubelet with its own root dir, a non-loopback node IP and the real-node label', () => {
    expect(kubeletArgs('n1', '10.89.0.1', l)).toEqual([
      '--config=/run/n1/kubelet.json',
      '--kubeconfig=/run/n1/kubelet.kubeconfig',
      '--root-dir=/run/n1/kubelet',
      '--cert-dir=/run/n1/pki',
      '--hostname-override=n1',
      '--node-ip=10.89.0.1',
      '--node-labels=gitward.dev/node=real',
    ]);
  });
});

describe('apiServiceRule', () => {
  it('sends only this bridge’s traffic for the kubernetes Service to the relay', () => {
    const net = { bridge: 'gwnode0', subnet: '10.89.0.0/24', nodeIp: '10.89.0.1' };
    expect(apiServiceRule(net, 4000).join(' ')).toBe(
      'PREROUTING -i gwnode0 -d 10.96.0.1/32 -p tcp --dport 443 -j DNAT --to-destination 10.89.0.1:4000',
    );
  });
});

describe('iptablesUndo', () => {
  const firewall =
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -j DROP';
  const base = ['-P INPUT ACCEPT', '-P OUTPUT ACCEPT'];
  it.each([
    ['nothing added', base, base, []],
    [
      'kubelet chains and the rules that jump to them',
      base,
      [
        ...base,
        '-N KUBE-FIREWALL',
        '-N KUBE-KUBELET-CANARY',
        '-A INPUT -j KUBE-FIREWALL',
        firewall,
      ],
      [
        ['-t', 'filter', '-D', 'INPUT', '-j', 'KUBE-FIREWALL'],
        ['-t', 'filter', '-D', ...splitRule(firewall.slice(3))],
        ['-t', 'filter', '-F', 'KUBE-FIREWALL'],
        ['-t', 'filter', '-F', 'KUBE-KUBELET-CANARY'],
        ['-t', 'filter', '-X', 'KUBE-FIREWALL'],
        ['-t', 'filter', '-X', 'KUBE-KUBELET-CANARY'],
      ],
    ],
    [
      'chains another node made earlier stay',
      [...base, '-N KUBE-FIREWALL', '-A INPUT -j KUBE-FIREWALL'],
      [...base, '-N KUBE-FIREWALL', '-A INPUT -j KUBE-FIREWALL'],
      [],
    ],
    [
      'a rule someone else added meanwhile stays',
      base,
      [...base, '-A INPUT -s 10.1.1.1/32 -j ACCEPT'],
      [],
    ],
  ])('%s', (_what, before, after, want) => {
    expect(
      iptablesUndo({ table: 'filter', rules: before }, { table: 'filter', rules: after }),
    ).toEqual(want);
  });

  it('keeps a quoted comment one argument', () => {
    expect(splitRule('INPUT -m comment --comment "a b" -j DROP')).toEqual([
      'INPUT',
      '-m',
      'comment',
      '--comment',
      'a b',
      '-j',
      'DROP',
    ]);
  });
});
