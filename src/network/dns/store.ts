// The cluster objects DNS answers from, reduced to what the records need and indexed for lookups by
// name and by address. Fed from informers (or plain objects in tests); pure, no I/O.
import { isIP } from 'node:net';
import type { EndpointSlice, Namespace, Pod, Service } from '../../core/types.js';
import { canonicalIp } from './names.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface PortView {
  name: string;
  port: number;
  protocol: string;
}

export interface ServiceView {
  namespace: string;
  name: string;
  externalName?: string;
  headless: boolean;
  clusterIPs: string[];
  ports: PortView[];
  publishNotReadyAddresses: boolean;
}

export interface EndpointView {
  ip: string;
  hostname?: string;
  /** conditions.ready; undefined (unknown) counts as ready, as the API documents. */
  ready?: boolean;
  /** name of the Pod in targetRef, for its hostname/subdomain. */
  podName?: string;
}

export interface SliceView {
  namespace: string;
  name: string;
  service: string;
  /** Empty when the slice lists no ports (CoreDNS then answers with a port-less sentinel). */
  ports: PortView[];
  endpoints: EndpointView[];
}

export interface PodView {
  namespace: string;
  name: string;
  hostname?: string;
  subdomain?: string;
  ips: string[];
}

const key = (namespace: string, name: string) => `${namespace}/${name}`;

function addTo<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  const set = index.get(k);
  if (set) set.add(v);
  else index.set(k, new Set([v]));
}

function removeFrom<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  const set = index.get(k);
  if (!set) return;
  set.delete(v);
  if (set.size === 0) index.delete(k);
}

function portsOf(ports: { name?: string; port?: number; protocol?: string }[] | null | undefined): PortView[] {
  return (ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol ?? 'TCP' }));
}

export function serviceView(svc: Service): ServiceView {
  const spec = svc.spec ?? {};
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP ?? ''];
  const view: ServiceView = {
    namespace: svc.metadata.namespace ?? '',
    name: svc.metadata.name ?? '',
    headless: ips[0] === 'None',
    clusterIPs: ips.filter((ip) => isIP(ip) !== 0).map(canonicalIp),
    ports: portsOf(spec.ports),
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
  };
  if (spec.type === 'ExternalName') view.externalName = spec.externalName ?? '';
  return view;
}

export function sliceView(slice: EndpointSlice): SliceView | undefined {
  // FQDN slices carry names, not addresses; CoreDNS's record model has no place for them either.
  if (slice.addressType === 'FQDN') return undefined;
  const endpoints: EndpointView[] = [];
  for (const ep of slice.endpoints ?? []) {
    for (const address of ep.addresses ?? []) {
      if (isIP(address) === 0) continue;
      const view: EndpointView = { ip: canonicalIp(address) };
      if (ep.hostname) view.hostname = ep.hostname;
      if (ep.conditions?.ready !== undefined && ep.conditions.ready !== null) view.ready = ep.conditions.ready;
      if (ep.targetRef?.kind === 'Pod' && ep.targetRef.name) view.podName = ep.targetRef.name;
      endpoints.push(view);
    }
  }
  return {
    namespace: slice.metadata.namespace ?? '',
    name: slice.metadata.name ?? '',
    service: slice.metadata.labels?.[SERVICE_NAME_LABEL] ?? '',
    ports: (slice.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port ?? -1, protocol: p.protocol ?? 'TCP' })),
    endpoints,
  };
}

export function podView(pod: Pod): PodView {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip ?? '');
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  const view: PodView = {
    namespace: pod.metadata.namespace ?? '',
    name: pod.metadata.name ?? '',
    ips: ips.filter((ip) => isIP(ip) !== 0).map(canonicalIp),
  };
  if (pod.spec?.hostname) view.hostname = pod.spec.hostname;
  if (pod.spec?.subdomain) view.subdomain = pod.spec.subdomain;
  return view;
}

/** Indexed views of Services, EndpointSlices, Pods and Namespaces. */
export class RecordStore {
  private readonly services = new Map<string, ServiceView>();
  private readonly slices = new Map<string, SliceView>();
  private readonly pods = new Map<string, PodView>();
  private readonly namespaces = new Set<string>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly servicesByIp = new Map<string, Set<string>>();
  private readonly slicesByIp = new Map<string, Set<string>>();
  private readonly podsByIp = new Map<string, Set<string>>();
  /** Bumped on every change: lets a response cache know its entries are stale. */
  generation = 0;
  /** Unix seconds of the last change (the SOA serial, as CoreDNS). */
  modified = 0;

