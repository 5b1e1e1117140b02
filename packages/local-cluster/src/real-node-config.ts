import { join } from 'node:path';

/**
 * The pure parts of a real local node (real-node.ts runs it): the files containerd, the CNI
 * plugins and kubelet read, the node's network, and the iptables rules to undo on the way down.
 * What each setting works around on this kind of machine is in docs/local-cluster.md, "A real
 * node".
 */

/** Every real node carries this taint, so pods kwok fakes elsewhere never land on it. */
export const realNodeTaint = {
  key: 'gitward.dev/real-node',
  value: 'true',
  effect: 'NoSchedule',
} as const;

/** The label that pods meant for a real node select (`nodeSelector`). */
export const realNodeLabel = { key: 'gitward.dev/node', value: 'real' } as const;

/** The toleration a pod needs to run on a real node. */
export const realNodeToleration = {
  key: realNodeTaint.key,
  operator: 'Equal',
  value: realNodeTaint.value,
  effect: realNodeTaint.effect,
} as const;

/** The sandbox ("pause") image a real node builds from tools/pause and imports itself. */
export const pauseImageRef = 'gitward.local/pause:1';

/** ClusterIP of the `kubernetes` Service (first address of the service range). */
export const kubernetesServiceIp = '10.96.0.1';

/** The node's own network: a bridge of its own with the node IP as the pods' gateway. */
export interface NodeNetwork {
  readonly bridge: string;
  /** e.g. 10.89.0.0/24 */
  readonly subnet: string;
  /** The bridge's address: the node IP the kubelet serves on (not loopback). */
  readonly nodeIp: string;
}

/**
 * Picks the first network 10.89.<n>.0/24 (bridge gwnode<n>) that neither an existing link nor an
 * existing address uses, so two real nodes, or a node beside other bridges, never collide.
 */
export function pickNodeNetwork(
  links: readonly string[],
  addresses: readonly string[],
): NodeNetwork {
  for (let n = 0; n < 256; n++) {
    const bridge = `gwnode${n}`;
    const prefix = `10.89.${n}.`;
    if (links.includes(bridge) || addresses.some((a) => a.startsWith(prefix))) continue;
    return { bridge, subnet: `${prefix}0/24`, nodeIp: `${prefix}1` };
  }
  throw new Error('no free 10.89.<n>.0/24 network for a real node');
}

/** Files and sockets of one node, all under its directory. */
export interface NodeLayout {
  readonly dir: string;
  readonly containerdConfig: string;
  readonly containerdSocket: string;
  readonly containerdRoot: string;
  readonly containerdState: string;
  readonly cniConfDir: string;
  readonly cniDataDir: string;
  readonly kubeletConfig: string;
  readonly kubeletKubeconfig: string;
  readonly kubeletRoot: string;
  readonly pkiDir: string;
  readonly logsDir: string;
}

export function nodeLayout(dir: string): NodeLayout {
  return {
    dir,
    containerdConfig: join(dir, 'containerd.toml'),
    containerdSocket: join(dir, 'containerd.sock'),
    containerdRoot: join(dir, 'containerd', 'root'),
    containerdState: join(dir, 'containerd', 'state'),
    cniConfDir: join(dir, 'cni', 'net.d'),
    cniDataDir: join(dir, 'cni', 'ipam'),
    kubeletConfig: join(dir, 'kubelet.json'),
    kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
    kubeletRoot: join(dir, 'kubelet'),
    pkiDir: join(dir, 'pki'),
    logsDir: join(dir, 'logs'),
  };
}

/** Where the Debian package containernetworking-plugins puts the plugins. */
export const cniBinDir = '/usr/lib/cni';

/**
 * containerd's configuration: the output of `containerd config default` with only what this node
 * needs changed. Each key must be found exactly where expected; a containerd whose defaults look
 * different fails here, by name, rather than running with a half-applied config.
 */
export function containerdConfig(defaults: string, l: NodeLayout, sandboxImage: string): string {
  const q = (s: string) => JSON.stringify(s);
  const edits: readonly (readonly [RegExp, string])[] = [
    [/^root = .*$/m, `root = ${q(l.containerdRoot)}`],
    [/^state = .*$/m, `state = ${q(l.containerdState)}`],
    // The first `address` under [grpc]; [debug], [metrics] and [ttrpc] keep theirs (empty).
    [/^(\[grpc\]\n(?: {2}.*\n)*? {2})address = .*$/m, `$1address = ${q(l.containerdSocket)}`],
    // This kind of machine forbids lowering oom_score_adj; without it every sandbox fails with
    // runc's "can't get final child's PID from pipe: EOF".
    [/^( +)restrict_oom_score_adj = .*$/m, '$1restrict_oom_score_adj = true'],
    [/^( +)sandbox_image = .*$/m, `$1sandbox_image = ${q(sandboxImage)}`],
    [/^( +)SystemdCgroup = .*$/m, '$1SystemdCgroup = false'],
    [/^( +)bin_dir = .*$/m, `$1bin_dir = ${q(cniBinDir)}`],
    [/^( +)conf_dir = .*$/m, `$1conf_dir = ${q(l.cniConfDir)}`],
  ];
  let out = defaults;
  for (const [re, replacement] of edits) {
    if (!re.test(out)) throw new Error(`containerd config default: no line matching ${re}`);
    out = out.replace(re, replacement);
  }
  return out;
}

