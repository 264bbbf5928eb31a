// Ingress, IngressClass and NetworkPolicy rows (upstream's printIngress, printIngressClass, printNetworkPolicy).
import { formatLabelSelector, type LabelSelectorObject } from '../../core/selectors/index.js';
import type { TableSpec } from '../policy.js';
import { at, list, obj, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';
import { doc } from './swagger-docs.js';

/** formatHosts: up to three hosts, `*` when no rule names one. */
function formatHosts(rules: unknown[]): string {
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    const host = str(at(rule, 'host'));
    if (!more && host) hosts.push(host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

/** The load balancer's IPs or hostnames, sorted and unique; unclipped, as the API server prints wide. */
function ingressAddresses(status: unknown): string {
  const out = new Set<string>();
  for (const ing of list(at(status, 'loadBalancer', 'ingress'))) {
    const ip = str(at(ing, 'ip'));
    const hostname = str(at(ing, 'hostname'));
    if (ip) out.add(ip);
    else if (hostname) out.add(hostname);
  }
  return [...out].sort().join(',');
}

export const ingressTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  row(ing, now) {
    const className = at(ing, 'spec', 'ingressClassName');
    return [
      ing.metadata.name ?? '',
      typeof className === 'string' ? className : '<none>',
      formatHosts(list(at(ing, 'spec', 'rules'))),
      ingressAddresses(ing.status),
      list(at(ing, 'spec', 'tls')).length > 0 ? '80, 443' : '80',
      ageSince(ing.metadata.creationTimestamp, now),
    ];
  },
};

export const ingressClassTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  row(ic, now) {
    const params = at(ic, 'spec', 'parameters');
    let parameters = '<none>';
    if (params !== undefined && params !== null) {
      const group = at(params, 'apiGroup');
      parameters = `${str(at(params, 'kind'))}${typeof group === 'string' ? `.${group}` : ''}/${str(at(params, 'name'))}`;
    }
    return [
      ic.metadata.name ?? '',
      str(at(ic, 'spec', 'controller')),
      parameters,
      ageSince(ic.metadata.creationTimestamp, now),
    ];
  },
};

export const networkPolicyTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Pod-Selector', 'string', doc('extensions/v1beta1/NetworkPolicySpec.podSelector')),
    ageColumn(),
  ],
  row: (np, now) => [
    np.metadata.name ?? '',
    formatLabelSelector(obj(at(np, 'spec', 'podSelector')) as LabelSelectorObject),
    ageSince(np.metadata.creationTimestamp, now),
  ],
};
