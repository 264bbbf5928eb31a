// Field-selector attributes per kind (pods' spec.nodeName, events' involvedObject.name, ...), the
// labels each kind accepts, and upstream's 400 for those it does not.
import { errors } from '../../core/status.js';
import type { FieldSelector } from '../../core/selectors/index.js';
import type { FieldLabeler } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { fieldSpecFor, hasCustomFields } from './registry.js';

/** Attributes beyond metadata.name/namespace; undefined for kinds that have none. */
export function fieldLabelerFor(group: string, kind: string): FieldLabeler | undefined {
  return hasCustomFields(group, kind) ? fieldSpecFor(group, kind).labeler : undefined;
}

/** Every label a field selector may name for this kind. */
export function supportedFieldLabels(group: string, kind: string): readonly string[] {
  return fieldSpecFor(group, kind).accepted;
}

/**
 * Checks a parsed selector against the kind's accepted labels and rewrites legacy aliases
 * (`spec.host` → `spec.nodeName`). Throws a 400 StatusError with upstream's message otherwise,
 * e.g. `field label not supported: spec.foo`.
 */
export function convertFieldSelector(group: string, kind: string, selector: FieldSelector): FieldSelector {
  const spec = fieldSpecFor(group, kind);
  return selector.transform((field, value) => {
    const renamed = spec.aliases?.[field] ?? field;
    if (!spec.accepted.includes(renamed)) throw errors.badRequest(spec.unsupported(field));
    return { field: renamed, value };
  });
}

/** The full field set of an object: metadata.name, metadata.namespace (namespaced kinds), and the kind's own. */
export function selectableFields(
  group: string,
  kind: string,
  obj: KubeObject,
  namespaced: boolean,
): Record<string, string> {
  const out: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
  if (namespaced) out['metadata.namespace'] = obj.metadata.namespace ?? '';
  return { ...fieldSpecFor(group, kind).labeler(obj), ...out };
}
