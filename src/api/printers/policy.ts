// ResourceQuota, PodDisruptionBudget and PriorityClass rows (upstream's printResourceQuota,
// printPodDisruptionBudget, printPriorityClass).
import type { TableSpec } from '../policy.js';
import { at, num, obj, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';
import { doc } from './swagger-docs.js';

export const resourceQuotaTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column(
      'Limit',
      'string',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
    ageColumn(),
  ],
  row(quota, now) {
    // `used/hard` per status.hard resource, sorted; `limits.*` resources go to the Limit column.
    const hard = obj(at(quota, 'status', 'hard'));
    const used = obj(at(quota, 'status', 'used'));
    const requests: string[] = [];
    const limits: string[] = [];
    for (const name of Object.keys(hard).sort()) {
      const cell = `${name}: ${str(used[name]) || '0'}/${str(hard[name]) || '0'}`;
      (name.split('.')[0] === 'limits' && name.includes('.') ? limits : requests).push(cell);
    }
    return [
      quota.metadata.name ?? '',
      requests.join(', '),
      limits.join(', '),
      ageSince(quota.metadata.creationTimestamp, now),
    ];
  },
};

/** intstr.String(): the number or the percentage text. */
const intOrString = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : 'N/A');

export const podDisruptionBudgetTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Min Available', 'string', 'The minimum number of pods that must be available.'),
    column('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    column('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  row: (pdb, now) => [
    pdb.metadata.name ?? '',
    intOrString(at(pdb, 'spec', 'minAvailable')),
    intOrString(at(pdb, 'spec', 'maxUnavailable')),
    num(at(pdb, 'status', 'disruptionsAllowed')),
    ageSince(pdb.metadata.creationTimestamp, now),
  ],
};

export const priorityClassTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Value', 'integer', doc('scheduling/v1/PriorityClass.value')),
    column('Global-Default', 'boolean', doc('scheduling/v1/PriorityClass.globalDefault')),
    ageColumn(),
    // Upstream gives this column priority 0 and fills it only for wide output, which the API server asks for.
    column('PreemptionPolicy', 'string', doc('scheduling/v1/PriorityClass.preemptionPolicy')),
  ],
  row: (pc, now) => [
    pc.metadata.name ?? '',
    num(at(pc, 'value')),
    at(pc, 'globalDefault') === true,
    ageSince(pc.metadata.creationTimestamp, now),
    str(at(pc, 'preemptionPolicy')),
  ],
};
