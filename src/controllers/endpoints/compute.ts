// Pure: the core/v1 Endpoints subsets of a Service from its pods (pkg/controller/endpoint).
// Ready pods go to addresses, others to notReadyAddresses (all to addresses with
// publishNotReadyAddresses). Pods with the same resolved ports share a subset; order is canonical so
// an unchanged input gives an identical object and no write.

import type { Pod } from '../nodelifecycle/core-types.js';
import { podIp, podIsReady, podServes, resolveTargetPort, type Service, selectsPod } from './service.js';

export interface EndpointAddress {
  ip: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports: EndpointPort[];
}

export function endpointPortsFor(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

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
  if (pod.spec.nodeName) a.nodeName = pod.spec.nodeName;
  return a;
}

export function computeEndpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const selector = svc.spec?.selector ?? {};
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, EndpointSubset>();
  for (const pod of pods) {
    if (pod.metadata.namespace !== svc.metadata.namespace || !selectsPod(selector, pod) || !podServes(pod, false))
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
    if (publishNotReady || podIsReady(pod)) {
      subset.addresses = subset.addresses ?? [];
      subset.addresses.push(address);
    } else {
      subset.notReadyAddresses = subset.notReadyAddresses ?? [];
      subset.notReadyAddresses.push(address);
    }
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) =>
    a.ip.localeCompare(b.ip) || a.targetRef.uid.localeCompare(b.targetRef.uid);
  const subsets = [...groups.values()];
  for (const s of subsets) {
    s.addresses?.sort(byIp);
    s.notReadyAddresses?.sort(byIp);
    s.ports.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port);
  }
  return subsets.sort((a, b) => JSON.stringify(a.ports).localeCompare(JSON.stringify(b.ports)));
}

/** JSON with object keys sorted: compares what the server returns with what we built, whatever the key order. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(value).sort()) sorted[k] = (value as Record<string, unknown>)[k];
      return sorted;
    }
    return value;
  });
}
