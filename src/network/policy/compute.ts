// NetworkPolicy's pure decision (networking.k8s.io/v1, upstream's semantics): from the policies, pods and
// namespaces, for each pod IP whether its ingress and its egress are isolated and, if so, which traffic
// the union of the policies that select it allows. Rendering to nftables is nft.ts; `allows` evaluates a
// flow against the same result, for tests on tables of cases.
//   - A pod is isolated for a direction when some policy selecting it has that policyType (default:
//     Ingress, plus Egress when the policy has egress rules). Policies are additive (a union of rules).
//   - A peer: podSelector (the policy's namespace), namespaceSelector (every pod in those namespaces),
//     both (AND), or ipBlock (cidr minus except). No peers: any source/destination.
//   - Ports: protocol (default TCP), port number or name, endPort; no ports: every port and protocol.
//     A named port resolves on the pod the traffic goes to (the policy's pod for ingress, the peer for
//     egress); one that does not resolve matches nothing.
//   - Not decided here, always allowed by the ruleset: a pod to itself, replies of allowed connections.
import {
  type Namespace,
  type NetworkPolicy,
  type Pod,
  type LabelSelector,
  selectorOrNothing,
} from '../../core/index.js';
import { cidrContains } from '../podnet/plan.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

export interface PortRange {
  protocol: Protocol;
  from: number;
  to: number;
}

export type Peer = { kind: 'ips'; ips: string[] } | { kind: 'cidr'; cidr: string; except: string[] };

/** One allow rule: peer undefined = any address, ports undefined = every port and protocol. */
export interface AllowRule {
  peer?: Peer;
  ports?: PortRange[];
}

export interface PodVerdict {
  ip: string;
  /** namespace/name */
  pod: string;
  /** undefined: not isolated (everything allowed). [] : isolated, nothing allowed. */
  ingress?: AllowRule[];
  egress?: AllowRule[];
  /** namespace/name of the policies selecting the pod. */
  policies: string[];
}

export interface PolicyInput {
  policies: readonly NetworkPolicy[];
  pods: readonly Pod[];
  namespaces: readonly Namespace[];
  /** Only verdicts for pods on this node (peers come from every node). Default: every pod. */
  node?: string;
}

interface PodFacts {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  node?: string;
  ports: { name: string; port: number; protocol: Protocol }[];
}

const NS_NAME_LABEL = 'kubernetes.io/metadata.name';

function protocolOf(p: string | undefined): Protocol | undefined {
  const v = (p ?? 'TCP').toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(v) ? (v as Protocol) : undefined;
}

/** Pods that take part: an IPv4 pod IP, not host network, not finished. */
function podFacts(pods: readonly Pod[]): PodFacts[] {
  const out: PodFacts[] = [];
  for (const p of pods) {
    const ip = p.status?.podIP;
    if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip) || p.spec?.hostNetwork) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    const ports = (p.spec?.containers ?? []).flatMap((c) =>
      (c.ports ?? []).flatMap((cp) => {
        const protocol = protocolOf(cp.protocol);
        return cp.name && protocol ? [{ name: cp.name, port: cp.containerPort, protocol }] : [];
      }),
    );
    out.push({
      namespace: p.metadata.namespace ?? 'default',
      name: p.metadata.name ?? '',
      labels: { ...(p.metadata.labels ?? {}) },
      ip,
      node: p.spec?.nodeName,
      ports,
    });
  }
  return out;
}

export function policyTypes(p: NetworkPolicy): { ingress: boolean; egress: boolean } {
  const types = p.spec?.policyTypes;
  if (types && types.length > 0) return { ingress: types.includes('Ingress'), egress: types.includes('Egress') };
  return { ingress: true, egress: (p.spec?.egress?.length ?? 0) > 0 };
}

type PolicyPort = NonNullable<NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['ports']>[number];
type PolicyPeer = NonNullable<NonNullable<NonNullable<NetworkPolicy['spec']>['ingress']>[number]['from']>[number];

