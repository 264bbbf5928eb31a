// Metadata the pipeline decides rather than the client: the namespace (the request's), generated names,
// the field manager, and the validation that closes every write.
import { jsonEqual } from '../../core/json.js';
import { type FieldError, errors, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import type { ServedResource } from '../resources.js';
import type { Target, WriteOptions } from './types.js';

/** The `fieldManager` parameter, else the product name of the user agent (`kubectl/v1.32` -> `kubectl`). */
export function managerOf(opts: WriteOptions): string {
  if (opts.fieldManager) return opts.fieldManager;
  const ua = opts.userAgent ?? 'unknown';
  return ua.split('/')[0] || 'unknown';
}

/** A namespaced object lives in the request's namespace; a cluster-scoped one in none. */
export function checkNamespaceMatch(t: Target, obj: KubeObject): void {
  if (!t.resource.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const ns = t.namespace;
  if (!ns) throw errors.badRequest('the namespace of the object must be given in the request path');
  if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = ns;
}

/** The type's validator (src/api/validation), or at least a name; 422 with field causes. */
export function validate(r: ServedResource, obj: KubeObject, old?: KubeObject): void {
  const errs: FieldError[] = r.validator ? r.validator(obj, old) : [];
  if (!r.validator && !obj.metadata.name)
    errs.push(field.required('metadata.name', 'name or generateName is required'));
  if (errs.length > 0) throw errors.invalid(r.group, r.kind, obj.metadata.name ?? '', errs);
}

/**
 * What decides a no-op write and a spec change: equality of the values, whatever the order of their keys
 * (upstream compares its canonical encodings, which a client's key order does not change).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return jsonEqual(a, b);
}
