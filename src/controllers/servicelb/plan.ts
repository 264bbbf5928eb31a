// What the built-in service load balancer publishes (k3s's servicelb semantics, without its svclb pods:
// every node's service proxy serves LoadBalancer ingress addresses itself). Pure.
import type { Service } from '../../core/types.js';
import { ENABLE_LB_LABEL, lbNodeAddresses } from '../shared/lb-nodes.js';

export { ENABLE_LB_LABEL, lbNodeAddresses };
/** Annotation on a Service: comma-separated addresses to publish instead of the nodes' (a pool). */
export const LB_ADDRESSES_ANNOTATION = 'servicelb.tutti.io/addresses';

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export interface IngressPlan {
  /** The ingress list status.loadBalancer should hold; undefined: leave the Service alone. */
  ingress?: { ip: string }[];
}

/** Whether this load balancer is responsible for the Service. */
export function ownsService(svc: Service): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec.loadBalancerClass;
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
