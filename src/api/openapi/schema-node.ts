// SchemaNodes over the OpenAPI definitions, for strategic merge patch, server-side apply and strict
// field validation. Nodes are built lazily and memoized per schema object, so walking a Pod touches
// only the definitions it needs.

import type { SchemaLookup, SchemaNode, SchemaType } from '../../apimachinery/schema.js';
import { definition, schemaBundle } from './bundle.js';
import { gvkKey, type OpenAPISchema, REF_PREFIX, refName } from './openapi-types.js';

const SCALAR_REFS: Record<string, SchemaType> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': 'int-or-string',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': 'int-or-string',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'string',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'string',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': 'any',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': 'any',
};

class OpenAPINode implements SchemaNode {
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: string[];
  readonly mapType?: 'atomic' | 'granular';
  readonly format?: string;
  readonly definition?: string;
  private fields?: Map<string, SchemaNode | undefined>;

  constructor(
    readonly type: SchemaType,
    /** Where properties/items come from: the referenced definition for $ref properties. */
    private readonly shape: OpenAPISchema,
    /** Where the x-kubernetes-* extensions come from: the property itself, else the definition. */
    ext: OpenAPISchema,
    definition?: string,
  ) {
    if (definition) this.definition = definition;
    const format = shape.format ?? ext.format;
    if (format) this.format = format;
    const strategy = ext['x-kubernetes-patch-strategy'];
    if (strategy) this.patchStrategy = strategy;
    const key = ext['x-kubernetes-patch-merge-key'];
    if (key) this.patchMergeKey = key;
    const listType = ext['x-kubernetes-list-type'];
    if (listType) this.listType = listType;
    const keys = ext['x-kubernetes-list-map-keys'];
    if (keys) this.listMapKeys = keys;
    const mapType = ext['x-kubernetes-map-type'] ?? shape['x-kubernetes-map-type'];
    if (mapType) this.mapType = mapType;
  }

  field(name: string): SchemaNode | undefined {
    if (this.type !== 'object') return undefined;
    this.fields ??= new Map();
    if (this.fields.has(name)) return this.fields.get(name);
    const prop = Object.hasOwn(this.shape.properties ?? {}, name) ? this.shape.properties?.[name] : undefined;
    const node = prop ? nodeOf(prop) : undefined;
    this.fields.set(name, node);
    return node;
  }

  fieldNames(): string[] {
    return this.type === 'object' ? Object.keys(this.shape.properties ?? {}) : [];
  }

  items(): SchemaNode | undefined {
    if (this.type === 'array' && this.shape.items) return nodeOf(this.shape.items);
    if (this.type === 'map' && this.shape.additionalProperties) return nodeOf(this.shape.additionalProperties);
    return undefined;
  }
}

const memo = new WeakMap<OpenAPISchema, SchemaNode>();

function typeOf(s: OpenAPISchema): SchemaType {
  if (s['x-kubernetes-int-or-string'] || s.format === 'int-or-string') return 'int-or-string';
  if (s['x-kubernetes-preserve-unknown-fields']) return 'any';
  switch (s.type) {
    case 'array':
      return 'array';
    case 'object':
      if (s.properties) return 'object';
      return s.additionalProperties ? 'map' : 'any';
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean':
      return s.type;
    default:
      return s.oneOf ? 'int-or-string' : 'any';
  }
}

/** The node of a schema; $ref (or single allOf) properties resolve to their definition's shape. */
export function nodeOf(s: OpenAPISchema): SchemaNode {
  const cached = memo.get(s);
  if (cached) return cached;
  let node: SchemaNode;
  const ref = refName(s);
  if (ref) {
    const scalar = SCALAR_REFS[ref];
    const def = definition(ref);
    if (scalar || !def) node = new OpenAPINode(scalar ?? 'any', {}, s, ref);
    else node = new OpenAPINode(typeOf(def), def, s, ref);
  } else {
    node = new OpenAPINode(typeOf(s), s, s);
  }
  memo.set(s, node);
  return node;
}

/** SchemaNode of a built-in kind, e.g. schemaLookup('apps', 'v1', 'Deployment'). */
export const schemaLookup: SchemaLookup = (group, version, kind) => {
  const name = schemaBundle().byKind.get(gvkKey(group, version, kind));
  if (!name || !definition(name)) return undefined;
  let node = roots.get(name);
  if (!node) {
    node = nodeOf({ $ref: `${REF_PREFIX}${name}` });
    roots.set(name, node);
  }
  return node;
};

const roots = new Map<string, SchemaNode>();

/** SchemaNode of a schema that is not a built-in definition (a CRD's version schema); memoized per object. */
export function schemaNodeOfSchema(s: OpenAPISchema): SchemaNode {
  return nodeOf(s);
}
