// Rows of kinds with one or two plain columns: Namespace, ConfigMap, Secret, ServiceAccount, Lease.
import type { TableSpec } from '../policy.js';
import { at, list, obj, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';

export const namespaceTable: TableSpec = {
  columns: [nameColumn(), column('Status', 'string', 'The status of the namespace'), ageColumn()],
  row: (ns, now) => [
    ns.metadata.name ?? '',
    str(at(ns, 'status', 'phase')),
    ageSince(ns.metadata.creationTimestamp, now),
  ],
};

export const configMapTable: TableSpec = {
  columns: [nameColumn(), column('Data', 'string', 'Data contains the configuration data.'), ageColumn()],
  row: (cm, now) => [
    cm.metadata.name ?? '',
    Object.keys(obj(cm['data'])).length + Object.keys(obj(cm['binaryData'])).length,
    ageSince(cm.metadata.creationTimestamp, now),
  ],
};

export const secretTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'string', 'Data contains the secret data.'),
    ageColumn(),
  ],
  row: (secret, now) => {
    // stringData is write-only upstream (merged into data); count its keys if a writer left it.
    const keys = new Set([...Object.keys(obj(secret['data'])), ...Object.keys(obj(secret['stringData']))]);
    return [
      secret.metadata.name ?? '',
      str(secret['type']),
      keys.size,
      ageSince(secret.metadata.creationTimestamp, now),
    ];
  },
};

export const serviceAccountTable: TableSpec = {
  columns: [
    nameColumn(),
    column(
      'Secrets',
      'string',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    ageColumn(),
  ],
  row: (sa, now) => [sa.metadata.name ?? '', list(sa['secrets']).length, ageSince(sa.metadata.creationTimestamp, now)],
};

export const leaseTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'),
    ageColumn(),
  ],
  row: (lease, now) => [
    lease.metadata.name ?? '',
    str(at(lease, 'spec', 'holderIdentity')),
    ageSince(lease.metadata.creationTimestamp, now),
  ],
};
