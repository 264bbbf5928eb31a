// Event field-selector attributes for core/v1 (involvedObject.*) and events.k8s.io/v1 (regarding.*).
// Both versions share one storage, so each labeler reads either wire shape.
import type { KubeObject } from '../../core/types.js';
import { firstText } from './access.js';

const REF_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

function ref(ev: KubeObject, field: string): string {
  return firstText(ev, ['involvedObject', field], ['regarding', field]);
}

function reportingController(ev: KubeObject): string {
  return firstText(ev, ['reportingComponent'], ['reportingController']);
}

export function coreEventFields(ev: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of REF_FIELDS) out[`involvedObject.${f}`] = ref(ev, f);
  out['reason'] = firstText(ev, ['reason']);
  out['reportingComponent'] = reportingController(ev);
  // `source` is source.component, else the reporting controller (pkg/registry/core/event/strategy.go).
  out['source'] = firstText(ev, ['source', 'component'], ['deprecatedSource', 'component']) || reportingController(ev);
  out['type'] = firstText(ev, ['type']);
  return out;
}

export function eventsV1Fields(ev: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of REF_FIELDS) out[`regarding.${f}`] = ref(ev, f);
  out['reason'] = firstText(ev, ['reason']);
  out['reportingController'] = reportingController(ev);
  out['type'] = firstText(ev, ['type']);
  return out;
}
