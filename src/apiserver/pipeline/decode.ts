// The decode step: a decoded request body becomes an object of the addressed resource (kind, apiVersion,
// metadata types), with unknown fields rejected, warned about or ignored as `fieldValidation` asks.
import { unknownFields } from '../../api/openapi/index.js';
import { isPlainObject } from '../../core/json.js';
import { errors } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { schemaFor, type ServedResource } from '../resources.js';
import type { WriteOptions } from './types.js';

export function decodeObject(
  r: ServedResource,
  value: unknown,
  opts: Pick<WriteOptions, 'fieldValidation' | 'warnings'>,
): KubeObject {
  if (!isPlainObject(value))
    throw errors.badRequest("Object 'Kind' is missing in the request body: expected an object");
  const obj = value as KubeObject;
  if (obj.kind !== undefined && obj.kind !== r.kind) {
    throw errors.badRequest(
      `the kind of the object in the request (${String(obj.kind)}) does not match the expected kind (${r.kind})`,
    );
  }
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
  checkUnknownFields(r, obj, opts);
  return obj;
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
