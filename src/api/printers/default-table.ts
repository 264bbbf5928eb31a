// The table upstream serves for resources without a printer (apiserver's defaultTableConvertor):
// the name and the creation time in RFC 3339, UTC, whole seconds.
import type { TableSpec } from '../policy.js';
import { column, nameColumn } from './columns.js';
import { parseTimestamp } from './duration.js';

function createdAt(ts: unknown): string {
  const t = parseTimestamp(ts);
  // A zero metav1.Time formats as Go's zero time.
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function defaultTable(): TableSpec {
  return {
    columns: [
      nameColumn(),
      column(
        'Created At',
        'date',
        'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.',
      ),
    ],
    row: (o) => [o.metadata.name ?? '', createdAt(o.metadata.creationTimestamp)],
  };
}
