// Service, Endpoints and EndpointSlice rows (upstream's printService, printEndpoints, printEndpointSlice).
// The server always renders wide output, so load-balancer addresses are never clipped.
import { formatLabels } from '../../core/selectors/index.js';
import type { TableSpec } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { at, list, num, optNum, str, strMap } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';

function loadBalancerAddresses(svc: KubeObject): string {
  const found = new Set<string>();
  for (const ing of list(at(svc, 'status', 'loadBalancer', 'ingress'))) {
    const ip = str(at(ing, 'ip'));
    const host = str(at(ing, 'hostname'));
    if (ip) found.add(ip);
    else if (host) found.add(host);
  }
  return [...found].sort().join(',');
}

function externalIP(svc: KubeObject): string {
  const external = list(at(svc, 'spec', 'externalIPs')).map(str);
  switch (str(at(svc, 'spec', 'type'))) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (external.length > 0) return [...(lb ? lb.split(',') : []), ...external].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(at(svc, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

/** `80/TCP`, or `80:30080/TCP` with a node port. */
export function servicePorts(svc: KubeObject): string {
  return list(at(svc, 'spec', 'ports'))
    .map((p) => {
      const protocol = str(at(p, 'protocol')) || 'TCP';
      const nodePort = num(at(p, 'nodePort'));
      return nodePort > 0 ? `${num(at(p, 'port'))}:${nodePort}/${protocol}` : `${num(at(p, 'port'))}/${protocol}`;
    })
    .join(',');
}

function clusterIP(svc: KubeObject): string {
  const first = at(svc, 'spec', 'clusterIPs', 0);
  if (typeof first === 'string') return first;
  return str(at(svc, 'spec', 'clusterIP')) || '<none>';
}

export const serviceTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column(
      'External-IP',
      'string',
      'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    ),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageColumn(),
    column('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', {
      priority: 1,
    }),
  ],
  row: (svc, now) => [
    svc.metadata.name ?? '',
    str(at(svc, 'spec', 'type')),
    clusterIP(svc),
    externalIP(svc),
    servicePorts(svc) || '<none>',
    ageSince(svc.metadata.creationTimestamp, now),
    formatLabels(strMap(at(svc, 'spec', 'selector'))),
  ],
};

const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

/** formatEndpoints: up to three `ip:port` entries, then `+ N more...`. */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = list(at(ep, 'subsets'));
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const shown: string[] = [];
  let count = 0;
  let more = false;
  for (const ss of subsets) {
    const addresses = list(at(ss, 'addresses'));
    const ports = list(at(ss, 'ports'));
    // Headless services may have addresses without ports.
    const portNumbers = ports.length === 0 ? [undefined] : ports.map((p) => num(at(p, 'port')));
    for (const port of portNumbers) {
      count += addresses.length;
      for (const a of addresses) {
        if (shown.length === max) {
          more = true;
          break;
        }
        const ip = str(at(a, 'ip'));
        shown.push(port === undefined ? ip : joinHostPort(ip, port));
      }
    }
  }
  const text = shown.join(',');
  return more ? `${text} + ${count - max} more...` : text;
}

export const endpointsTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'),
    ageColumn(),
  ],
  row: (ep, now) => [ep.metadata.name ?? '', formatEndpoints(ep), ageSince(ep.metadata.creationTimestamp, now)],
};

/** listWithMoreString: `a,b,c + N more...`, `<unset>` when empty. */
function listWithMore(items: string[], max: number): string {
  const text = items.slice(0, max).join(',');
  if (items.length > max) return `${text} + ${items.length - max} more...`;
  return text || '<unset>';
}

export const endpointSliceTable: TableSpec = {
  columns: [
    nameColumn(),
    column('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    column('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    column('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageColumn(),
  ],
  row: (slice, now) => {
    const ports = list(at(slice, 'ports')).map((p) => {
      const port = optNum(at(p, 'port'));
      if (port !== undefined) return String(port);
      const name = at(p, 'name');
      return typeof name === 'string' ? name : '*';
    });
    const addresses = list(at(slice, 'endpoints')).flatMap((e) => list(at(e, 'addresses')).map(str));
    return [
      slice.metadata.name ?? '',
      str(at(slice, 'addressType')),
      listWithMore(ports, 3),
      listWithMore(addresses, 3),
      ageSince(slice.metadata.creationTimestamp, now),
    ];
  },
};
