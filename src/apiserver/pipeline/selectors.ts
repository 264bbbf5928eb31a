// Label and field selectors of list, watch and deletecollection, as a predicate on served objects.
import { convertFieldSelector, selectableFields } from '../../api/fields/index.js';
import {
  type FieldSelector,
  type LabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from '../../core/selectors/index.js';
import { errors } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import type { ServedResource } from '../resources.js';
import type { SelectorOptions } from './types.js';

export type ObjectMatcher = (o: KubeObject) => boolean;

/**
 * What selectors read of an object: its labels and its selectable fields. Small, so LIST and WATCH keep
 * one per stored object (`pipeline/served.ts`) rather than the parsed object.
 */
export interface SelectorView {
  labels: Record<string, string>;
  fields: Record<string, string>;
}

export type ViewMatcher = (v: SelectorView) => boolean;

export function selectorView(r: ServedResource, o: KubeObject): SelectorView {
  const custom = r.custom?.fields;
  return {
    labels: o.metadata.labels ?? {},
    fields: custom ? custom.labels(o) : selectableFields(r.group, r.kind, o, r.namespaced),
  };
}

/** Parses the selectors (400 when invalid); undefined when there are none, i.e. everything matches. */
export function selectorMatcher(r: ServedResource, opts: SelectorOptions): ViewMatcher | undefined {
  let labels: LabelSelector | undefined;
  let fields: FieldSelector | undefined;
  if (opts.labelSelector) labels = parseLabelSelector(opts.labelSelector);
  const custom = r.custom?.fields;
  if (opts.fieldSelector) {
    const parsed = parseFieldSelector(opts.fieldSelector);
    fields = custom ? checkCustomFields(custom.accepted, parsed) : convertFieldSelector(r.group, r.kind, parsed);
  }
  if (!labels && !fields) return undefined;
  return (v) => {
    if (labels && !labels.matches(v.labels)) return false;
    if (fields && !fields.matches(v.fields)) return false;
    return true;
  };
}

/** `selectorMatcher` on objects. */
export function objectMatcher(r: ServedResource, opts: SelectorOptions): ObjectMatcher | undefined {
  const match = selectorMatcher(r, opts);
  return match && ((o) => match(selectorView(r, o)));
}

/** A custom resource's field selector names only its selectable fields (400 otherwise, as upstream). */
function checkCustomFields(accepted: string[], selector: FieldSelector): FieldSelector {
  return selector.transform((field, value) => {
    if (!accepted.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, value };
  });
}
