// Plain-object builders for the proxy's tests: Services, EndpointSlices and node facts.
import type { EndpointSlice, Service } from '../../../core/index.js';
import type { NodeFacts } from './types.js';

export const NODE: NodeFacts = {
  name: 'node-a',
  ips: ['192.0.2.10'],
  clusterCidr: '10.42.0.0/16',
  serviceCidr: '10.43.0.0/16',
};

export function service(name: string, spec: Service['spec'], status?: Service['status']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns' },
    spec: { clusterIP: '10.43.0.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec },
    status,
  };
}

export interface Ep {
  ip: string;
  node?: string | null;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zones?: string[];
}

export function slice(
  svc: string,
  eps: Ep[],
  ports: { name?: string; port?: number; protocol?: string }[] = [{ name: 'http', port: 8080, protocol: 'TCP' }],
  name = `${svc}-abc`,
  addressType = 'IPv4',
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'ns', labels: { 'kubernetes.io/service-name': svc } },
    addressType,
    ports,
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      ...(e.node === null ? {} : { nodeName: e.node ?? 'node-a' }),
      conditions: {
        ...(e.ready === undefined ? {} : { ready: e.ready }),
        ...(e.serving === undefined ? {} : { serving: e.serving }),
        ...(e.terminating === undefined ? {} : { terminating: e.terminating }),
      },
      ...(e.zones ? { hints: { forZones: e.zones.map((z) => ({ name: z })) } } : {}),
    })),
  };
}
