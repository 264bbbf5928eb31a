// The node network flags shared by `tutti server` and `tutti agent`, and the wiring of the service proxy
// and the cluster DNS beside a node agent (src/network; the agent itself does not import it).
import type { RunningAgent } from '../agent/agent.js';
import { readAgentRecord, writeAgentRecord } from '../agent/host/agent-record.js';
import type { PodDnsSettings } from '../agent/pods/pod-manager.js';
import { parseCidr } from '../core/cidr.js';
import type { CertificatePem } from '../network/ingress/index.js';
import { defaultClusterDns, type NodeNetwork, startNodeNetwork } from '../network/node.js';
import { createCertificateAuthority, createServingCertificate } from '../pki/certificates.js';
import { type FlagSpec, type ParsedArgs, UsageError, boolFlag, numberFlag, stringFlag } from './flags.js';

export const NETWORK_FLAGS: FlagSpec = {
  'disable-service-proxy': 'boolean',
  'disable-dns': 'boolean',
  disable: 'string',
  'cluster-dns': 'string',
  'cluster-domain': 'string',
  'service-node-port-range': 'string',
  'resolv-conf': 'string',
  'ingress-http-port': 'number',
  'ingress-https-port': 'number',
};

const HELP_LINES: [string, string][] = [
  ['--cluster-dns IP', 'cluster DNS address: the kube-dns Service (default the 10th address of the service CIDR)'],
  ['--cluster-domain DOMAIN', 'cluster domain (default cluster.local)'],
  ['--service-node-port-range A-B', 'NodePort range (default 30000-32767)'],
  [
    '--resolv-conf FILE',
    "the node's resolvers: the cluster DNS's upstreams, dnsPolicy Default (default /etc/resolv.conf)",
  ],
  ['--ingress-http-port N', "the ingress controller's HTTP port on the node address (default 80)"],
  ['--ingress-https-port N', "the ingress controller's HTTPS port on the node address (default 443)"],
  ['--disable-service-proxy', 'do not run the service proxy (nftables table ip tutti-proxy) on this node'],
  ['--disable-dns', 'do not run the cluster DNS on this node'],
  [
    '--disable LIST',
    "comma-separated: service-proxy, dns, servicelb, ingress (k3s's kube-proxy, coredns, traefik too)",
  ],
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
  /** `--disable=ingress`: no ingress listeners on the node, no IngressClass nor status writer on the server. */
  disableIngress: boolean;
  ingressHttpPort: number;
  ingressHttpsPort: number;
}

const DISABLE_NAMES: Record<string, 'proxy' | 'dns' | 'servicelb' | 'ingress'> = {
  'service-proxy': 'proxy',
  'kube-proxy': 'proxy',
  dns: 'dns',
  coredns: 'dns',
  servicelb: 'servicelb',
  ingress: 'ingress',
  traefik: 'ingress',
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

function portFlag(args: ParsedArgs, name: string, def: number): number {
  const v = numberFlag(args, name, def);
  if (!Number.isInteger(v) || v < 1 || v > 65535) {
    throw new UsageError(`flag --${name} must be a port within 1-65535, got ${v}`);
  }
  return v;
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
      throw new UsageError(
        `flag --disable: unknown component ${JSON.stringify(name)} (service-proxy, dns, servicelb, ingress)`,
      );
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
    disableIngress: disabled.has('ingress'),
    ingressHttpPort: portFlag(args, 'ingress-http-port', 80),
    ingressHttpsPort: portFlag(args, 'ingress-https-port', 443),
  };
}

/** What the agent writes into its pods' resolv.conf. */
export function podDnsSettings(c: NetworkConfig): PodDnsSettings {
  return { clusterDns: c.podClusterDns, clusterDomain: c.clusterDomain, resolvConf: c.resolvConf };
}

/**
 * The certificate the ingress serves when no Ingress TLS Secret names the host (Traefik's default one):
 * self-signed, made at each start, for the node's name and address.
 */
async function ingressDefaultCertificate(nodeName: string, nodeIP: string): Promise<CertificatePem> {
  const ca = await createCertificateAuthority('tutti-ingress-default-ca', 1);
  const cert = await createServingCertificate(ca, 'TUTTI DEFAULT CERT', { dnsNames: [nodeName], ips: [nodeIP] });
  return { cert: `${cert.certPem.trimEnd()}\n${ca.certPem.trimEnd()}\n`, key: cert.keyPem };
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
    ingress: c.disableIngress
      ? undefined
      : {
          httpPort: c.ingressHttpPort,
          httpsPort: c.ingressHttpsPort,
          defaultCertificate: await ingressDefaultCertificate(agent.nodeName, agent.nodeIP),
        },
  });
}
