// Service + its EndpointSlices + the node's facts → the proxy state of each service port, as upstream
// kube-proxy decides it (pkg/proxy/serviceport.go, service.go, topology.go): which addresses and ports
// the service answers on, which endpoints serve each kind of traffic, and what happens when none can.
import type { EndpointSlice, Service } from '../../../core/index.js';
import { categorizeEndpoints } from './categorize.js';
import { endpointsByPort, isIPv4Address, portKey, toProtocol } from './endpoints.js';
import type { Backend, Endpoint, NodeFacts, ServicePortState, ServiceProxyState } from './types.js';

export const DEFAULT_NODE_PORT_RANGE: [number, number] = [30000, 32767];
/** Upstream's default ClientIP affinity timeout: 3 hours. */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** Services the proxy does not program: ExternalName (DNS only) and headless or not-yet-allocated ones. */
export function shouldSkipService(svc: Service): boolean {
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return true;
  return !spec.clusterIP || spec.clusterIP === 'None';
}

function ipv4ClusterIP(svc: Service): string | undefined {
  const spec = svc.spec ?? {};
  for (const ip of [spec.clusterIP, ...(spec.clusterIPs ?? [])]) if (isIPv4Address(ip)) return ip;
  return undefined;
}

function ipNumber(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

/** Endpoints in address order (then port), so that an unchanged set renders the same rules. */
function toBackends(eps: readonly Endpoint[]): Backend[] {
  return eps
    .map((e) => ({ ip: e.ip, port: e.port, n: ipNumber(e.ip) }))
    .sort((a, b) => a.n - b.n || a.port - b.port)
    .map(({ ip, port }) => ({ ip, port }));
}

/**
 * The proxy state of one Service on this node, or undefined when the proxy skips it (ExternalName, headless,
 * no IPv4 ClusterIP). `slices` are the service's EndpointSlices (label `kubernetes.io/service-name`).
 */
export function serviceProxyState(
  svc: Service,
  slices: readonly EndpointSlice[],
  node: NodeFacts,
): ServiceProxyState | undefined {
  if (shouldSkipService(svc)) return undefined;
  const clusterIP = ipv4ClusterIP(svc);
  if (!clusterIP) return undefined;
  const spec = svc.spec ?? {};
  const namespace = svc.metadata.namespace ?? 'default';
  const name = svc.metadata.name ?? '';
  const type = spec.type ?? 'ClusterIP';
  const externalIPs = (spec.externalIPs ?? []).filter(isIPv4Address);
  const loadBalancerIPs = (svc.status?.loadBalancer?.ingress ?? [])
    // ipMode Proxy: the load balancer delivers to the node itself, not to the VIP.
    .filter((ing) => (ing as { ipMode?: string }).ipMode !== 'Proxy')
    .map((ing) => ing.ip)
    .filter(isIPv4Address);
  const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
  const etpLocal =
    spec.externalTrafficPolicy === 'Local' &&
    (type === 'NodePort' || type === 'LoadBalancer' || externalIPs.length > 0);
  const affinityTimeoutSeconds =
    spec.sessionAffinity === 'ClientIP'
      ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS)
      : undefined;
  const [npLow, npHigh] = node.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  const endpoints = endpointsByPort(slices, node.name);

  const ports: ServicePortState[] = [];
  const localReadyIPs = new Set<string>();
  for (const p of spec.ports ?? []) {
    const protocol = toProtocol(p.protocol);
    if (protocol === undefined || typeof p.port !== 'number') continue;
    const portName = p.name ?? '';
    const nodePort = typeof p.nodePort === 'number' && p.nodePort >= npLow && p.nodePort <= npHigh ? p.nodePort : 0;
    const externallyAccessible = nodePort !== 0 || externalIPs.length > 0 || loadBalancerIPs.length > 0;
    const externalPolicyLocal = etpLocal && externallyAccessible;
    const eps = endpoints.get(portKey(portName, protocol)) ?? [];
    for (const e of eps) if (e.local && e.ready) localReadyIPs.add(e.ip);
    const cat = categorizeEndpoints(
      eps,
      {
        usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
        usesLocalEndpoints: internalPolicyLocal || externalPolicyLocal,
      },
      node.name,
      node.zone,
    );
    const clusterEndpoints = toBackends(cat.clusterEndpoints);
    const localEndpoints = toBackends(cat.localEndpoints);
    const hairpinIPs = [
      ...new Set(
        [...cat.clusterEndpoints, ...cat.localEndpoints]
          .filter((e) => e.local || e.nodeName === undefined)
          .map((e) => e.ip),
      ),
    ].sort((a, b) => ipNumber(a) - ipNumber(b));
    const hasEndpoints = cat.hasAnyEndpoints;
    ports.push({
      key: `${namespace}/${name}${portName ? `:${portName}` : ''}`,
      id: { namespace, name, port: portName, protocol },
      protocol,
      clusterIP,
      port: p.port,
      nodePort,
      externalIPs,
      loadBalancerIPs,
      internalPolicyLocal,
      externalPolicyLocal,
      affinityTimeoutSeconds,
      clusterEndpoints,
      localEndpoints,
      hairpinIPs,
      hasEndpoints,
      hasInternalEndpoints: hasEndpoints && (!internalPolicyLocal || localEndpoints.length > 0),
      hasExternalEndpoints: hasEndpoints && (!externalPolicyLocal || localEndpoints.length > 0),
    });
  }
  ports.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.protocol < b.protocol ? -1 : 1));
  const state: ServiceProxyState = { key: `${namespace}/${name}`, ports };
  // Upstream NeedsHealthCheck: LoadBalancer with eTP Local; the port comes from the API server.
  if (type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && spec.healthCheckNodePort) {
    state.healthCheck = { namespace, name, port: spec.healthCheckNodePort, localEndpoints: localReadyIPs.size };
  }
  return state;
}
