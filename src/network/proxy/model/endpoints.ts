// EndpointSlices → the endpoints of each service port, as upstream's endpoint slice cache merges them:
// IPv4 slices only, the first address of each endpoint, one entry per ip:port (a ready copy wins over a
// not-ready one), conditions defaulted as the API documents (ready unset = ready, serving unset = ready,
// terminating unset = not terminating).
import { type EndpointSlice, isIPv4 } from '../../../core/index.js';
import type { Endpoint, Protocol } from './types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Key of a service port inside a service: port name and protocol, as slices name their ports. */
export function portKey(portName: string, protocol: Protocol): string {
  return `${portName}/${protocol}`;
}

export function toProtocol(p: string | undefined): Protocol | undefined {
  switch (p ?? 'TCP') {
    case 'TCP':
      return 'tcp';
    case 'UDP':
      return 'udp';
    case 'SCTP':
      return 'sctp';
    default:
      return undefined;
  }
}

export function isIPv4Address(s: string | undefined): s is string {
  return s !== undefined && isIPv4(s);
}

/** Endpoints of every port of one service, keyed by `portKey`, from all of the service's slices. */
export function endpointsByPort(slices: readonly EndpointSlice[], nodeName: string): Map<string, Endpoint[]> {
  const byPort = new Map<string, Map<string, Endpoint>>();
  const sorted = [...slices].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  for (const slice of sorted) {
    if (slice.addressType !== 'IPv4') continue;
    for (const sp of slice.ports ?? []) {
      const protocol = toProtocol(sp.protocol);
      if (protocol === undefined || typeof sp.port !== 'number') continue;
      const key = portKey(sp.name ?? '', protocol);
      let eps = byPort.get(key);
      if (!eps) {
        eps = new Map();
        byPort.set(key, eps);
      }
      for (const e of slice.endpoints ?? []) {
        const ip = e.addresses?.[0];
        if (!isIPv4Address(ip)) continue;
        const ready = e.conditions?.ready ?? true;
        const ep: Endpoint = {
          ip,
          port: sp.port,
          ready,
          serving: e.conditions?.serving ?? ready,
          terminating: e.conditions?.terminating ?? false,
          nodeName: e.nodeName,
          local: e.nodeName !== undefined && e.nodeName === nodeName,
          zoneHints: (e.hints?.forZones ?? []).map((z) => z.name),
          nodeHints: ((e.hints as { forNodes?: { name: string }[] } | undefined)?.forNodes ?? []).map((n) => n.name),
        };
        const id = `${ip}:${sp.port}`;
        if (!eps.has(id) || ep.ready) eps.set(id, ep);
      }
    }
  }
  const out = new Map<string, Endpoint[]>();
  for (const [k, eps] of byPort) out.set(k, [...eps.values()]);
  return out;
}
