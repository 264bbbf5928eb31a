// The protobuf encoding of the v2 document that kubectl 1.27/1.28 request first
// (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`): gnostic's `openapi.v2.Document`.
// The messages below are the subset a Kubernetes document uses, declared with gnostic's field numbers;
// maps travel as repeated (name, value) pairs and free-form values (defaults, enums, `x-` extensions) as
// YAML text in `Any.yaml`, which is how kubectl's kube-openapi parser reads them back.
import protobuf from 'protobufjs';
import { stringify } from 'yaml';
import type { V2Document, V2Operation, V2Parameter, V2PathItem, V2Schema } from './v2-types.js';

const str = (id: number) => ({ type: 'string', id });
const rep = (type: string, id: number) => ({ type, id, rule: 'repeated' });
const msg = (type: string, id: number) => ({ type, id });
const named = (value: string) => ({ fields: { name: str(1), value: msg(value, 2) } });

const root = protobuf.Root.fromJSON({
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Any: { fields: { yaml: str(2) } },
            NamedAny: named('Any'),
            Info: { fields: { title: str(1), version: str(2) } },
            Document: {
              fields: {
                swagger: str(1),
                info: msg('Info', 2),
                paths: msg('Paths', 8),
                definitions: msg('Definitions', 9),
                vendorExtension: rep('NamedAny', 16),
              },
            },
            Paths: { fields: { vendorExtension: rep('NamedAny', 1), path: rep('NamedPathItem', 2) } },
            NamedPathItem: named('PathItem'),
            PathItem: {
              fields: {
                get: msg('Operation', 2),
                put: msg('Operation', 3),
                post: msg('Operation', 4),
                delete: msg('Operation', 5),
                patch: msg('Operation', 8),
                parameters: rep('ParametersItem', 9),
              },
            },
            Operation: {
              fields: {
                tags: rep('string', 1),
                description: str(3),
                operationId: str(5),
                produces: rep('string', 6),
                consumes: rep('string', 7),
                parameters: rep('ParametersItem', 8),
                responses: msg('Responses', 9),
                schemes: rep('string', 10),
                vendorExtension: rep('NamedAny', 13),
              },
            },
            ParametersItem: { fields: { parameter: msg('Parameter', 1) } },
            Parameter: {
              fields: { bodyParameter: msg('BodyParameter', 1), nonBodyParameter: msg('NonBodyParameter', 2) },
            },
            BodyParameter: {
              fields: {
                description: str(1),
                name: str(2),
                in: str(3),
                required: { type: 'bool', id: 4 },
                schema: msg('Schema', 5),
              },
            },
            NonBodyParameter: {
              fields: {
                queryParameterSubSchema: msg('QueryParameterSubSchema', 3),
                pathParameterSubSchema: msg('PathParameterSubSchema', 4),
              },
            },
            QueryParameterSubSchema: {
              fields: {
                required: { type: 'bool', id: 1 },
                in: str(2),
                description: str(3),
                name: str(4),
                type: str(6),
                uniqueItems: { type: 'bool', id: 20 },
              },
            },
            PathParameterSubSchema: {
              fields: {
                required: { type: 'bool', id: 1 },
                in: str(2),
                description: str(3),
                name: str(4),
                type: str(5),
                uniqueItems: { type: 'bool', id: 19 },
              },
            },
            Responses: { fields: { responseCode: rep('NamedResponseValue', 1) } },
            NamedResponseValue: named('ResponseValue'),
            ResponseValue: { fields: { response: msg('Response', 1) } },
            Response: { fields: { description: str(1), schema: msg('SchemaItem', 2) } },
            SchemaItem: { fields: { schema: msg('Schema', 1) } },
            Definitions: { fields: { additionalProperties: rep('NamedSchema', 1) } },
            NamedSchema: named('Schema'),
            Properties: { fields: { additionalProperties: rep('NamedSchema', 1) } },
            AdditionalPropertiesItem: { fields: { schema: msg('Schema', 1), boolean: { type: 'bool', id: 2 } } },
            TypeItem: { fields: { value: rep('string', 1) } },
            ItemsItem: { fields: { schema: rep('Schema', 1) } },
            Schema: {
              fields: {
                ref: str(1),
                format: str(2),
                title: str(3),
                description: str(4),
                default: msg('Any', 5),
                maximum: { type: 'double', id: 7 },
                minimum: { type: 'double', id: 9 },
                maxLength: { type: 'int64', id: 11 },
                minLength: { type: 'int64', id: 12 },
                pattern: str(13),
                maxItems: { type: 'int64', id: 14 },
                minItems: { type: 'int64', id: 15 },
                required: rep('string', 19),
                enum: rep('Any', 20),
                additionalProperties: msg('AdditionalPropertiesItem', 21),
                type: msg('TypeItem', 22),
                items: msg('ItemsItem', 23),
                allOf: rep('Schema', 24),
                properties: msg('Properties', 25),
                vendorExtension: rep('NamedAny', 31),
              },
            },
          },
        },
      },
    },
  },
});

