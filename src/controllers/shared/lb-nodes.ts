// The nodes' addresses that load-balanced traffic is published on (k3s servicelb semantics): what the service
// load balancer puts in a Service's status.loadBalancer and the ingress status writer in an Ingress's. Pure.
import { isNodeReady } from '../../core/pods.js';
import type { Node } from '../../core/types.js';

/** k3s's node label: when any node has it `true`, only those nodes carry LoadBalancer traffic. */
export const ENABLE_LB_LABEL = 'svccontroller.tutti.io/enablelb';

function nodeAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  // k3s publishes a node's ExternalIP when it has one, else its InternalIP.
  return (addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP'))?.address;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

const ipKeys = new Map<string, string>();

/** The address as a string that sorts numerically (remembered: 1,000 nodes' adds each sort them all). */
function ipKey(ip: string): string {
  let k = ipKeys.get(ip);
  if (k === undefined) {
    k = computeIpKey(ip);
    if (ipKeys.size >= 65_536) ipKeys.clear();
    ipKeys.set(ip, k);
  }
  return k;
}

function computeIpKey(ip: string): string {
  const m = IPV4.exec(ip);
  return m
    ? m
        .slice(1)
        .map((p) => p.padStart(3, '0'))
        .join('.')
    : ip;
}

/** The addresses of the nodes that serve LoadBalancer traffic: Ready, schedulable or not, sorted. */
export function lbNodeAddresses(nodes: readonly Node[]): string[] {
  const labelled = nodes.some((n) => n.metadata.labels?.[ENABLE_LB_LABEL] === 'true');
  const ips = new Set<string>();
  for (const n of nodes) {
    if (!isNodeReady(n) || n.metadata.deletionTimestamp) continue;
    if (labelled && n.metadata.labels?.[ENABLE_LB_LABEL] !== 'true') continue;
    const ip = nodeAddress(n);
    if (ip) ips.add(ip);
  }
  return [...ips]
    .map((ip) => [ipKey(ip), ip] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, ip]) => ip);
}

/** What lbNodeAddresses reads of one node. */
interface LbFacts {
  ready: boolean;
  deleting: boolean;
  /** The enablelb label's value. */
  label: string | undefined;
  ip: string | undefined;
}

function lbFactsOf(n: Node): LbFacts {
  return {
    ready: isNodeReady(n),
    deleting: !!n.metadata.deletionTimestamp,
    label: n.metadata.labels?.[ENABLE_LB_LABEL],
    ip: nodeAddress(n),
  };
}

function sameLbFacts(a: LbFacts, b: LbFacts): boolean {
  return a.ready === b.ready && a.deleting === b.deleting && a.label === b.label && a.ip === b.ip;
}

function sameKeys(a: Map<string, number>, b: Map<string, number>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a.keys()) if (!b.has(k)) return false;
  return true;
}

/**
 * lbNodeAddresses of an informer's nodes, recomputed only after a node event that changes what it reads:
 * heartbeats and condition updates of 1,000 nodes must not each cost a pass over all of them.
 */
export class LbNodeAddresses {
  private cached: string[] | undefined;
  // What the handlers keep, so that a node event tells in O(1) whether the addresses changed (1,000 nodes
  // registering must not each cost a pass over all of them): the serving nodes per address, all of them and
  // the labelled ones, and how many nodes have the label.
  private readonly all = new Map<string, number>();
  private readonly narrowed = new Map<string, number>();
  private labelledNodes = 0;

  constructor(private readonly nodes: () => readonly Node[]) {}

  /** A node was added (old undefined), changed or deleted (next undefined); true if the addresses may differ. */
  observe(old: Node | undefined, next: Node | undefined): boolean {
    return this.observeFacts(old && lbFactsOf(old), next && lbFactsOf(next));
  }

  private observeFacts(old: LbFacts | undefined, next: LbFacts | undefined): boolean {
    if (old && next && sameLbFacts(old, next)) return false;
    this.cached = undefined;
    return true;
  }

  addresses(): string[] {
    this.cached ??= lbNodeAddresses(this.nodes());
    return this.cached;
  }

  /** Node event handlers that call onChange when the addresses differ from the last ones seen. */
  handlers(onChange: () => void): {
    onAdd(n: Node): void;
    onUpdate(o: Node, n: Node): void;
    onDelete(n: Node): void;
  } {
    const on = (oldNode: Node | undefined, nextNode: Node | undefined) => {
      const old = oldNode && lbFactsOf(oldNode);
      const next = nextNode && lbFactsOf(nextNode);
      if (this.observeFacts(old, next) && this.apply(old, next)) onChange();
    };
    return {
      onAdd: (n) => on(undefined, n),
      onUpdate: (o, n) => on(o, n),
      onDelete: (n) => on(n, undefined),
    };
  }

  /** Moves one node's facts from `old` to `next`; true if the set of addresses changed. */
  private apply(old: LbFacts | undefined, next: LbFacts | undefined): boolean {
    const active = () => (this.labelledNodes > 0 ? this.narrowed : this.all);
    const narrowedBefore = this.labelledNodes > 0;
    const touched = [old?.ip, next?.ip].filter((ip): ip is string => ip !== undefined);
    const before = touched.map((ip) => active().has(ip));
    const count = (m: Map<string, number>, ip: string, delta: number) => {
      const n = (m.get(ip) ?? 0) + delta;
      if (n > 0) m.set(ip, n);
      else m.delete(ip);
    };
    for (const [f, delta] of [
      [old, -1],
      [next, 1],
    ] as const) {
      if (!f) continue;
      const labelled = f.label === 'true';
      if (labelled) this.labelledNodes += delta;
      if (!f.ready || f.deleting || !f.ip) continue;
      count(this.all, f.ip, delta);
      if (labelled) count(this.narrowed, f.ip, delta);
    }
    if (narrowedBefore !== this.labelledNodes > 0) return !sameKeys(this.all, this.narrowed);
    return touched.some((ip, i) => active().has(ip) !== before[i]);
  }
}