/** Numeric ports of a rule's port list; named ones resolved on `target` (undefined: named ones match nothing). */
function resolvePorts(ports: readonly PolicyPort[], target: PodFacts | undefined): PortRange[] {
  const out: PortRange[] = [];
  for (const p of ports) {
    const protocol = protocolOf(p.protocol);
    if (!protocol) continue;
    if (p.port === undefined || p.port === null) {
      out.push({ protocol, from: 1, to: 65535 });
    } else if (typeof p.port === 'number' || /^\d+$/.test(String(p.port))) {
      const from = Number(p.port);
      const to = p.endPort && p.endPort >= from ? p.endPort : from;
      out.push({ protocol, from, to });
    } else {
      const named = target?.ports.find((cp) => cp.name === p.port && cp.protocol === protocol);
      if (named) out.push({ protocol, from: named.port, to: named.port });
    }
  }
  return mergeRanges(out);
}

function hasNamedPort(ports: readonly PolicyPort[]): boolean {
  return ports.some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port));
}

/** Sorted, overlapping and adjacent ranges of one protocol merged (nft sets refuse overlaps). */
export function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort((a, b) => a.protocol.localeCompare(b.protocol) || a.from - b.from || a.to - b.to);
  const out: PortRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && last.protocol === r.protocol && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

class World {
  readonly pods: PodFacts[];
  private readonly nsLabels = new Map<string, Record<string, string>>();
  private readonly selectors = new Map<unknown, LabelSelector>();

  constructor(input: PolicyInput) {
    this.pods = podFacts(input.pods);
    for (const ns of input.namespaces) {
      const name = ns.metadata.name ?? '';
      this.nsLabels.set(name, { [NS_NAME_LABEL]: name, ...(ns.metadata.labels ?? {}) });
    }
  }

  selector(sel: Parameters<typeof selectorOrNothing>[0]): LabelSelector {
    let s = this.selectors.get(sel);
    if (!s) {
      s = selectorOrNothing(sel);
      this.selectors.set(sel, s);
    }
    return s;
  }

  namespaceLabels(ns: string): Record<string, string> {
    return this.nsLabels.get(ns) ?? { [NS_NAME_LABEL]: ns };
  }

  /** Pods a pod/namespace peer selects (policyNamespace: where a lone podSelector looks). */
  peerPods(peer: PolicyPeer, policyNamespace: string): PodFacts[] {
    const podSel = peer.podSelector ? this.selector(peer.podSelector) : undefined;
    const nsSel = peer.namespaceSelector ? this.selector(peer.namespaceSelector) : undefined;
    return this.pods.filter((p) => {
      if (nsSel ? !nsSel.matches(this.namespaceLabels(p.namespace)) : p.namespace !== policyNamespace) return false;
      return podSel ? podSel.matches(p.labels) : true;
    });
  }
}

function ipsRule(pods: readonly PodFacts[], ports: PortRange[] | undefined): AllowRule | undefined {
  if (pods.length === 0) return undefined;
  return { peer: { kind: 'ips', ips: [...new Set(pods.map((p) => p.ip))].sort() }, ports };
}

