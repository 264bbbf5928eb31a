// Node rows (upstream's printNode): STATUS from the Ready condition plus SchedulingDisabled, ROLES from
// node-role.kubernetes.io/<role> and kubernetes.io/role labels.
import type { TableSpec } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { at, list, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

export function nodeRoles(node: KubeObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeStatus(node: KubeObject): string {
  // Upstream keeps the last condition of each type and reports only Ready.
  let ready: unknown;
  for (const c of list(at(node, 'status', 'conditions'))) if (at(c, 'type') === 'Ready') ready = c;
  const status: string[] = [];
  if (ready !== undefined) status.push(at(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (at(node, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: KubeObject, type: string): string {
  const a = list(at(node, 'status', 'addresses')).find((x) => at(x, 'type') === type);
  return a === undefined ? '<none>' : str(at(a, 'address'));
}

const info = (node: KubeObject, field: string): string => str(at(node, 'status', 'nodeInfo', field));

export const nodeTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
    column('External-IP', 'string', 'List of addresses reachable to the node.', { priority: 1 }),
    column(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      { priority: 1 },
    ),
    column(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      { priority: 1 },
    ),
    column(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      { priority: 1 },
    ),
  ],
  row: (node, now) => [
    node.metadata.name ?? '',
    nodeStatus(node),
    nodeRoles(node).join(',') || '<none>',
    ageSince(node.metadata.creationTimestamp, now),
    info(node, 'kubeletVersion'),
    address(node, 'InternalIP'),
    address(node, 'ExternalIP'),
    info(node, 'osImage') || '<unknown>',
    info(node, 'kernelVersion') || '<unknown>',
    info(node, 'containerRuntimeVersion') || '<unknown>',
  ],
};
