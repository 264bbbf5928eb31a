// The view of a type's schema that patching, server-side apply and strict field validation walk.
// src/api/openapi builds these from the OpenAPI schemas of the built-in types.

export type SchemaType =
  | 'object' // fixed properties (a struct)
  | 'map' // free keys, values described by items()
  | 'array'
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'int-or-string'
  | 'any'; // free-form JSON (RawExtension, JSON, preserve-unknown-fields): anything goes

export interface SchemaNode {
  readonly type: SchemaType;
  /** For 'object': the schema of a property, or undefined if unknown. */
  field(name: string): SchemaNode | undefined;
  /** For 'object': all property names. */
  fieldNames(): string[];
  /** For 'array': the element schema. For 'map': the value schema. */
  items(): SchemaNode | undefined;
  /** Strategic merge patch strategy on a list or map field: 'merge', 'retainKeys', 'merge,retainKeys', 'replace'. */
  readonly patchStrategy?: string;
  /** Strategic merge patch key of list elements (e.g. 'name' for containers). */
  readonly patchMergeKey?: string;
  /** Server-side apply list semantics (x-kubernetes-list-type). */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** Keys identifying elements of a 'map' list (x-kubernetes-list-map-keys). */
  readonly listMapKeys?: string[];
  /** x-kubernetes-map-type on objects/maps. */
  readonly mapType?: 'atomic' | 'granular';
  /** OpenAPI format of a scalar: 'int32', 'int64', 'double', 'byte', 'date-time', ... */
  readonly format?: string;
  /** The definition a struct or named scalar comes from, e.g. 'io.k8s.api.core.v1.Container'. */
  readonly definition?: string;
}

/** Looks up the schema of a kind, e.g. lookup('apps', 'v1', 'Deployment'). */
export type SchemaLookup = (group: string, version: string, kind: string) => SchemaNode | undefined;