  constructor(private readonly now: () => number = Date.now) {}

  private changed(): void {
    this.generation++;
    this.modified = Math.floor(this.now() / 1000);
  }

  setService(svc: Service): void {
    this.removeService(svc.metadata.namespace ?? '', svc.metadata.name ?? '');
    const v = serviceView(svc);
    const k = key(v.namespace, v.name);
    this.services.set(k, v);
    for (const ip of v.clusterIPs) addTo(this.servicesByIp, ip, k);
    this.changed();
  }

  deleteService(svc: Service): void {
    this.removeService(svc.metadata.namespace ?? '', svc.metadata.name ?? '');
    this.changed();
  }

  private removeService(namespace: string, name: string): void {
    const k = key(namespace, name);
    const old = this.services.get(k);
    if (!old) return;
    for (const ip of old.clusterIPs) removeFrom(this.servicesByIp, ip, k);
    this.services.delete(k);
  }

  setEndpointSlice(slice: EndpointSlice): void {
    this.removeSlice(slice.metadata.namespace ?? '', slice.metadata.name ?? '');
    const v = sliceView(slice);
    if (v) {
      const k = key(v.namespace, v.name);
      this.slices.set(k, v);
      addTo(this.slicesByService, key(v.namespace, v.service), k);
      for (const ep of v.endpoints) addTo(this.slicesByIp, ep.ip, k);
    }
    this.changed();
  }

  deleteEndpointSlice(slice: EndpointSlice): void {
    this.removeSlice(slice.metadata.namespace ?? '', slice.metadata.name ?? '');
    this.changed();
  }

  private removeSlice(namespace: string, name: string): void {
    const k = key(namespace, name);
    const old = this.slices.get(k);
    if (!old) return;
    removeFrom(this.slicesByService, key(old.namespace, old.service), k);
    for (const ep of old.endpoints) removeFrom(this.slicesByIp, ep.ip, k);
    this.slices.delete(k);
  }

  setPod(pod: Pod): void {
    this.removePod(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    // A terminating pod answers no more (CoreDNS ignores pods with a deletionTimestamp).
    if (!pod.metadata.deletionTimestamp) {
      const v = podView(pod);
      const k = key(v.namespace, v.name);
      this.pods.set(k, v);
      for (const ip of v.ips) addTo(this.podsByIp, ip, k);
    }
    this.changed();
  }

  deletePod(pod: Pod): void {
    this.removePod(pod.metadata.namespace ?? '', pod.metadata.name ?? '');
    this.changed();
  }

  private removePod(namespace: string, name: string): void {
    const k = key(namespace, name);
    const old = this.pods.get(k);
    if (!old) return;
    for (const ip of old.ips) removeFrom(this.podsByIp, ip, k);
    this.pods.delete(k);
  }

  setNamespace(ns: Namespace): void {
    this.namespaces.add(ns.metadata.name ?? '');
    this.changed();
  }

  deleteNamespace(ns: Namespace): void {
    this.namespaces.delete(ns.metadata.name ?? '');
    this.changed();
  }

  namespaceExists(name: string): boolean {
    return this.namespaces.has(name);
  }

  service(namespace: string, name: string): ServiceView | undefined {
    return this.services.get(key(namespace, name));
  }

  slicesOf(svc: ServiceView): SliceView[] {
    const keys = this.slicesByService.get(key(svc.namespace, svc.name));
    if (!keys) return [];
    return [...keys].sort().map((k) => this.slices.get(k)!);
  }

  pod(namespace: string, name: string): PodView | undefined {
    return this.pods.get(key(namespace, name));
  }

  podsWithIp(ip: string): PodView[] {
    return [...(this.podsByIp.get(ip) ?? [])].map((k) => this.pods.get(k)!);
  }

  servicesWithClusterIp(ip: string): ServiceView[] {
    return [...(this.servicesByIp.get(ip) ?? [])].sort().map((k) => this.services.get(k)!);
  }

  slicesWithIp(ip: string): SliceView[] {
    return [...(this.slicesByIp.get(ip) ?? [])].sort().map((k) => this.slices.get(k)!);
  }
}
