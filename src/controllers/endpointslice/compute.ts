// Pure: the discovery.k8s.io/v1 EndpointSlices a Service should have, as a plan against the slices it
// has (pkg/controller/endpointslice reconciler, simplified packing):
// - endpoints are grouped by their resolved port list; each group has its own slices;
// - an endpoint already in a slice stays there (only its conditions are refreshed), so a pod that goes
//   Ready rewrites one slice, not all; new endpoints fill slices with room, then new slices;
// - at most maxEndpointsPerSlice (100) endpoints per slice; emptied slices are deleted;
// - a service with no endpoints at all keeps one empty placeholder slice, as upstream.

import {
  type EndpointSlice,
  isPodReady,
  type ObjectReference,
  type OwnerReference,
  type Pod,
  type Service,
  type SliceEndpoint,
  type SliceEndpointPort,
  jsonEqual,
} from '../../core/index.js';
import { endpointPortsFor, podIp, podServes, serviceSelector } from '../shared/service-pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

/** An endpoint as this planner writes it: one pod, its conditions always set. */
export type PodEndpoint = SliceEndpoint & {
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  targetRef: ObjectReference;
};

/** A port as this planner writes it: name ('' when the service port has none) and protocol set. */
export type SlicePort = SliceEndpointPort & { name: string; protocol: string };

/** A slice as this planner writes it. */
export type PlannedSlice = EndpointSlice & { endpoints: PodEndpoint[]; ports: SlicePort[] };

export interface SlicePlan {
  create: PlannedSlice[];
  update: PlannedSlice[];
  delete: EndpointSlice[];
}

// Ports read back from existing slices may lack port or protocol; they are copied as they are.
function slicePorts(ports: readonly SliceEndpointPort[]): SlicePort[] {
  return ports
    .map((p) => {
      const sp: SlicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol! };
      if (p.appProtocol) sp.appProtocol = p.appProtocol;
      return sp;
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.port! - b.port!);
}

function endpointOf(svc: Service, pod: Pod): PodEndpoint {
  const terminating = !!pod.metadata.deletionTimestamp;
  const serving = isPodReady(pod);
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: PodEndpoint = {
    addresses: [podIp(pod) ?? ''],
    conditions: { ready, serving, terminating },
    targetRef: {
      kind: 'Pod',
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name ?? '',
      uid: pod.metadata.uid ?? '',
    },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/** Desired endpoints by port-list key (JSON of the sorted slice ports). */
export function desiredEndpointsByPorts(
  svc: Service,
  pods: readonly Pod[],
): Map<string, { ports: SlicePort[]; endpoints: PodEndpoint[] }> {
  const out = new Map<string, { ports: SlicePort[]; endpoints: PodEndpoint[] }>();
  const selector = serviceSelector(svc);
  for (const pod of pods) {
    if (
      pod.metadata.namespace !== svc.metadata.namespace ||
      !selector.matches(pod.metadata.labels) ||
      !podServes(pod, true)
    )
      continue;
    const ports = slicePorts(endpointPortsFor(svc, pod));
    if (ports.length === 0 && (svc.spec?.ports?.length ?? 0) > 0) continue;
    const key = JSON.stringify(ports);
    let group = out.get(key);
    if (!group) {
      group = { ports, endpoints: [] };
      out.set(key, group);
    }
    group.endpoints.push(endpointOf(svc, pod));
  }
  return out;
}

export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  if (svc.spec?.clusterIP === 'None') labels['service.kubernetes.io/headless'] = '';
  return labels;
}

function ownerRef(svc: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: svc.metadata.name ?? '',
    uid: svc.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

// Existing slices are matched by the pod's uid: an endpoint without a targetRef matches no pod.
const endpointKey = (e: SliceEndpoint) => `${e.targetRef?.uid ?? ''}|${e.addresses[0]}`;
const byAddress = (a: PodEndpoint, b: PodEndpoint) =>
  a.addresses[0]!.localeCompare(b.addresses[0]!) || a.targetRef.uid!.localeCompare(b.targetRef.uid!);

export function newSlice(svc: Service, ports: SlicePort[], endpoints: PodEndpoint[]): PlannedSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc),
      ownerReferences: [ownerRef(svc)],
    },
    addressType: 'IPv4',
    endpoints: [...endpoints].sort(byAddress),
    ports,
  };
}

export function planEndpointSlices(
  svc: Service,
  pods: readonly Pod[],
  existing: readonly EndpointSlice[],
  maxPerSlice = DEFAULT_MAX_ENDPOINTS_PER_SLICE,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const desired = desiredEndpointsByPorts(svc, pods);
  const labels = sliceLabels(svc);
  const ours = existing.filter((s) => s.addressType === 'IPv4');
  const bySlicePorts = new Map<string, EndpointSlice[]>();
  for (const s of ours) {
    const key = JSON.stringify(slicePorts((s.ports ?? []).map((p) => ({ ...p, name: p.name || undefined }))));
    const list = bySlicePorts.get(key) ?? [];
    list.push(s);
    bySlicePorts.set(key, list);
  }
  // Slices whose port list no longer exists are emptied (and so deleted, or reused as placeholder).
  const orphaned: EndpointSlice[] = [];
  for (const [key, list] of bySlicePorts) if (!desired.has(key)) orphaned.push(...list);

  for (const [key, group] of desired) {
    const want = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const slices = (bySlicePorts.get(key) ?? []).map((s) => ({ slice: s, endpoints: [] as PodEndpoint[] }));
    // Keep each endpoint where it already is.
    for (const s of slices) {
      for (const e of s.slice.endpoints ?? []) {
        const k = endpointKey(e);
        const d = want.get(k);
        if (d && s.endpoints.length < maxPerSlice) {
          s.endpoints.push(d);
          want.delete(k);
        }
      }
    }
    // New endpoints fill slices with room first, then new slices.
    const rest = [...want.values()].sort(byAddress);
    for (const s of slices) while (rest.length > 0 && s.endpoints.length < maxPerSlice) s.endpoints.push(rest.shift()!);
    for (const s of slices) {
      if (s.endpoints.length === 0) {
        plan.delete.push(s.slice);
        continue;
      }
      const next: PlannedSlice = {
        ...s.slice,
        metadata: { ...s.slice.metadata, labels },
        endpoints: [...s.endpoints].sort(byAddress),
        ports: group.ports,
      };
      if (changed(s.slice, next)) plan.update.push(next);
    }
    while (rest.length > 0) plan.create.push(newSlice(svc, group.ports, rest.splice(0, maxPerSlice)));
  }

  const keptAny = plan.create.length > 0 || ours.length > plan.delete.length + orphaned.length;
  if (!keptAny) {
    // No endpoints at all: keep (or make) one empty placeholder slice.
    const reuse = orphaned.shift() ?? plan.delete.shift();
    if (reuse) {
      const placeholder: PlannedSlice = { ...reuse, metadata: { ...reuse.metadata, labels }, endpoints: [], ports: [] };
      if (changed(reuse, placeholder)) plan.update.push(placeholder);
    } else {
      plan.create.push(newSlice(svc, [], []));
    }
  }
  plan.delete.push(...orphaned);
  return plan;
}

function changed(a: EndpointSlice, b: EndpointSlice): boolean {
  return (
    !jsonEqual(a.endpoints ?? [], b.endpoints ?? []) ||
    !jsonEqual(a.ports ?? [], b.ports ?? []) ||
    !jsonEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {})
  );
}