/**
 * The CNI network: a bridge of its own with host-local addresses from its subnet. No ipMasq and no
 * portmap, so the plugins add no iptables rules that would have to be removed.
 */
export function cniConflist(net: NodeNetwork, l: NodeLayout): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: `gitward-${net.bridge}`,
      plugins: [
        {
          type: 'bridge',
          bridge: net.bridge,
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: net.subnet, gateway: net.nodeIp }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: l.cniDataDir,
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletSettings {
  readonly layout: NodeLayout;
  readonly nodeIp: string;
  readonly port: number;
  readonly caFile: string;
  readonly servingCert: string;
  readonly servingKey: string;
}

/**
 * The KubeletConfiguration (JSON, which kubelet reads as YAML). cgroupfs without per-QoS cgroups
 * and node-allocatable enforcement, because this machine has cgroup v1 with a v2 hierarchy beside
 * it; no swap or local-storage checks; no eviction or image GC thresholds (a shared dev disk is
 * not the node's to police). The apiserver reaches it with the cluster's admin certificate
 * (client CA = the cluster CA) and it asks the apiserver back whether that caller may.
 */
export function kubeletConfig(s: KubeletSettings): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: s.nodeIp,
      port: s.port,
      healthzPort: 0,
      readOnlyPort: 0,
      cgroupDriver: 'cgroupfs',
      cgroupsPerQOS: false,
      enforceNodeAllocatable: [],
      failCgroupV1: false,
      failSwapOn: false,
      localStorageCapacityIsolation: false,
      containerRuntimeEndpoint: `unix://${s.layout.containerdSocket}`,
      tlsCertFile: s.servingCert,
      tlsPrivateKeyFile: s.servingKey,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: s.caFile },
      },
      authorization: { mode: 'Webhook' },
      registerWithTaints: [realNodeTaint],
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      evictionHard: {
        'memory.available': '0%',
        'nodefs.available': '0%',
        'imagefs.available': '0%',
      },
    },
    null,
    2,
  )}\n`;
}

/** kubelet's command line besides its config file. */
export function kubeletArgs(name: string, nodeIp: string, l: NodeLayout): string[] {
  return [
    `--config=${l.kubeletConfig}`,
    `--kubeconfig=${l.kubeletKubeconfig}`,
    `--root-dir=${l.kubeletRoot}`,
    `--cert-dir=${l.pkiDir}`,
    `--hostname-override=${name}`,
    // Loopback is refused, and without a reachable address `kubectl logs`/`exec` fail.
    `--node-ip=${nodeIp}`,
    `--node-labels=${realNodeLabel.key}=${realNodeLabel.value}`,
  ];
}

/**
 * Pods reach the apiserver as in a real cluster, at the `kubernetes` Service's ClusterIP. There
 * is no kube-proxy: one DNAT rule, for traffic coming from this node's bridge only, sends it to a
 * forwarder on the node IP that relays to the apiserver on loopback. Arguments after
 * `iptables -t nat -A|-D`.
 */
export function apiServiceRule(net: NodeNetwork, forwardPort: number): string[] {
  return [
    'PREROUTING',
    '-i',
    net.bridge,
    '-d',
    `${kubernetesServiceIp}/32`,
    '-p',
    'tcp',
    '--dport',
    '443',
    '-j',
    'DNAT',
    '--to-destination',
    `${net.nodeIp}:${forwardPort}`,
  ];
}

/** One table's rules as `iptables -S` prints them. */
export interface IptablesTable {
  readonly table: string;
  readonly rules: readonly string[];
}

/**
 * The commands (arguments after `iptables -t <table>`) that undo what kubelet added to a table
 * since `before`: its rules deleted, then its chains flushed and removed. kubelet makes chains
 * like KUBE-FIREWALL and KUBE-KUBELET-CANARY on every start and never removes them; a chain that
 * was there before (another node's kubelet) is left alone.
 */
export function iptablesUndo(before: IptablesTable, after: IptablesTable): string[][] {
  const had = new Set(before.rules);
  const added = after.rules.filter((r) => !had.has(r));
  const chains = added.filter((r) => r.startsWith('-N ')).map((r) => r.slice(3).trim());
  const ours = (rule: string) => chains.some((c) => rule.split(/\s+/).includes(c));
  const t = ['-t', after.table];
  const out: string[][] = [];
  for (const r of added) {
    if (!r.startsWith('-A ') || !ours(r)) continue;
    out.push([...t, '-D', ...splitRule(r.slice(3))]);
  }
  for (const c of chains) out.push([...t, '-F', c]);
  for (const c of chains) out.push([...t, '-X', c]);
  return out;
}

/** Splits an `iptables -S` rule into arguments; quoted comments stay one argument. */
export function splitRule(rule: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of rule.matchAll(re))
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  return out;
}
