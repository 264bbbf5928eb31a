// Label and field selector filtering for the fake server, on the core selectors (upstream semantics).
// Fields are read from the object by their dotted path, so any field works, not only the ones a real
// server indexes.
import { isPlainObject } from '../../core/json.js';
import {
  everything,
  type FieldSelector,
  type LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../../core/selectors/index.js';
import type { KubeObject } from '../../core/types.js';

export interface ObjectFilter {
  labels: LabelSelector;
  fields?: FieldSelector;
}

export function parseFilter(labelSelector: string | null, fieldSelector: string | null): ObjectFilter {
  return {
    labels: labelSelector ? parseLabelSelector(labelSelector) : everything(),
    fields: fieldSelector ? parseFieldSelector(fieldSelector) : undefined,
  };
}

function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return '';
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function objectMatches(obj: KubeObject, filter: ObjectFilter): boolean {
  if (!filter.labels.matches(obj.metadata.labels)) return false;
  if (!filter.fields) return true;
  const fields: Record<string, string> = {};
  for (const r of filter.fields.requirements()) fields[r.field] = fieldValue(obj, r.field);
  return filter.fields.matches(fields);
}
