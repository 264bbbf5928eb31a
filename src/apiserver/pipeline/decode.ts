// The decode step: a decoded request body becomes an object of the addressed resource (kind, apiVersion,
// metadata types), typed against the kind's schema as Go's decoder does (wrong types and out-of-range
// integers are a 400 before any defaulting or validation; nulls become Go's zero values), with unknown
// fields rejected, warned about or ignored as `fieldValidation` asks.
import { decodeTypeError, schemaLookup, unknownFields } from '../../api/openapi/index.js';
import { checkDepth } from '../../apimachinery/decode.js';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { isPlainObject } from '../../core/json.js';
import { CATALOG } from '../../api/catalog.js';
import { type StatusError, errors } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { schemaFor, type ServedResource } from '../resources.js';
import type { WriteOptions } from './types.js';

/**
 * transformDecodeError for a body of another kind: upstream decodes it as its own type, then fails to
 * convert it into the addressed one (or does not know the kind at all).
 */
function wrongKind(r: ServedResource, obj: KubeObject): StatusError {
  const kind = String(obj.kind);
  const apiVersion = typeof obj.apiVersion === 'string' && obj.apiVersion ? obj.apiVersion : r.apiVersion;
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const known = CATALOG.some((c) => c.group === group && c.version === version && c.kind === kind);
  // Go package names: the versioned type's is its version, the internal type's its group's first label.
  const internal = r.group === '' || r.group === 'events.k8s.io' ? 'core' : r.group.split('.')[0];
  const why = known
    ? `converting (${version}.${kind}) to (${internal}.${r.kind}): unknown conversion`
    : `no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`;
  return errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${r.kind}: ${why}`);
}

/** `obj` without the top-level parts that are `kept`'s own (the same values, by reference). */
function withoutKept(obj: Record<string, unknown>, kept: KubeObject | undefined): Record<string, unknown> {
  if (!kept) return obj;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (obj[k] !== kept[k]) out[k] = obj[k];
  return out;
}

/**
 * `kept`: the stored object a patch result was made from. Its parts that the result holds by reference were
 * decoded when they were stored, and are not walked again (nor written: they may be shared).
 */
export function decodeObject(
  r: ServedResource,
  value: unknown,
  opts: Pick<WriteOptions, 'fieldValidation' | 'warnings'>,
  kept?: KubeObject,
): KubeObject {
  if (!isPlainObject(value))
    throw errors.badRequest("Object 'Kind' is missing in the request body: expected an object");
  // Pipeline callers (and patch results) get the same bound as HTTP bodies before any recursive walk.
  checkDepth(withoutKept(value, kept));
  const obj = value as KubeObject;
  if (obj.kind !== undefined && obj.kind !== '' && obj.kind !== r.kind) throw wrongKind(r, obj);
  if (obj.apiVersion !== undefined && obj.apiVersion !== r.apiVersion) {
    throw errors.badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${r.apiVersion})`,
    );
  }
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isPlainObject(obj.metadata)) throw errors.badRequest('metadata must be an object');
  checkMetadataTypes(obj.metadata as Record<string, unknown>);
  obj.apiVersion = r.apiVersion;
  obj.kind = r.kind;
  const schema = schemaLookup(r.group, r.version, r.kind);
  const walked = withoutKept(obj, kept) as KubeObject;
  if (schema) {
    const typeError = decodeTypeError(walked, schema);
    if (typeError) {
      throw errors.badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: ${typeError}`);
    }
    zeroNulls(walked, schema);
  }
  checkUnknownFields(r, walked, opts);
  return obj;
}

/** Go's zero value of a list or map element that was null (a struct is `{}`). */
function zeroOf(node: SchemaNode): unknown {
  switch (node.type) {
    case 'object':
      return {};
    case 'string':
      return '';
    case 'integer':
    case 'number':
    case 'int-or-string':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/**
 * Nulls as Go decodes them into typed structs: a null field is left unset, a null list or map element is
 * the element type's zero value (`containers: [null]` is one container with no fields), free-form JSON
 * keeps its nulls. Runs after the type check, so every value already has its schema's JSON type.
 */
function zeroNulls(value: unknown, node: SchemaNode): void {
  if (value === null || typeof value !== 'object') return;
  switch (node.type) {
    case 'object': {
      const o = value as Record<string, unknown>;
      for (const [k, child] of Object.entries(o)) {
        const f = node.field(k);
        if (!f || f.type === 'any') continue;
        if (child === null) delete o[k];
        else zeroNulls(child, f);
      }
      return;
    }
    case 'array':
    case 'map': {
      const items = node.items();
      if (!items || items.type === 'any') return;
      const entries: Array<[string | number, unknown]> = Array.isArray(value)
        ? value.map((v, i) => [i, v])
        : Object.entries(value);
      const target = value as Record<string | number, unknown>;
      for (const [k, child] of entries) {
        if (child === null) target[k] = zeroOf(items);
        else zeroNulls(child, items);
      }
      return;
    }
    default:
      return;
  }
}

function checkUnknownFields(
  r: ServedResource,
  obj: KubeObject,
  opts: Pick<WriteOptions, 'fieldValidation' | 'warnings'>,
): void {
  const mode = opts.fieldValidation ?? 'Warn';
  if (mode === 'Ignore') return;
  const schema = schemaFor(r);
  if (!schema) return;
  const unknown = unknownFields(obj, schema);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    const msg = unknown.map((f) => `unknown field "${f}"`).join(', ');
    throw errors.badRequest(`strict decoding error: ${msg}`);
  }
  for (const f of unknown) opts.warnings?.push(`unknown field "${f}"`);
}

const META_STRINGS = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'creationTimestamp',
  'deletionTimestamp',
];

/** Type errors in metadata are decoding errors upstream (400), before any validation runs. */
function checkMetadataTypes(meta: Record<string, unknown>): void {
  for (const k of META_STRINGS) {
    const v = meta[k];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      throw errors.badRequest(
        `json: cannot unmarshal ${typeof v} into Go struct field ObjectMeta.metadata.${k} of type string`,
      );
    }
    if (v === null) delete meta[k];
  }
  for (const k of ['labels', 'annotations']) {
    const v = meta[k];
    if (v === undefined || v === null) continue;
    if (!isPlainObject(v) || Object.values(v).some((x) => typeof x !== 'string')) {
      throw errors.badRequest(
        `json: cannot unmarshal into Go struct field ObjectMeta.metadata.${k} of type map[string]string`,
      );
    }
  }
  for (const k of ['finalizers', 'ownerReferences', 'managedFields']) {
    const v = meta[k];
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      throw errors.badRequest(`json: cannot unmarshal into Go struct field ObjectMeta.metadata.${k} of type array`);
    }
  }
}
