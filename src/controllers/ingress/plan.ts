// What the ingress status writer publishes: an Ingress of the built-in class gets
// status.loadBalancer.ingress = the load-balancer nodes' addresses (every node's ingress proxy listens there,
// as Traefik behind k3s's servicelb). Pure.
import { type Ingress, type IngressClass, isTuttiIngress } from '../../core/index.js';

/** The list status.loadBalancer.ingress should hold, or undefined: not ours, or already so. */
export function planIngressStatus(
  ing: Ingress,
  classes: readonly IngressClass[],
  nodeAddresses: readonly string[],
): { ip: string }[] | undefined {
  if (ing.metadata.deletionTimestamp || !isTuttiIngress(ing, classes)) return undefined;
  const have = (ing.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
  const same = have.length === nodeAddresses.length && have.every((ip, i) => ip === nodeAddresses[i]);
  return same ? undefined : nodeAddresses.map((ip) => ({ ip }));
}
