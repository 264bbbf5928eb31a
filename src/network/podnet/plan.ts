// The pod network's pure decision: from the cluster's Nodes (spec.podCIDR + InternalIP) and this node's
// own links, which routes, vxlan forwarding entries and masquerade exemptions this node should hold.
// Flannel's model: host-gw (a direct route via the peer) when the peer is on one of our links, a vxlan
// overlay otherwise (or always, or never, as the backend says).
import { intToIp, type Node, parseCidr } from '../../core/index.js';

export type Backend = 'auto' | 'host-gw' | 'vxlan';
export const BACKENDS: readonly Backend[] = ['auto', 'host-gw', 'vxlan'];

/** What the plan needs of a Node. */
export interface PeerNode {
  name: string;
  podCidr?: string;
  ip?: string;
}

/** An IPv4 address on one of this node's links, in `addr/prefix` form. */
export interface LocalLink {
  dev: string;
  cidr: string;
}

export interface VxlanConfig {
  device: string;
  vni: number;
  port: number;
}

export const DEFAULT_VXLAN: VxlanConfig = { device: 'tutti.vx', vni: 1, port: 8472 };

export interface PlanInput {
  self: { name: string; ip: string; podCidr: string };
  nodes: readonly PeerNode[];
  links: readonly LocalLink[];
  backend: Backend;
  /** The whole pod network, when known: never masqueraded as a destination. */
  clusterCidr?: string;
  /** The Service ClusterIP range, when known: never masqueraded as a destination. */
  serviceCidr?: string;
  vxlan?: VxlanConfig;
}

export interface Route {
  dst: string;
  via: string;
  dev: string;
  /** vxlan routes point at the peer's VTEP address, which is on no subnet of ours. */
  onlink?: boolean;
}

export interface VxlanDevice extends VxlanConfig {
  localIp: string;
  mac: string;
  /** Our VTEP address (the network address of our pod CIDR, /32), as flannel gives flannel.1. */
  address: string;
}

export interface PodNetPlan {
  routes: Route[];
  vxlan?: VxlanDevice;
  /** Peer VTEP address → peer VTEP MAC on the vxlan device. */
  neigh: { ip: string; mac: string; dev: string }[];
  /** Peer VTEP MAC → peer node IP (where the encapsulated packet goes). */
  fdb: { mac: string; dst: string; dev: string }[];
  /** Destinations that are pods (not masqueraded), smallest covering list; also the masqueraded sources. */
  podCidrs: string[];
  /** Other destinations that are not masqueraded: the service CIDR (normalized), when known. */
  serviceCidrs: string[];
  /** Peers that get no route, and why. */
  skipped: { node: string; reason: string }[];
}

/** Node → PeerNode: spec.podCIDR and the InternalIP (else the first address that is an IPv4). */
export function peerFromNode(n: Node): PeerNode {
  const addrs = n.status?.addresses ?? [];
  const isV4 = (a: string) => /^\d+\.\d+\.\d+\.\d+$/.test(a);
  const ip =
    addrs.find((a) => a.type === 'InternalIP' && isV4(a.address))?.address ??
    addrs.find((a) => isV4(a.address))?.address;
  return { name: n.metadata.name ?? '', podCidr: n.spec?.podCIDR, ip };
}

/** A VTEP MAC derived from the node IP (locally administered, unicast), so peers need not publish one. */
export function vtepMac(ip: string): string {
  return ['0a', '58', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

function ipToInt(ip: string): number {
  return parseCidr(`${ip}/32`).ip;
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { ip: net, bits } = parseCidr(cidr);
  const size = 2 ** (32 - bits);
  const n = ipToInt(ip);
  return n >= net && n < net + size;
}

function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner);
  const b = parseCidr(outer);
  return a.bits >= b.bits && cidrContains(outer, intToIp(a.ip));
}

function normalCidr(cidr: string): string | undefined {
  try {
    const { ip, bits } = parseCidr(cidr);
    return `${intToIp(ip)}/${bits}`;
  } catch {
    return undefined;
  }
}

