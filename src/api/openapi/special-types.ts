// Types whose OpenAPI form the client-node models flatten to string/any: Quantity, IntOrString, Time,
// RawExtension, FieldsV1, base64 maps. Their upstream definitions and the fields that use them.

import { type OpenAPISchema, REF_PREFIX } from './openapi-types.js';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const FIELDS_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1';
const CRD_JSON = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON';

export const SPECIAL_DEFINITIONS: Record<string, OpenAPISchema> = {
  [QUANTITY]: {
    description:
      'Quantity is a fixed-point representation of a number, serialized as a string such as "100m", "1.5Gi" or "2".',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': {
    description:
      'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': {
    description:
      'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.',
    type: 'string',
    format: 'date-time',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': {
    description: 'MicroTime is version of Time with microsecond level precision.',
    type: 'string',
    format: 'date-time',
  },
  [RAW_EXTENSION]: {
    description: 'RawExtension is used to hold extensions in external versions: any embedded JSON object.',
    type: 'object',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': {
    description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.',
    type: 'object',
  },
  [CRD_JSON]: {
    description:
      'JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.',
    'x-kubernetes-preserve-unknown-fields': true,
  },
  [FIELDS_V1]: {
    description:
      'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format. The exact format is defined in sigs.k8s.io/structured-merge-diff',
    type: 'object',
  },
};

/** Fields (model class.field) holding resource.Quantity values, alone or as map values. */
const QUANTITY_FIELDS = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1NodeStatus.capacity',
  'V1NodeStatus.allocatable',
  'V1PodSpec.overhead',
  'V1EmptyDirVolumeSource.sizeLimit',
  'V1ContainerStatus.allocatedResources',
  'V1ResourceFieldSelector.divisor',
  'V1PersistentVolumeClaimStatus.capacity',
  'V1PersistentVolumeClaimStatus.allocatedResources',
  'V1PersistentVolumeSpec.capacity',
  'V1ResourceQuotaSpec.hard',
  'V1ResourceQuotaStatus.hard',
  'V1ResourceQuotaStatus.used',
  'V1LimitRangeItem.default',
  'V1LimitRangeItem.defaultRequest',
  'V1LimitRangeItem.max',
  'V1LimitRangeItem.min',
  'V1LimitRangeItem.maxLimitRequestRatio',
  'V2MetricTarget.value',
  'V2MetricTarget.averageValue',
  'V2MetricValueStatus.value',
  'V2MetricValueStatus.averageValue',
]);

const BYTE_MAP_FIELDS = new Set(['V1Secret.data', 'V1ConfigMap.binaryData']);

const FREE_FORM_FIELDS: Record<string, string> = {
  'V1ControllerRevision.data': RAW_EXTENSION,
  'V1WatchEvent.object': RAW_EXTENSION,
  'V1ManagedFieldsEntry.fieldsV1': FIELDS_V1,
  // JSON values and schema-or-bool of a CRD's openAPIV3Schema (JSONSchemaPropsOrBool, ...OrArray, ...OrStringArray).
  'V1JSONSchemaProps.default': CRD_JSON,
  'V1JSONSchemaProps.example': CRD_JSON,
  'V1JSONSchemaProps.additionalItems': CRD_JSON,
  'V1JSONSchemaProps.additionalProperties': CRD_JSON,
  'V1JSONSchemaProps.items': CRD_JSON,
  'V1JSONSchemaProps.dependencies': CRD_JSON,
};

/** The upstream schema of a field the models flatten, or undefined for ordinary fields. */
export function specialField(cls: string, field: string, type: string): OpenAPISchema | undefined {
  const key = `${cls}.${field}`;
  const isMap = type.startsWith('{');
  if (QUANTITY_FIELDS.has(key)) {
    const q = { $ref: REF_PREFIX + QUANTITY };
    return isMap ? { type: 'object', additionalProperties: q } : q;
  }
  if (BYTE_MAP_FIELDS.has(key)) return { type: 'object', additionalProperties: { type: 'string', format: 'byte' } };
  if (key === 'V1JSONSchemaProps.enum') return { type: 'array', items: { $ref: REF_PREFIX + CRD_JSON } };
  const free = FREE_FORM_FIELDS[key];
  if (free) return { $ref: REF_PREFIX + free };
  return undefined;
}
