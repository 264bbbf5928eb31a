// Patch application (JSON merge, JSON patch, strategic merge) and server-side apply with managedFields.
export { malformedPatch, patchNotApplicable } from './errors.js';
export {
  type ApplyRequest,
  type ApplyResult,
  serverSideApply,
  type UpdateRequest,
  updateManagedFields,
} from './field-manager.js';
export {
  comparePE,
  type FieldPath,
  FieldSet,
  fieldPE,
  indexPE,
  keyPE,
  type PathElement,
  pathToString,
  valuePE,
} from './fieldpath.js';
export { applyJsonPatch, type JsonPatchOp, parseJsonPatch, parsePointer } from './json-patch.js';
export {
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  type ManagerFields,
  type ManagerOperation,
  type ManagerTable,
  managerIdentity,
  stripServerFields,
  withoutResetFields,
} from './managed-fields.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export {
  type Comparison,
  compare,
  ensureNamedFieldsAreMembers,
  mergeApplied,
  removeItems,
  toFieldSet,
} from './typed.js';

import type { SchemaNode } from '../schema.js';
import { FieldSet as Fields } from './fieldpath.js';
import { toFieldSet as fieldsOf } from './typed.js';

/** fieldsV1 helpers: an object's field set as FieldsV1 JSON, and set algebra on FieldsV1 documents. */
export const fieldsV1 = {
  fromObject: (obj: unknown, schema: SchemaNode | undefined): Record<string, unknown> =>
    fieldsOf(obj, schema).toFieldsV1(),
  parse: (json: unknown): Fields => Fields.fromFieldsV1(json),
  union: (a: unknown, b: unknown): Record<string, unknown> =>
    Fields.fromFieldsV1(a).union(Fields.fromFieldsV1(b)).toFieldsV1(),
  difference: (a: unknown, b: unknown): Record<string, unknown> =>
    Fields.fromFieldsV1(a).difference(Fields.fromFieldsV1(b)).toFieldsV1(),
  intersection: (a: unknown, b: unknown): Record<string, unknown> =>
    Fields.fromFieldsV1(a).intersection(Fields.fromFieldsV1(b)).toFieldsV1(),
};