/** The link a peer address is directly on (its subnet is one of ours), if any. */
export function sharedLink(links: readonly LocalLink[], ip: string): LocalLink | undefined {
  return links.find((l) => {
    const bits = Number(l.cidr.split('/')[1]);
    return bits < 32 && cidrContains(l.cidr, ip);
  });
}

/** CIDRs with every one inside another removed (nft interval sets refuse overlaps), sorted. */
export function coveringCidrs(cidrs: readonly string[]): string[] {
  const uniq = [...new Set(cidrs.map(normalCidr).filter((c): c is string => !!c))];
  return uniq
    .filter((c) => !uniq.some((o) => o !== c && cidrWithin(c, o)))
    .sort((a, b) => ipToInt(a.split('/')[0]!) - ipToInt(b.split('/')[0]!));
}

export function planPodNetwork(input: PlanInput): PodNetPlan {
  const vx = input.vxlan ?? DEFAULT_VXLAN;
  const self = input.self;
  const selfCidr = normalCidr(self.podCidr);
  const svc = input.serviceCidr ? normalCidr(input.serviceCidr) : undefined;
  const plan: PodNetPlan = {
    routes: [],
    neigh: [],
    fdb: [],
    podCidrs: [],
    serviceCidrs: svc ? [svc] : [],
    skipped: [],
  };
  const podCidrs: string[] = selfCidr ? [selfCidr] : [];
  if (input.clusterCidr) podCidrs.push(input.clusterCidr);
  let needVxlan = input.backend === 'vxlan';
  const claimed = new Map<string, string>();
  for (const n of [...input.nodes].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (n.name === self.name) continue;
    const cidr = n.podCidr ? normalCidr(n.podCidr) : undefined;
    if (!cidr) {
      plan.skipped.push({ node: n.name, reason: n.podCidr ? `invalid podCIDR ${n.podCidr}` : 'no podCIDR' });
      continue;
    }
    if (!n.ip) {
      plan.skipped.push({ node: n.name, reason: 'no InternalIP' });
      continue;
    }
    if (selfCidr && (cidrWithin(cidr, selfCidr) || cidrWithin(selfCidr, cidr))) {
      plan.skipped.push({ node: n.name, reason: `podCIDR ${cidr} overlaps this node's ${selfCidr}` });
      continue;
    }
    const owner = claimed.get(cidr);
    if (owner) {
      plan.skipped.push({ node: n.name, reason: `podCIDR ${cidr} is already routed to node ${owner}` });
      continue;
    }
    if (cidrContains('127.0.0.0/8', n.ip)) {
      // Simulated nodes advertise loopback addresses: there is no pod behind them to route to.
      plan.skipped.push({ node: n.name, reason: `InternalIP ${n.ip} is a loopback address` });
      continue;
    }
    if (n.ip === self.ip) {
      plan.skipped.push({ node: n.name, reason: `InternalIP ${n.ip} is this node's own` });
      continue;
    }
    podCidrs.push(cidr);
    const link = input.backend === 'vxlan' ? undefined : sharedLink(input.links, n.ip);
    if (link) {
      claimed.set(cidr, n.name);
      plan.routes.push({ dst: cidr, via: n.ip, dev: link.dev });
      continue;
    }
    if (input.backend === 'host-gw') {
      plan.skipped.push({ node: n.name, reason: `host-gw: ${n.ip} is not on a link of this node` });
      continue;
    }
    claimed.set(cidr, n.name);
    needVxlan = true;
    const vtep = intToIp(parseCidr(cidr).ip);
    const mac = vtepMac(n.ip);
    plan.routes.push({ dst: cidr, via: vtep, dev: vx.device, onlink: true });
    plan.neigh.push({ ip: vtep, mac, dev: vx.device });
    plan.fdb.push({ mac, dst: n.ip, dev: vx.device });
  }
  if (needVxlan && selfCidr) {
    plan.vxlan = { ...vx, localIp: self.ip, mac: vtepMac(self.ip), address: intToIp(parseCidr(selfCidr).ip) };
  }
  plan.podCidrs = coveringCidrs(podCidrs);
  return plan;
}
