// events.k8s.io/v1 Event <-> core/v1 Event (storage), after pkg/apis/events/v1 conversion: the same object
// with renamed fields (regarding/involvedObject, note/message, reportingController/reportingComponent, and
// the deprecated* fields for source, first/last timestamp and count).
import type { VersionConverter } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { metadataWithout, pick } from './json.js';

// [events.k8s.io/v1 name, core/v1 name]
const RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['related', 'related'],
  ['note', 'message'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['action', 'action'],
  ['eventTime', 'eventTime'],
  ['series', 'series'],
  ['reportingController', 'reportingComponent'],
  ['reportingInstance', 'reportingInstance'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function toCore(o: KubeObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: metadataWithout(o, []),
    involvedObject: {},
    ...pick(o, RENAMES),
  };
}

function fromCore(o: KubeObject): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: metadataWithout(o, []),
    ...pick(
      o,
      RENAMES.map(([v1, core]) => [core, v1] as [string, string]),
    ),
  };
}

export const eventsV1Converter: VersionConverter = { toStorage: toCore, fromStorage: fromCore };
