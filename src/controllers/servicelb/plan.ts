// What the built-in service load balancer publishes (k3s's servicelb semantics, without its svclb pods:
// every node's service proxy serves LoadBalancer ingress addresses itself). Pure.
import { isNodeReady } from '../../core/pods.js';
import type { Node, Service } from '../../core/types.js';

/** k3s's node label: when any node has it `true`, only those nodes carry LoadBalancer traffic. */
export const ENABLE_LB_LABEL = 'svccontroller.tutti.io/enablelb';
/** Annotation on a Service: comma-separated addresses to publish instead of the nodes' (a pool). */
export const LB_ADDRESSES_ANNOTATION = 'servicelb.tutti.io/addresses';

export interface IngressPlan {
  /** The ingress list status.loadBalancer should hold; undefined: leave the Service alone. */
  ingress?: { ip: string }[];
}

/** Whether this load balancer is responsible for the Service. */
export function ownsService(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
}

function nodeAddress(node: Node): string | undefined {
  const addrs = node.status?.addresses ?? [];
  // k3s publishes a node's ExternalIP when it has one, else its InternalIP.
  return (addrs.find((a) => a.type === 'ExternalIP') ?? addrs.find((a) => a.type === 'InternalIP'))?.address;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function ipKey(ip: string): string {
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
  return [...ips].sort((a, b) => (ipKey(a) < ipKey(b) ? -1 : ipKey(a) > ipKey(b) ? 1 : 0));
}

/**
 * The Service's desired `status.loadBalancer.ingress`: the pool of its annotation, else the LB nodes'
 * addresses; a Service that is no longer of type LoadBalancer (and not another controller's) loses the
 * ingress it had.
 */
export function planIngress(svc: Service, nodeAddresses: readonly string[]): IngressPlan {
  if (svc.spec?.loadBalancerClass) return {};
  if (svc.spec?.type !== 'LoadBalancer') {
    return (svc.status?.loadBalancer?.ingress?.length ?? 0) > 0 ? { ingress: [] } : {};
  }
  const pool = svc.metadata.annotations?.[LB_ADDRESSES_ANNOTATION];
  const ips = pool
    ? pool
        .split(',')
        .map((s) => s.trim())
        .filter((s) => IPV4.test(s))
    : [...nodeAddresses];
  return { ingress: ips.map((ip) => ({ ip })) };
}

/** Whether the Service's status already says what the plan wants. */
export function ingressCurrent(svc: Service, plan: IngressPlan): boolean {
  if (!plan.ingress) return true;
  const have = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
  const want = plan.ingress.map((i) => i.ip);
  return have.length === want.length && have.every((ip, i) => ip === want[i]);
}
