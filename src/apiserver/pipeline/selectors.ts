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

/** Parses the selectors (400 when invalid); undefined when there are none, i.e. everything matches. */
export function objectMatcher(r: ServedResource, opts: SelectorOptions): ObjectMatcher | undefined {
  let labels: LabelSelector | undefined;
  let fields: FieldSelector | undefined;
  if (opts.labelSelector) labels = parseLabelSelector(opts.labelSelector);
  const custom = r.custom?.fields;
  if (opts.fieldSelector) {
    const parsed = parseFieldSelector(opts.fieldSelector);
    fields = custom ? checkCustomFields(custom.accepted, parsed) : convertFieldSelector(r.group, r.kind, parsed);
  }
  if (!labels && !fields) return undefined;
  return (o) => {
    if (labels && !labels.matches(o.metadata.labels ?? {})) return false;
    if (fields && !fields.matches(custom ? custom.labels(o) : selectableFields(r.group, r.kind, o, r.namespaced)))
      return false;
    return true;
  };
}

/** A custom resource's field selector names only its selectable fields (400 otherwise, as upstream). */
function checkCustomFields(accepted: string[], selector: FieldSelector): FieldSelector {
  return selector.transform((field, value) => {
    if (!accepted.includes(field)) throw errors.badRequest(`field label not supported: ${field}`);
    return { field, value };
  });
}
