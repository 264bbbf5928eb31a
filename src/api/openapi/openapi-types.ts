// The subset of OpenAPI 3.0 schema objects that the Kubernetes documents use, and the bundle that
// generate.ts writes at build time (schemas.json) for the server to load lazily.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface OpenAPISchema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  $ref?: string;
  allOf?: OpenAPISchema[];
  oneOf?: OpenAPISchema[];
  properties?: Record<string, OpenAPISchema>;
  additionalProperties?: OpenAPISchema;
  items?: OpenAPISchema;
  required?: string[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface SchemaBundle {
  /** Kubernetes version the schemas describe, e.g. "v1.32.0". */
  k8sVersion: string;
  /** Upstream definition name (io.k8s.api.core.v1.Pod) to schema. */
  schemas: Record<string, OpenAPISchema>;
}

export const REF_PREFIX = '#/components/schemas/';

/** The definition name a $ref points at, or undefined. */
export function refName(s: OpenAPISchema): string | undefined {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]?.$ref : undefined);
  return ref?.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

export function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}
