// Event rows (upstream's printEvent) for core/v1 and events.k8s.io/v1. Both versions print the same
// table upstream; the row reads either wire shape (involvedObject/regarding, message/note, ...).
import type { TableSpec } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { at, optNum, str } from './access.js';
import { column, nameColumn } from './columns.js';
import { ageSince, parseTimestamp } from './duration.js';

const pick = (ev: KubeObject, ...keys: string[]): unknown => {
  for (const k of keys) {
    const v = ev[k];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
};

export function eventRow(ev: KubeObject, now: number): unknown[] {
  const involved = pick(ev, 'involvedObject', 'regarding');
  const source = pick(ev, 'source', 'deprecatedSource');
  const firstTs = pick(ev, 'firstTimestamp', 'deprecatedFirstTimestamp');
  const lastTs = pick(ev, 'lastTimestamp', 'deprecatedLastTimestamp');
  const series = pick(ev, 'series');

  const first = parseTimestamp(firstTs) === undefined ? ageSince(ev['eventTime'], now) : ageSince(firstTs, now);
  let last = parseTimestamp(lastTs) === undefined ? first : ageSince(lastTs, now);
  let count = optNum(pick(ev, 'count', 'deprecatedCount')) ?? 0;
  if (series !== undefined) {
    last = ageSince(at(series, 'lastObservedTime'), now);
    count = optNum(at(series, 'count')) ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }

  const kind = str(at(involved, 'kind')).toLowerCase();
  const name = str(at(involved, 'name'));
  const component = str(at(source, 'component')) || str(ev['reportingController']) || str(ev['reportingComponent']);
  const host = str(at(source, 'host')) || str(ev['reportingInstance']);

  return [
    last,
    str(ev['type']),
    str(ev['reason']),
    name ? `${kind}/${name}` : kind,
    str(at(involved, 'fieldPath')),
    host ? `${component}, ${host}` : component,
    str(pick(ev, 'message', 'note')).trim(),
    first,
    count,
    ev.metadata.name ?? '',
  ];
}

export const eventTable: TableSpec = {
  columns: [
    column('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column(
      'Reason',
      'string',
      "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
    ),
    column('Object', 'string', 'The object that this event is about.'),
    column(
      'Subobject',
      'string',
      'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.',
      { priority: 1 },
    ),
    column('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', {
      priority: 1,
    }),
    column('Message', 'string', 'A human-readable description of the status of this operation.'),
    column(
      'First Seen',
      'string',
      'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)',
      { priority: 1 },
    ),
    column('Count', 'string', 'The number of times this event has occurred.', { priority: 1 }),
    { ...nameColumn(), priority: 1 },
  ],
  row: eventRow,
};
