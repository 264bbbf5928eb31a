// Pure: the EndpointSlices mirrored from a user-written Endpoints object of a selector-less Service
// (upstream pkg/controller/endpointslicemirroring): which Endpoints are mirrored, and the plan of slice writes.
// - mirrored only when the Service exists without a selector and the Endpoints carries neither the label
//   `endpointslice.kubernetes.io/skip-mirror: "true"` (set on the ones the endpoints controller and the API
//   server write) nor the leader-election annotation;
// - one slice per address family and port list (subsets with the same ports share it); ready addresses get
//   `ready: true`, notReadyAddresses `ready: false`; hostname, nodeName and targetRef are kept; an address that
//   is no IP is dropped; at most 1000 addresses per subset are mirrored (upstream's default), ready ones first;
// - the slice takes the Endpoints' labels (plus service-name and managed-by) and annotations (but the trigger
//   time and kubectl's last-applied), and is owned by the Endpoints.

import {
  type EndpointSlice,
  type Endpoints,
  isIPv4,
  jsonEqual,
  type Service,
  type SliceEndpoint,
  type SliceEndpointPort,
  stableJson,
} from '../../core/index.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MIRROR_MANAGED_BY = 'endpointslicemirroring-controller.k8s.io';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
export const MAX_ENDPOINTS_PER_SUBSET = 1000;
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
const DROPPED_ANNOTATIONS = [
  'endpoints.kubernetes.io/last-change-trigger-time',
  'kubectl.kubernetes.io/last-applied-configuration',
];

/** Whether the Endpoints of this Service are mirrored into EndpointSlices. */
export function shouldMirror(svc: Service | undefined, ep: Endpoints | undefined): boolean {
  if (!svc || !ep || svc.metadata.deletionTimestamp) return false;
  if (svc.spec?.selector && Object.keys(svc.spec.selector).length > 0) return false;
  if (ep.metadata.labels?.[SKIP_MIRROR_LABEL] === 'true') return false;
  if (ep.metadata.annotations?.[LEADER_ANNOTATION] !== undefined) return false;
  return true;
}

const isIPv6 = (s: string) => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);

interface Group {
  addressType: 'IPv4' | 'IPv6';
  ports: SliceEndpointPort[];
  endpoints: SliceEndpoint[];
}

function groupKey(addressType: string, ports: readonly SliceEndpointPort[]): string {
  return `${addressType}/${stableJson(ports)}`;
}

/** The slices' content: one group per address family and port list, in the order the subsets name them. */
export function mirroredGroups(ep: Endpoints): Map<string, Group> {
  const groups = new Map<string, Group>();
  const seen = new Map<string, Set<string>>();
  for (const subset of ep.subsets ?? []) {
    const ports = (subset.ports ?? [])
      .map((p) => {
        const sp: SliceEndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
        if (p.appProtocol) sp.appProtocol = p.appProtocol;
        return sp;
      })
      .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || (a.port ?? 0) - (b.port ?? 0));
    const addresses = [
      ...(subset.addresses ?? []).map((a) => ({ a, ready: true })),
      ...(subset.notReadyAddresses ?? []).map((a) => ({ a, ready: false })),
    ].slice(0, MAX_ENDPOINTS_PER_SUBSET);
    for (const { a, ready } of addresses) {
      const addressType = isIPv4(a.ip) ? 'IPv4' : isIPv6(a.ip) ? 'IPv6' : undefined;
      if (!addressType) continue;
      const key = groupKey(addressType, ports);
      let g = groups.get(key);
      if (!g) {
        g = { addressType, ports, endpoints: [] };
        groups.set(key, g);
        seen.set(key, new Set());
      }
      const ips = seen.get(key)!;
      if (ips.has(a.ip)) continue;
      ips.add(a.ip);
      const e: SliceEndpoint = { addresses: [a.ip], conditions: { ready } };
      if (a.hostname) e.hostname = a.hostname;
      if (a.nodeName) e.nodeName = a.nodeName;
      if (a.targetRef) e.targetRef = a.targetRef;
      g.endpoints.push(e);
    }
  }
  return groups;
}

function sliceMeta(ep: Endpoints): Pick<EndpointSlice['metadata'], 'labels' | 'annotations' | 'ownerReferences'> {
  const labels: Record<string, string> = { ...ep.metadata.labels };
  labels[SERVICE_NAME_LABEL] = ep.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = MIRROR_MANAGED_BY;
  const annotations: Record<string, string> = { ...ep.metadata.annotations };
  for (const a of DROPPED_ANNOTATIONS) delete annotations[a];
  return {
    labels,
    annotations,
    ownerReferences: [
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        name: ep.metadata.name ?? '',
        uid: ep.metadata.uid ?? '',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  };
}

export interface MirrorPlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

/** The writes that make the mirrored slices of `ep` (the `existing` ones, ours only) match it. */
export function planMirroredSlices(ep: Endpoints, existing: readonly EndpointSlice[]): MirrorPlan {
  const plan: MirrorPlan = { create: [], update: [], delete: [] };
  const meta = sliceMeta(ep);
  const byKey = new Map<string, EndpointSlice>();
  for (const s of [...existing].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))) {
    const key = groupKey(s.addressType ?? '', s.ports ?? []);
    if (byKey.has(key)) plan.delete.push(s);
    else byKey.set(key, s);
  }
  for (const [key, g] of mirroredGroups(ep)) {
    const have = byKey.get(key);
    byKey.delete(key);
    if (!have) {
      plan.create.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${ep.metadata.name}-`, namespace: ep.metadata.namespace, ...meta },
        addressType: g.addressType,
        endpoints: g.endpoints,
        ports: g.ports,
      });
      continue;
    }
    const same =
      jsonEqual(have.endpoints ?? [], g.endpoints) &&
      jsonEqual(have.metadata.labels ?? {}, meta.labels) &&
      jsonEqual(have.metadata.annotations ?? {}, meta.annotations) &&
      jsonEqual(have.metadata.ownerReferences ?? [], meta.ownerReferences);
    if (!same) plan.update.push({ ...have, metadata: { ...have.metadata, ...meta }, endpoints: g.endpoints });
  }
  plan.delete.push(...byKey.values());
  return plan;
}
