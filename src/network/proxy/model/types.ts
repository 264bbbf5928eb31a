// The proxy's desired state in plain data: what every service port on this node should do with a packet.
// Computed from Services, EndpointSlices and the node's facts by `proxy-state.ts`; rendered into nftables
// by `../nft/`. Nothing here knows about nft or I/O.

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** What the proxy knows about the node it runs on. */
export interface NodeFacts {
  /** Node name, compared with EndpointSlice `nodeName` to find local endpoints. */
  name: string;
  /** The node's IPv4 addresses (InternalIP first). */
  ips: string[];
  /** The pod network. Traffic to a ClusterIP from outside it is masqueraded; pod traffic is not. */
  clusterCidr?: string;
  /** The Service ClusterIP range: routed locally, and addresses in it that no Service owns are rejected. */
  serviceCidr: string;
  /** NodePorts outside this range are ignored (the API server allocates inside it). Default 30000-32767. */
  nodePortRange?: [number, number];
  /** `topology.kubernetes.io/zone` of this node, for topology-aware hints. */
  zone?: string;
}

/** One endpoint of one service port, as read from an EndpointSlice. */
export interface Endpoint {
  ip: string;
  port: number;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  /** On this node (`nodeName` equals the proxy's node). */
  local: boolean;
  zoneHints: string[];
  nodeHints: string[];
}

/** Where a packet ends up: an endpoint address and port. */
export interface Backend {
  ip: string;
  port: number;
}

/** Upstream's ServicePortName: `namespace/name:port` (`:port` only when the port has a name). */
export interface ServicePortName {
  namespace: string;
  name: string;
  port: string;
  protocol: Protocol;
}

/** Everything the rule builder needs for one service port; each decision already made. */
export interface ServicePortState {
  /** `namespace/name:port`, unique per service port (upstream ServicePortName.String()). */
  key: string;
  id: ServicePortName;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the port has no NodePort. */
  nodePort: number;
  externalIPs: string[];
  loadBalancerIPs: string[];
  /** internalTrafficPolicy: Local — ClusterIP traffic only to this node's endpoints. */
  internalPolicyLocal: boolean;
  /** externalTrafficPolicy: Local on an externally reachable port — source IP kept, local endpoints only. */
  externalPolicyLocal: boolean;
  /** sessionAffinity: ClientIP, with its timeout in seconds. */
  affinityTimeoutSeconds?: number;
  /** Endpoints for Cluster traffic policy (sorted), [] when the port never uses it. */
  clusterEndpoints: Backend[];
  /** This node's endpoints for Local traffic policy (sorted), [] when the port never uses it. */
  localEndpoints: Backend[];
  /**
   * Endpoint IPs that may reach themselves through this service on this node (hairpin): the local ones,
   * and those whose node is unknown. A pod on another node is DNATed on its own node, never here.
   */
  hairpinIPs: string[];
  /** Some endpoint anywhere in the cluster can serve (else: reject). */
  hasEndpoints: boolean;
  /** ClusterIP traffic has somewhere to go (with iTP Local: a local endpoint). */
  hasInternalEndpoints: boolean;
  /** NodePort/LB/external traffic has somewhere to go (with eTP Local: a local endpoint). */
  hasExternalEndpoints: boolean;
}

/** A health-check node port for a `LoadBalancer` Service with `externalTrafficPolicy: Local`. */
export interface HealthCheck {
  namespace: string;
  name: string;
  port: number;
  /** Distinct ready endpoint IPs of the service on this node. */
  localEndpoints: number;
}

/** The proxy state of one Service: its ports and, if it needs one, its health check. */
export interface ServiceProxyState {
  /** `namespace/name` */
  key: string;
  ports: ServicePortState[];
  healthCheck?: HealthCheck;
}
