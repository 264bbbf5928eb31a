// The /openapi/v2 document (Swagger 2.0), for kubectl 1.27 and 1.28, which read it instead of v3 for
// apply, create -f, replace, explain and client-side validation. It is the v3 documents' paths and
// schemas rewritten in v2 form: `#/definitions/` references, body parameters instead of requestBody,
// one response schema per code. Served as JSON, or in the protobuf encoding kubectl asks for first
// (see v2-proto.ts). Built once on first request.
import { createHash } from 'node:crypto';
import { schemaBundle } from './bundle.js';
import { documentPaths, buildDocument } from './document.js';
import { type OpenAPISchema, REF_PREFIX } from './openapi-types.js';
import type { Operation, Parameter, PathItem } from './paths.js';
import type { V2Document, V2Operation, V2Parameter, V2PathItem, V2Schema } from './v2-types.js';

export type { V2Document } from './v2-types.js';

const V2_REF = '#/definitions/';

/** A v3 schema in v2 form: references point into #/definitions/, a single allOf reference becomes $ref. */
export function toV2Schema(s: OpenAPISchema): V2Schema {
  const out: V2Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string')
      out.$ref = v.startsWith(REF_PREFIX) ? V2_REF + v.slice(REF_PREFIX.length) : v;
    else if (k === 'allOf' && Array.isArray(v) && v.length === 1 && (v[0] as OpenAPISchema).$ref) {
      Object.assign(out, toV2Schema(v[0] as OpenAPISchema));
    } else if (k === 'properties' && v && typeof v === 'object') {
      const props: Record<string, V2Schema> = {};
      for (const [name, p] of Object.entries(v as Record<string, OpenAPISchema>)) props[name] = toV2Schema(p);
      out.properties = props;
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = toV2Schema(v as OpenAPISchema);
    } else if (k === 'allOf' || k === 'oneOf' || k === 'anyOf') {
      out[k] = (v as OpenAPISchema[]).map(toV2Schema);
    } else out[k] = v;
  }
  return out;
}

function toV2Parameter(p: Parameter): V2Parameter {
  const out: V2Parameter = {
    name: p.name,
    in: p.in,
    description: p.description,
    type: p.schema.type,
    uniqueItems: true,
  };
  if (p.required) out.required = true;
  return out;
}

const REPLY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

function toV2Operation(op: Operation): V2Operation {
  const consumes = op.requestBody ? Object.keys(op.requestBody.content) : ['*/*'];
  const parameters = (op.parameters ?? []).map(toV2Parameter);
  if (op.requestBody) {
    const schema = Object.values(op.requestBody.content)[0]?.schema;
    const body: V2Parameter = { name: 'body', in: 'body', schema: schema ? toV2Schema(schema as OpenAPISchema) : {} };
    if (op.requestBody.required) body.required = true;
    parameters.unshift(body);
  }
  const responses: V2Operation['responses'] = {};
  let produces = REPLY_TYPES;
  for (const [code, r] of Object.entries(op.responses)) {
    const content = r.content ?? {};
    const schema = Object.values(content)[0]?.schema;
    responses[code] = schema
      ? { description: r.description, schema: toV2Schema(schema as OpenAPISchema) }
      : { description: r.description };
    if (content['text/plain']) produces = ['text/plain', 'application/json'];
  }
  const out: V2Operation = {
    description: op.description,
    consumes,
    produces,
    schemes: ['https'],
    tags: op.tags,
    operationId: op.operationId,
    responses,
    'x-kubernetes-action': op['x-kubernetes-action'],
    'x-kubernetes-group-version-kind': op['x-kubernetes-group-version-kind'],
  };
  if (parameters.length > 0) out.parameters = parameters;
  return out;
}

function toV2PathItem(item: PathItem): V2PathItem {
  const out: V2PathItem = {};
  for (const verb of ['get', 'put', 'post', 'patch', 'delete'] as const) {
    const op = item[verb];
    if (op) out[verb] = toV2Operation(op);
  }
  if (item.parameters) out.parameters = item.parameters.map(toV2Parameter);
  return out;
}

export function buildV2Document(): V2Document {
  const paths: Record<string, V2PathItem> = {};
  for (const docPath of documentPaths()) {
    // Group documents only list discovery; resource paths come from the group-version documents.
    if (docPath === 'api' || docPath === 'apis' || (docPath.split('/').length === 2 && docPath.startsWith('apis/')))
      continue;
    const doc = buildDocument(docPath);
    for (const [p, item] of Object.entries(doc?.paths ?? {})) paths[p] = toV2PathItem(item);
  }
  const definitions: Record<string, V2Schema> = {};
  const { schemas } = schemaBundle();
  for (const name of Object.keys(schemas).sort()) definitions[name] = toV2Schema(schemas[name]!);
  const sortedPaths: Record<string, V2PathItem> = {};
  for (const k of Object.keys(paths).sort()) sortedPaths[k] = paths[k]!;
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: schemaBundle().k8sVersion },
    paths: sortedPaths,
    definitions,
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' },
    },
    security: [{ BearerToken: [] }],
  };
}

let cached: V2Document | undefined;

/** The v2 document, built on first use; the catalog is static, so it never changes while the server runs. */
export function openapiV2Document(): V2Document {
  cached ??= buildV2Document();
  return cached;
}

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

export interface V2Body {
  contentType: string;
  body: Buffer;
  etag: string;
}

const bodies = new Map<boolean, V2Body>();

/**
 * The served v2 body: protobuf when the client's Accept names gnostic's media type (either spelling
 * kubectl has used), JSON otherwise. Encoded once per form; the protobuf encoder loads only when asked for.
 */
export async function openapiV2Body(accept: string | undefined): Promise<V2Body> {
  const proto = /application\/com\.github\.proto-openapi\.spec\.v2[@.]v1\.0\+protobuf/.test(accept ?? '');
  let b = bodies.get(proto);
  if (!b) {
    const doc = openapiV2Document();
    const body = proto
      ? Buffer.from((await import('./v2-proto.js')).encodeV2Document(doc))
      : Buffer.from(JSON.stringify(doc));
    b = {
      contentType: proto ? OPENAPI_V2_PROTOBUF : 'application/json',
      body,
      etag: `"${createHash('sha512').update(body).digest('hex').slice(0, 32).toUpperCase()}"`,
    };
    bodies.set(proto, b);
  }
  return b;
}
