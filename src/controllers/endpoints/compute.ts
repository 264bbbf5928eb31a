// Pure: the core/v1 Endpoints subsets of a Service from its pods (pkg/controller/endpoint).
// Ready pods go to addresses, others to notReadyAddresses (all to addresses with
// publishNotReadyAddresses). Pods with the same resolved ports share a subset; order is canonical so
// an unchanged input gives an identical object and no write.

import { type EndpointAddress, type EndpointSubset, isPodReady, type Pod, type Service } from '../../core/index.js';
import { endpointPortsFor, podIp, podServes, type ResolvedPort, serviceSelector } from '../shared/service-pods.js';

/** A subset as this controller builds it: ports always present (none for a service without ports). */
export type PodSubset = EndpointSubset & { ports: ResolvedPort[] };

export function addressOf(pod: Pod): EndpointAddress {
  const a: EndpointAddress = {
    ip: podIp(pod) ?? '',
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      uid: pod.metadata.uid ?? '',
    },
  };
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  return a;
}

export function computeEndpointSubsets(svc: Service, pods: readonly Pod[]): PodSubset[] {
  const selector = serviceSelector(svc);
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, PodSubset>();
  for (const pod of pods) {
    if (
      pod.metadata.namespace !== svc.metadata.namespace ||
      !selector.matches(pod.metadata.labels) ||
      !podServes(pod, false)
    )
      continue;
    const ports = endpointPortsFor(svc, pod);
    // A service without ports still lists its pods (headless services), in a subset with no ports.
    if (ports.length === 0 && (svc.spec?.ports?.length ?? 0) > 0) continue;
    const key = JSON.stringify(ports);
    let subset = groups.get(key);
    if (!subset) {
      subset = { ports };
      groups.set(key, subset);
    }
    const address = addressOf(pod);
    if (publishNotReady || isPodReady(pod)) {
      subset.addresses = subset.addresses ?? [];
      subset.addresses.push(address);
    } else {
      subset.notReadyAddresses = subset.notReadyAddresses ?? [];
      subset.notReadyAddresses.push(address);
    }
  }
  // addressOf always sets targetRef.
  const byIp = (a: EndpointAddress, b: EndpointAddress) =>
    a.ip.localeCompare(b.ip) || a.targetRef!.uid!.localeCompare(b.targetRef!.uid!);
  const subsets = [...groups.values()];
  for (const s of subsets) {
    s.addresses?.sort(byIp);
    s.notReadyAddresses?.sort(byIp);
    s.ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
  }
  return subsets.sort((a, b) => JSON.stringify(a.ports).localeCompare(JSON.stringify(b.ports)));
}
