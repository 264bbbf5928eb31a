// APIService rows, as kube-aggregator's REST ConvertToTable prints them: the backing service or `Local`,
// and the Available condition (`False (Reason)` when it carries one).
import type { TableSpec } from '../policy.js';
import { at, list, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';

export const apiServiceTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    column('Available', 'string', 'Whether this service is available.'),
    ageColumn(),
  ],
  row(svc, now) {
    const service = at(svc, 'spec', 'service');
    const ref =
      service !== undefined && service !== null
        ? `${str(at(service, 'namespace'))}/${str(at(service, 'name'))}`
        : 'Local';
    const condition = list(at(svc, 'status', 'conditions')).find((c) => at(c, 'type') === 'Available');
    let available = 'Unknown';
    if (condition) {
      const status = str(at(condition, 'status'));
      const reason = str(at(condition, 'reason'));
      available = status !== 'True' && reason ? `${status} (${reason})` : status;
    }
    return [svc.metadata.name ?? '', ref, available, ageSince(svc.metadata.creationTimestamp, now)];
  },
};