/** The allow rules of one ingress/egress rule for `self` (the policy's pod). */
function ruleAllows(
  world: World,
  rule: { ports?: PolicyPort[]; peers?: PolicyPeer[] },
  policyNamespace: string,
  self: PodFacts,
  direction: 'ingress' | 'egress',
): AllowRule[] {
  const ports = rule.ports ?? [];
  const peers = rule.peers ?? [];
  const out: AllowRule[] = [];
  const push = (r: AllowRule | undefined) => {
    if (r && (r.ports === undefined || r.ports.length > 0)) out.push(r);
  };
  // Ingress: ports are the policy pod's own. Egress: a named port is the peer's, so such peers split
  // by what the name resolves to on each.
  const portsFor = (target: PodFacts | undefined) => (ports.length === 0 ? undefined : resolvePorts(ports, target));
  const podPeers = (pods: PodFacts[]) => {
    if (direction === 'ingress' || !hasNamedPort(ports)) return push(ipsRule(pods, portsFor(self)));
    const groups = new Map<string, { pods: PodFacts[]; ports: PortRange[] }>();
    for (const p of pods) {
      const r = resolvePorts(ports, p);
      const key = JSON.stringify(r);
      const g = groups.get(key) ?? { pods: [], ports: r };
      g.pods.push(p);
      groups.set(key, g);
    }
    for (const g of groups.values()) push(ipsRule(g.pods, g.ports));
  };
  if (peers.length === 0) {
    // Any peer. For egress named ports, only pods can carry the name.
    if (direction === 'egress' && hasNamedPort(ports)) {
      push({
        ports: resolvePorts(
          ports.filter((p) => !hasNamedPort([p])),
          undefined,
        ),
      });
      podPeers(world.pods);
    } else push({ ports: portsFor(self) });
    return out;
  }
  for (const peer of peers) {
    if (peer.ipBlock) {
      const except = (peer.ipBlock.except ?? []).filter((e) => e.includes('/'));
      // A named egress port cannot resolve on an address block: only its numeric ports stay.
      const p = direction === 'egress' && ports.length > 0 ? resolvePorts(ports, undefined) : portsFor(self);
      push({ peer: { kind: 'cidr', cidr: peer.ipBlock.cidr, except }, ports: p });
    } else if (peer.podSelector || peer.namespaceSelector) {
      podPeers(world.peerPods(peer, policyNamespace));
    }
  }
  return out;
}

export function computePolicy(input: PolicyInput): PodVerdict[] {
  const world = new World(input);
  const byIp = new Map<string, PodVerdict>();
  const policies = [...input.policies].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`),
  );
  for (const pol of policies) {
    const ns = pol.metadata.namespace ?? 'default';
    const key = `${ns}/${pol.metadata.name}`;
    const sel = world.selector(pol.spec?.podSelector ?? {});
    const types = policyTypes(pol);
    for (const pod of world.pods) {
      if (pod.namespace !== ns || !sel.matches(pod.labels)) continue;
      if (input.node !== undefined && pod.node !== input.node) continue;
      let v = byIp.get(pod.ip);
      if (!v) {
        v = { ip: pod.ip, pod: `${pod.namespace}/${pod.name}`, policies: [] };
        byIp.set(pod.ip, v);
      }
      v.policies.push(key);
      if (types.ingress) {
        v.ingress ??= [];
        for (const r of pol.spec?.ingress ?? [])
          v.ingress.push(...ruleAllows(world, { ports: r.ports, peers: r.from }, ns, pod, 'ingress'));
      }
      if (types.egress) {
        v.egress ??= [];
        for (const r of pol.spec?.egress ?? [])
          v.egress.push(...ruleAllows(world, { ports: r.ports, peers: r.to }, ns, pod, 'egress'));
      }
    }
  }
  return [...byIp.values()].sort((a, b) => a.ip.localeCompare(b.ip, undefined, { numeric: true }));
}

function peerMatches(peer: Peer | undefined, ip: string): boolean {
  if (!peer) return true;
  if (peer.kind === 'ips') return peer.ips.includes(ip);
  return cidrContains(peer.cidr, ip) && !peer.except.some((e) => cidrContains(e, ip));
}

function ruleMatches(r: AllowRule, ip: string, protocol: Protocol, port: number): boolean {
  if (!peerMatches(r.peer, ip)) return false;
  return !r.ports || r.ports.some((p) => p.protocol === protocol && port >= p.from && port <= p.to);
}

/** Whether the ruleset built from `verdicts` lets a new connection from src to dst:port through. */
export function allows(
  verdicts: readonly PodVerdict[],
  flow: { src: string; dst: string; protocol?: Protocol; port: number },
): boolean {
  if (flow.src === flow.dst) return true;
  const protocol = flow.protocol ?? 'TCP';
  const egress = verdicts.find((v) => v.ip === flow.src)?.egress;
  if (egress && !egress.some((r) => ruleMatches(r, flow.dst, protocol, flow.port))) return false;
  const ingress = verdicts.find((v) => v.ip === flow.dst)?.ingress;
  if (ingress && !ingress.some((r) => ruleMatches(r, flow.src, protocol, flow.port))) return false;
  return true;
}
