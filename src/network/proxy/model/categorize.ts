// Which endpoints serve Cluster and Local traffic policy on this node: upstream's CategorizeEndpoints
// (pkg/proxy/topology.go). Ready endpoints serve; when none is ready, serving-terminating ones do
// (decided separately for Cluster and Local, as upstream 1.28+). Topology hints narrow the Cluster set
// when every ready endpoint carries one and some hint names this node (or its zone).
import type { Endpoint } from './types.js';

export interface TrafficPolicies {
  /** The port sends traffic by Cluster policy (iTP Cluster, or it is reachable from outside at all). */
  usesClusterEndpoints: boolean;
  /** The port sends traffic by Local policy (iTP Local, or eTP Local on an externally reachable port). */
  usesLocalEndpoints: boolean;
}

export interface CategorizedEndpoints {
  clusterEndpoints: Endpoint[];
  localEndpoints: Endpoint[];
  /** Some endpoint in the cluster can serve. */
  hasAnyEndpoints: boolean;
}

type TopologyMode = '' | 'PreferSameNode' | 'PreferSameZone';

function topologyMode(endpoints: readonly Endpoint[], nodeName: string, zone: string | undefined): TopologyMode {
  let anyReady = false;
  let allNodeHints = true;
  let forNode = false;
  let allZoneHints = true;
  let forZone = false;
  for (const ep of endpoints) {
    if (!ep.ready) continue;
    anyReady = true;
    if (ep.nodeHints.length === 0) allNodeHints = false;
    else if (ep.nodeHints.includes(nodeName)) forNode = true;
    if (ep.zoneHints.length === 0) allZoneHints = false;
    else if (zone !== undefined && ep.zoneHints.includes(zone)) forZone = true;
  }
  if (!anyReady) return '';
  if (allNodeHints && forNode) return 'PreferSameNode';
  if (allZoneHints && forZone) return 'PreferSameZone';
  return '';
}

function availableForTopology(ep: Endpoint, mode: TopologyMode, nodeName: string, zone: string | undefined): boolean {
  if (mode === 'PreferSameNode') return ep.nodeHints.includes(nodeName);
  if (mode === 'PreferSameZone') return zone !== undefined && ep.zoneHints.includes(zone);
  return true;
}

export function categorizeEndpoints(
  endpoints: readonly Endpoint[],
  policies: TrafficPolicies,
  nodeName: string,
  zone?: string,
): CategorizedEndpoints {
  let clusterEndpoints: Endpoint[] = [];
  let localEndpoints: Endpoint[] = [];
  let hasAnyEndpoints = false;
  if (endpoints.length === 0) return { clusterEndpoints, localEndpoints, hasAnyEndpoints };

  if (policies.usesClusterEndpoints) {
    const mode = topologyMode(endpoints, nodeName, zone);
    clusterEndpoints = endpoints.filter((ep) => ep.ready && availableForTopology(ep, mode, nodeName, zone));
    // No ready endpoint anywhere (topology was already ignored if none fitted it): serving-terminating ones.
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter((ep) => ep.serving && ep.terminating);
    if (clusterEndpoints.length > 0) hasAnyEndpoints = true;
  }
  if (!policies.usesLocalEndpoints) return { clusterEndpoints, localEndpoints, hasAnyEndpoints };

  let localReady = false;
  let localServingTerminating = false;
  for (const ep of endpoints) {
    if (ep.ready) {
      hasAnyEndpoints = true;
      if (ep.local) localReady = true;
    } else if (ep.serving && ep.terminating) {
      hasAnyEndpoints = true;
      if (ep.local) localServingTerminating = true;
    }
  }
  if (localReady) localEndpoints = endpoints.filter((ep) => ep.local && ep.ready);
  else if (localServingTerminating) localEndpoints = endpoints.filter((ep) => ep.local && ep.serving && ep.terminating);
  return { clusterEndpoints, localEndpoints, hasAnyEndpoints };
}
