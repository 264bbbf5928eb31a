// The local route for the service CIDR: without it a packet to a ClusterIP that no rule catches follows
// the default route off the node. It points at a device of the proxy's own, a bridge with no ports (as
// kube-proxy's IPVS mode has kube-ipvs0): a packet the rules do not take dies there, and the reject rules
// still answer local sockets (a route over `lo` would make the kernel treat the address as local and
// swallow the ICMP error, so a connect would hang instead of being refused). The route carries our own
// routing protocol number so that only our route is ever replaced or removed.
import type { Exec } from './exec.js';

/** The proxy's own device for the service CIDR route. */
export const SERVICE_DEVICE = 'tutti-svc';

/** Creates the proxy's device if it is missing and sets it up. Returns whether this call created it. */
export async function ensureServiceDevice(exec: Exec, name = SERVICE_DEVICE): Promise<boolean> {
  const show = await exec('ip', ['link', 'show', name]);
  let created = false;
  if (show.code !== 0) {
    const add = await exec('ip', ['link', 'add', name, 'type', 'bridge']);
    if (add.code !== 0) throw new Error(`ip link add ${name} type bridge failed: ${add.stderr.trim()}`);
    created = true;
  }
  const up = await exec('ip', ['link', 'set', name, 'up']);
  if (up.code !== 0) throw new Error(`ip link set ${name} up failed: ${up.stderr.trim()}`);
  return created;
}

export async function removeServiceDevice(exec: Exec, name = SERVICE_DEVICE): Promise<void> {
  await exec('ip', ['link', 'del', name]);
}

/** `proto` of the routes the proxy adds (an otherwise unused number; `ip route` shows it as 116). */
export const ROUTE_PROTO = '116';

export interface ServiceRoute {
  cidr: string;
  /** Device the route points at (the proxy's own `tutti-svc`, or a device of the caller's). */
  device: string;
  /** Source address for the node's own connections to a ClusterIP (its InternalIP). */
  src?: string;
}

interface RouteJson {
  dst?: string;
  protocol?: string;
}

/** Adds (or refreshes) our route; leaves alone a route for the same CIDR that someone else made. Returns whether ours is in place. */
export async function ensureServiceRoute(exec: Exec, r: ServiceRoute): Promise<boolean> {
  const show = await exec('ip', ['-j', 'route', 'show', 'exact', r.cidr]);
  if (show.code === 0 && show.stdout.trim()) {
    const routes = JSON.parse(show.stdout) as RouteJson[];
    if (routes.some((x) => x.protocol !== undefined && x.protocol !== ROUTE_PROTO)) return false;
  }
  const args = ['route', 'replace', r.cidr, 'dev', r.device, 'proto', ROUTE_PROTO];
  if (r.src) args.push('src', r.src);
  const res = await exec('ip', args);
  if (res.code !== 0) throw new Error(`ip ${args.join(' ')} failed: ${res.stderr.trim()}`);
  return true;
}

export async function removeServiceRoute(exec: Exec, cidr: string): Promise<void> {
  await exec('ip', ['route', 'del', cidr, 'proto', ROUTE_PROTO]);
}
