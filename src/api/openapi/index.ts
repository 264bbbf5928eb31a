// OpenAPI v3 documents and schema lookups for the built-in kinds. See README.md.

export type { OpenAPIDocument, OpenAPIV3Index } from './document.js';
export { buildDocument, documentPaths, openapiV3Document, openapiV3Index } from './document.js';
export type { OpenAPISchema } from './openapi-types.js';
export { nodeOf, schemaLookup } from './schema-node.js';
export { unknownFields } from './unknown-fields.js';
export { decodeTypeError } from './type-check.js';
export { OPENAPI_V2_PROTOBUF, openapiV2Body, openapiV2Document } from './v2.js';
export { type CustomKind, OBJECT_META_REF, customDefinitionName, customDocument } from './custom.js';
export { schemaNodeOfSchema } from './schema-node.js';
