// Plain-object fixtures for the DNS tests: namespaces, Services, EndpointSlices and Pods as the API
// server returns them.
import type { EndpointSlice, Namespace, Pod, Service } from '../../../core/types.js';

export function namespace(name: string): Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function clusterIpService(
  ns: string,
  name: string,
  ip: string | string[],
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }[] = [],
): Service {
  const ips = Array.isArray(ip) ? ip : [ip];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: {
      type: 'ClusterIP',
      clusterIP: ips[0],
      clusterIPs: ips,
      ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
    },
  };
}

export function headlessService(
  ns: string,
  name: string,
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[] = [],
  publishNotReadyAddresses = false,
): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: {
      type: 'ClusterIP',
      clusterIP: 'None',
      clusterIPs: ['None'],
      ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
      publishNotReadyAddresses,
    },
  };
}

export function externalNameService(ns: string, name: string, externalName: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: ns, name },
    spec: { type: 'ExternalName', externalName },
  };
}

export interface FixtureEndpoint {
  ip: string | string[];
  ready?: boolean;
  hostname?: string;
  pod?: string;
}

export function endpointSlice(
  ns: string,
  service: string,
  name: string,
  endpoints: FixtureEndpoint[],
  ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[] = [],
  addressType: 'IPv4' | 'IPv6' | 'FQDN' = 'IPv4',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
    addressType,
    endpoints: endpoints.map((e) => ({
      addresses: Array.isArray(e.ip) ? e.ip : [e.ip],
      ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }),
      ...(e.hostname ? { hostname: e.hostname } : {}),
      ...(e.pod ? { targetRef: { kind: 'Pod', namespace: ns, name: e.pod } } : {}),
    })),
    ports: ports.map((p) => ({ protocol: 'TCP', ...p })),
  };
}

export function pod(ns: string, name: string, ip: string, spec: { hostname?: string; subdomain?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: ns, name },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...spec },
    status: { podIP: ip, podIPs: [{ ip }] },
  };
}
