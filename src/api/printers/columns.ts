// Column definitions shared by the printers, with upstream's names, types and priorities.
import type { TableColumn } from '../policy.js';
import { at, list, str } from './access.js';

export function column(
  name: string,
  type: TableColumn['type'],
  description: string,
  opts: { priority?: number; format?: string } = {},
): TableColumn {
  return { name, type, format: opts.format ?? '', description, priority: opts.priority ?? 0 };
}

export const nameColumn = (): TableColumn =>
  column(
    'Name',
    'string',
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
    { format: 'name' },
  );

export const ageColumn = (): TableColumn =>
  column(
    'Age',
    'string',
    'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
  );

/** The `-o wide` trio of workload printers. */
export const templateColumns = (selectorDescription: string): TableColumn[] => [
  column('Containers', 'string', 'Names of each container in the template.', { priority: 1 }),
  column('Images', 'string', 'Images referenced by each container in the template.', { priority: 1 }),
  column('Selector', 'string', selectorDescription, { priority: 1 }),
];

/** layoutContainerCells: container names and images, comma-joined. */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = list(at(podSpec, 'containers'));
  return [containers.map((c) => str(at(c, 'name'))).join(','), containers.map((c) => str(at(c, 'image'))).join(',')];
}
