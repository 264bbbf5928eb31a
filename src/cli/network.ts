// The node network flags shared by `tutti server` and `tutti agent`, and the wiring of the service proxy
// and the cluster DNS beside a node agent (src/network; the agent itself does not import it).
import type { RunningAgent } from '../agent/agent.js';
import { readAgentRecord, writeAgentRecord } from '../agent/host/agent-record.js';
import type { PodDnsSettings } from '../agent/pods/pod-manager.js';
import { parseCidr } from '../core/cidr.js';
import { defaultClusterDns, type NodeNetwork, startNodeNetwork } from '../network/node.js';
import { type FlagSpec, type ParsedArgs, UsageError, boolFlag, stringFlag } from './flags.js';

export const NETWORK_FLAGS: FlagSpec = {
  'disable-service-proxy': 'boolean',
  'disable-dns': 'boolean',
  disable: 'string',
  'cluster-dns': 'string',
  'cluster-domain': 'string',
  'service-node-port-range': 'string',
  'resolv-conf': 'string',
};

const HELP_LINES: [string, string][] = [
  ['--cluster-dns IP', 'cluster DNS address: the kube-dns Service (default the 10th address of the service CIDR)'],
  ['--cluster-domain DOMAIN', 'cluster domain (default cluster.local)'],
  ['--service-node-port-range A-B', 'NodePort range (default 30000-32767)'],
  [
    '--resolv-conf FILE',
    "the node's resolvers: the cluster DNS's upstreams, dnsPolicy Default (default /etc/resolv.conf)",
  ],
  ['--disable-service-proxy', 'do not run the service proxy (nftables table ip tutti-proxy) on this node'],
  ['--disable-dns', 'do not run the cluster DNS on this node'],
  ['--disable LIST', "comma-separated: service-proxy, dns, servicelb (k3s's kube-proxy and coredns work too)"],
];

/** The help lines of the network flags, their descriptions starting at `column`. */
export function networkHelp(column: number): string {
  return HELP_LINES.map(
    ([flag, what]) => `  ${flag.length < column - 3 ? flag.padEnd(column - 3) : `${flag} `} ${what}\n`,
  ).join('');
}

export interface NetworkConfig {
  serviceCidr: string;
  clusterCidr: string;
  /** The kube-dns Service's address. */
  clusterDns: string;
  /** What pods are told (kubelet's --cluster-dns): empty when nothing on this node routes clusterDns. */
  podClusterDns: string[];
  clusterDomain: string;
  nodePortRange: [number, number];
  resolvConf?: string;
  disableProxy: boolean;
  disableDns: boolean;
  /** `--disable=servicelb` (the server's controller manager leaves the service load balancer out). */
  disableServicelb: boolean;
}

const DISABLE_NAMES: Record<string, 'proxy' | 'dns' | 'servicelb'> = {
  'service-proxy': 'proxy',
  'kube-proxy': 'proxy',
  dns: 'dns',
  coredns: 'dns',
  servicelb: 'servicelb',
};

export function parseNodePortRange(text: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(text.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) {
    throw new UsageError(`flag --service-node-port-range must be FROM-TO within 1-65535, got ${JSON.stringify(text)}`);
  }
  return [lo, hi];
}

/** Reads the network flags (the service and cluster CIDR flags are the command's own). */
export function networkConfig(args: ParsedArgs, serviceCidr: string, clusterCidr: string): NetworkConfig {
  for (const [flag, cidr] of [
    ['service-cidr', serviceCidr],
    ['cluster-cidr', clusterCidr],
  ]) {
    try {
      parseCidr(cidr);
    } catch {
      throw new UsageError(`flag --${flag} must be an IPv4 CIDR, got ${JSON.stringify(cidr)}`);
    }
  }
  const disabled = new Set<string>();
  for (const name of (stringFlag(args, 'disable') ?? '').split(',').map((s) => s.trim())) {
    if (!name) continue;
    const what = DISABLE_NAMES[name];
    if (!what)
      throw new UsageError(`flag --disable: unknown component ${JSON.stringify(name)} (service-proxy, dns, servicelb)`);
    disabled.add(what);
  }
  const disableProxy = boolFlag(args, 'disable-service-proxy') || disabled.has('proxy');
  const explicitDns = stringFlag(args, 'cluster-dns');
  const clusterDns = explicitDns || defaultClusterDns(serviceCidr);
  // Without a service proxy on the node (and no --cluster-dns naming one) nothing catches the cluster DNS
  // address: pods then use the node's resolver (upstream's MissingClusterDNS fallback), rather than send
  // their queries to an address that would leave the node by its default route. `--cluster-dns=` means none.
  const podClusterDns = explicitDns === '' || (disableProxy && explicitDns === undefined) ? [] : [clusterDns];
  return {
    serviceCidr,
    clusterCidr,
    clusterDns,
    podClusterDns,
    clusterDomain: stringFlag(args, 'cluster-domain', 'cluster.local'),
    nodePortRange: parseNodePortRange(stringFlag(args, 'service-node-port-range', '30000-32767')),
    resolvConf: stringFlag(args, 'resolv-conf'),
    disableProxy,
    disableDns: boolFlag(args, 'disable-dns') || disabled.has('dns'),
    disableServicelb: disabled.has('servicelb'),
  };
}

/** What the agent writes into its pods' resolv.conf. */
export function podDnsSettings(c: NetworkConfig): PodDnsSettings {
  return { clusterDns: c.podClusterDns, clusterDomain: c.clusterDomain, resolvConf: c.resolvConf };
}

/** The proxy's table, recorded in the agent's agent.json so that `tutti killall` deletes it after a crash. */
export const PROXY_NFT_TABLE = 'ip tutti-proxy';

function recordProxyTable(agentDataDir: string): void {
  const record = readAgentRecord(agentDataDir);
  if (!record || record.nftTables?.includes(PROXY_NFT_TABLE)) return;
  writeAgentRecord(agentDataDir, { ...record, nftTables: [...(record.nftTables ?? []), PROXY_NFT_TABLE] });
}

/**
 * Starts the service proxy and the cluster DNS beside a running agent, with the agent's API client;
 * `agentDataDir` (the agent's data dir) learns of the proxy's table for killall.
 */
export async function startAgentNetwork(
  agent: RunningAgent,
  c: NetworkConfig,
  agentDataDir?: string,
): Promise<NodeNetwork> {
  const root = process.getuid?.() === 0;
  if (!root && !(c.disableProxy && c.disableDns)) {
    // nftables, the service route and port 53 need root: a rootless node runs its pods without Services.
    console.error(
      JSON.stringify({ level: 'warn', component: 'network', msg: 'not root: no service proxy and no cluster DNS' }),
    );
  }
  if (root && !c.disableProxy && agentDataDir) recordProxyTable(agentDataDir);
  return startNodeNetwork({
    client: agent.client,
    nodeName: agent.nodeName,
    nodeIP: agent.nodeIP,
    clusterCidr: c.clusterCidr,
    serviceCidr: c.serviceCidr,
    clusterDns: c.clusterDns,
    clusterDomain: c.clusterDomain,
    nodePortRange: c.nodePortRange,
    resolvConf: c.resolvConf,
    disableProxy: c.disableProxy || !root,
    disableDns: c.disableDns || !root,
  });
}