export const DocumentMessage = root.lookupType('openapi.v2.Document');

const any = (v: unknown) => ({ yaml: stringify(v) });

function extensions(o: Record<string, unknown>): { name: string; value: { yaml: string } }[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: any(v) }));
}

function schemaMessage(s: V2Schema): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    switch (k) {
      case '$ref':
        m.ref = v;
        break;
      case 'format':
      case 'title':
      case 'description':
      case 'pattern':
      case 'maximum':
      case 'minimum':
      case 'maxLength':
      case 'minLength':
      case 'maxItems':
      case 'minItems':
      case 'required':
        m[k] = v;
        break;
      case 'default':
        m.default = any(v);
        break;
      case 'enum':
        m.enum = (v as unknown[]).map(any);
        break;
      case 'type':
        m.type = { value: [v] };
        break;
      case 'items':
        m.items = { schema: [schemaMessage(v as V2Schema)] };
        break;
      case 'additionalProperties':
        m.additionalProperties = typeof v === 'boolean' ? { boolean: v } : { schema: schemaMessage(v as V2Schema) };
        break;
      case 'allOf':
        m.allOf = (v as V2Schema[]).map(schemaMessage);
        break;
      case 'properties':
        m.properties = {
          additionalProperties: Object.entries(v as Record<string, V2Schema>).map(([name, p]) => ({
            name,
            value: schemaMessage(p),
          })),
        };
        break;
      default:
        break;
    }
  }
  const ext = extensions(s);
  if (ext.length > 0) m.vendorExtension = ext;
  return m;
}

function parameterMessage(p: V2Parameter): Record<string, unknown> {
  if (p.in === 'body') {
    return {
      parameter: {
        bodyParameter: {
          name: p.name,
          in: 'body',
          description: p.description,
          required: p.required,
          schema: schemaMessage(p.schema ?? {}),
        },
      },
    };
  }
  const sub = {
    required: p.required,
    in: p.in,
    description: p.description,
    name: p.name,
    type: p.type,
    uniqueItems: p.uniqueItems,
  };
  return {
    parameter: {
      nonBodyParameter: p.in === 'path' ? { pathParameterSubSchema: sub } : { queryParameterSubSchema: sub },
    },
  };
}

function operationMessage(op: V2Operation): Record<string, unknown> {
  return {
    tags: op.tags,
    description: op.description,
    operationId: op.operationId,
    produces: op.produces,
    consumes: op.consumes,
    parameters: (op.parameters ?? []).map(parameterMessage),
    responses: {
      responseCode: Object.entries(op.responses).map(([name, r]) => ({
        name,
        value: {
          response: { description: r.description, schema: r.schema ? { schema: schemaMessage(r.schema) } : undefined },
        },
      })),
    },
    schemes: op.schemes,
    vendorExtension: extensions(op as unknown as Record<string, unknown>),
  };
}

function pathItemMessage(item: V2PathItem): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  for (const verb of ['get', 'put', 'post', 'patch', 'delete'] as const) {
    const op = item[verb];
    if (op) m[verb] = operationMessage(op);
  }
  if (item.parameters) m.parameters = item.parameters.map(parameterMessage);
  return m;
}

/** The document in gnostic's protobuf encoding. */
export function encodeV2Document(doc: V2Document): Uint8Array {
  const message = {
    swagger: doc.swagger,
    info: doc.info,
    paths: { path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItemMessage(item) })) },
    definitions: {
      additionalProperties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: schemaMessage(s) })),
    },
  };
  return DocumentMessage.encode(DocumentMessage.fromObject(message)).finish();
}
