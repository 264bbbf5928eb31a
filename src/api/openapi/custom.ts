// OpenAPI v3 documents of custom resources (CustomResourceDefinitions): the group-version's paths as for
// built-in kinds, its kinds' schemas (the CRD's openAPIV3Schema with apiVersion, kind and metadata spelled
// out) named like upstream (`com.example.stable.v1.CronTab`), and the closure of the meta types they use.
import type { ResourceInfo } from '../catalog.js';
import { schemaBundle } from './bundle.js';
import { type OpenAPIDocument, schemaClosure } from './document.js';
import { gvkKey, type OpenAPISchema, REF_PREFIX } from './openapi-types.js';
import { type PathItem, resourcePaths } from './paths.js';

export const OBJECT_META_REF = `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;
const LIST_META_REF = `${REF_PREFIX}io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta`;

export interface CustomKind {
  info: ResourceInfo;
  /** The version's openAPIV3Schema with the implicit fields added. */
  schema: OpenAPISchema;
}

/** `stable.example.com`, `v1`, `CronTab` -> `com.example.stable.v1.CronTab`. */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** The document of one group-version of custom kinds (all `kinds` must share it). */
export function customDocument(kinds: CustomKind[]): OpenAPIDocument {
  const own: Record<string, OpenAPISchema> = {};
  const paths: Record<string, PathItem> = {};
  for (const { info, schema } of kinds) {
    const name = customDefinitionName(info.group, info.version, info.kind);
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    own[name] = { ...schema, 'x-kubernetes-group-version-kind': [gvk] };
    own[customDefinitionName(info.group, info.version, info.listKind)] = {
      description: `${info.kind}List is a list of ${info.kind}`,
      type: 'object',
      required: ['items'],
      properties: {
        apiVersion: { type: 'string' },
        items: { type: 'array', items: { $ref: REF_PREFIX + name } },
        kind: { type: 'string' },
        metadata: { $ref: LIST_META_REF },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk, kind: info.listKind }],
    };
    Object.assign(
      paths,
      resourcePaths(
        info,
        (g) => {
          if (g.group === info.group && g.version === info.version)
            return customDefinitionName(g.group, g.version, g.kind);
          return schemaBundle().byKind.get(gvkKey(g.group, g.version, g.kind)) ?? `io.k8s.api.autoscaling.v1.${g.kind}`;
        },
        { custom: true },
      ),
    );
  }
  const sorted: Record<string, PathItem> = {};
  for (const k of Object.keys(paths).sort()) sorted[k] = paths[k]!;
  const schemas = { ...schemaClosure({ paths: sorted, own }), ...own };
  const ordered: Record<string, OpenAPISchema> = {};
  for (const k of Object.keys(schemas).sort()) ordered[k] = schemas[k]!;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' },
    paths: sorted,
    components: {
      schemas: ordered,
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          name: 'authorization',
          in: 'header',
          description: 'Bearer Token authentication',
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
}
