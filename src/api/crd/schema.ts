// Custom objects against their version's structural openAPIV3Schema, as upstream's customresource strategy
// does on every write: prune unknown fields (unless x-kubernetes-preserve-unknown-fields), apply defaults,
// then validate (types, required, enum, bounds, pattern, formats) with upstream's messages and field paths.
// The JSON Schema checks run in ajv; pruning, defaulting and the x-kubernetes-* rules are structural walks.
import { type ErrorObject, Ajv, type ValidateFunction } from 'ajv';
import { isPlainObject } from '../../core/json.js';
import { type FieldError, field } from '../../core/status.js';
import type { Schema } from './types.js';

const isTrue = (s: Schema | undefined, ext: string) => s?.[ext] === true;

/** Drops fields the schema does not specify; returns the dotted paths it dropped. */
export function prune(obj: unknown, schema: Schema): string[] {
  const out: string[] = [];
  pruneNode(obj, schema, '', out, true);
  return out;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function pruneNode(v: unknown, s: Schema | undefined, path: string, out: string[], resourceRoot: boolean): void {
  if (!s) return;
  if (Array.isArray(v)) {
    const items = s.items as Schema | undefined;
    if (items && isPlainObject(items))
      for (const [i, x] of v.entries()) pruneNode(x, items, `${path}[${i}]`, out, false);
    return;
  }
  if (!isPlainObject(v)) return;
  const embedded = resourceRoot || isTrue(s, 'x-kubernetes-embedded-resource');
  const props = s.properties as Record<string, Schema> | undefined;
  const additional = isPlainObject(s.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
  const preserve = isTrue(s, 'x-kubernetes-preserve-unknown-fields') || s.additionalProperties === true;
  for (const key of Object.keys(v)) {
    if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) {
      if (key === 'metadata' && !resourceRoot && isPlainObject(v.metadata)) pruneEmbeddedMeta(v.metadata);
      continue;
    }
    const child = props?.[key] ?? additional;
    if (child) pruneNode(v[key], child, join(path, key), out, false);
    else if (!preserve) {
      delete v[key];
      out.push(join(path, key));
    }
  }
}

const EMBEDDED_META = [
  'name',
  'namespace',
  'generateName',
  'labels',
  'annotations',
  'finalizers',
  'ownerReferences',
  'uid',
];

function pruneEmbeddedMeta(meta: Record<string, unknown>): void {
  for (const k of Object.keys(meta)) if (!EMBEDDED_META.includes(k)) delete meta[k];
}

/** Fills `default`s of missing properties (after pruning, as upstream), recursively. */
export function applyDefaults(v: unknown, s: Schema | undefined): void {
  if (!s) return;
  if (Array.isArray(v)) {
    const items = s.items as Schema | undefined;
    if (items && isPlainObject(items)) for (const x of v) applyDefaults(x, items);
    return;
  }
  if (!isPlainObject(v)) return;
  const props = (s.properties ?? {}) as Record<string, Schema>;
  for (const [k, p] of Object.entries(props)) {
    if (v[k] === undefined && p.default !== undefined) v[k] = structuredClone(p.default);
    if (v[k] !== undefined) applyDefaults(v[k], p);
  }
  if (isPlainObject(s.additionalProperties)) {
    for (const [k, x] of Object.entries(v)) if (!(k in props)) applyDefaults(x, s.additionalProperties as Schema);
  }
}

// unicodeRegExp off: Go's RE2 patterns with identity escapes (\_, \-) compile as they do upstream.
const ajv = new Ajv({ allErrors: true, strict: false, logger: false, validateFormats: true, unicodeRegExp: false });
const INT32 = 2 ** 31;
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -INT32 && n < INT32 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
ajv.addFormat('byte', /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/);
ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
ajv.addFormat('date-time', (s: string) =>
  /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s),
);
ajv.addFormat('uuid', /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/);
ajv.addFormat('password', () => true);
ajv.addFormat('ipv4', (s: string) => /^(\d{1,3})(\.\d{1,3}){3}$/.test(s) && s.split('.').every((p) => Number(p) < 256));
ajv.addFormat('hostname', /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/);

/** The schema ajv compiles: int-or-string as a type union, metadata left to ObjectMeta validation. */
function forAjv(s: Schema, root: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'default' || k === 'example' || k === 'description') continue;
    if (k === 'properties' && isPlainObject(v)) {
      const props: Record<string, unknown> = {};
      for (const [name, p] of Object.entries(v)) {
        if (root && name === 'metadata') continue;
        props[name] = forAjv(p as Schema, false);
      }
      out.properties = props;
    } else if ((k === 'items' || k === 'additionalProperties' || k === 'not') && isPlainObject(v)) {
      out[k] = forAjv(v as Schema, false);
    } else if ((k === 'allOf' || k === 'anyOf' || k === 'oneOf') && Array.isArray(v)) {
      out[k] = v.map((x) => forAjv(x as Schema, false));
    } else out[k] = v;
  }
  if (isTrue(s, 'x-kubernetes-int-or-string') && !s.type) out.type = ['integer', 'string'];
  // ajv's nullable needs a type; an untyped (preserved or int-or-string) node accepts null anyway.
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
  if (isTrue(s, 'x-kubernetes-embedded-resource')) {
    const req = new Set([...((out.required as string[] | undefined) ?? []), 'apiVersion', 'kind']);
    out.required = [...req];
  }
  if (root && Array.isArray(out.required)) out.required = (out.required as string[]).filter((r) => r !== 'metadata');
  if (out.nullable === true) {
    // null short-circuits every other check of a nullable node (as in kube-openapi).
    const { nullable: _n, ...rest } = out;
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keywords
    return { if: { type: 'null' }, then: true, else: rest };
  }
  return out;
}

export type ObjectValidator = (obj: unknown) => FieldError[];

const compiled = new Map<string, ObjectValidator>();

/**
 * Compiles a version's schema once (memoized by its JSON: a CRD is re-read on every write to it, its status
 * included); the function validates whole custom objects.
 */
export function compileValidator(schema: Schema): ObjectValidator {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    v = compileNew(schema);
    compiled.set(key, v);
  }
  return v;
}

/** Why ajv cannot compile the schema (reported at CRD validation), or undefined. */
export function schemaCompileError(schema: Schema): string | undefined {
  try {
    ajv.compile(forAjv(schema, true));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function compileNew(schema: Schema): ObjectValidator {
  let fn: ValidateFunction;
  try {
    fn = ajv.compile(forAjv(schema, true));
  } catch (err) {
    const msg = (err as Error).message;
    return () => [field.invalid('<schema>', '', `the schema cannot be compiled: ${msg}`)];
  }
  return (obj) => {
    if (fn(obj)) return [];
    const all = fn.errors ?? [];
    // Branch errors of anyOf/oneOf are summed up by the anyOf/oneOf error; `if` (nullable) adds nothing.
    const kept = all.filter((e) => e.keyword !== 'if' && !/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath));
    const dedup = kept.filter(
      (e) =>
        !(
          (e.keyword === 'anyOf' || e.keyword === 'oneOf') &&
          kept.some((o) => o !== e && o.instancePath === e.instancePath)
        ),
    );
    return dedup.map((e) => toFieldError(obj, e)).filter((e): e is FieldError => e !== undefined);
  };
}

/** `/spec/items/0/name` -> `spec.items[0].name`, indexes where the value is an array. */
function fieldPath(obj: unknown, pointer: string): { path: string; value: unknown } {
  let path = '';
  let cur: unknown = obj;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      path += `[${seg}]`;
      cur = cur[Number(seg)];
    } else {
      path = join(path, seg);
      cur = isPlainObject(cur) ? cur[seg] : undefined;
    }
  }
  return { path, value: cur };
}

function goType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function toFieldError(obj: unknown, e: ErrorObject): FieldError | undefined {
  const { path, value } = fieldPath(obj, e.instancePath);
  const where = path || '<root>';
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const want = Array.isArray(p.type) ? (p.type as string[]).join(',') : String(p.type);
      const got = goType(value);
      return {
        type: 'FieldValueTypeInvalid',
        field: where,
        message: `Invalid value: "${got}": ${where} in body must be of type ${want}: "${got}"`,
      };
    }
    case 'required': {
      const f = join(path, String(p.missingProperty));
      return field.required(f, '');
    }
    case 'enum':
      return field.notSupported(
        where,
        value,
        ((p.allowedValues as unknown[]) ?? []).map((x) => String(x)),
      );
    case 'minimum':
    case 'exclusiveMinimum':
      return field.invalid(
        where,
        value,
        `${where} in body should be greater than ${e.keyword === 'minimum' ? 'or equal to ' : ''}${p.limit}`,
      );
    case 'maximum':
    case 'exclusiveMaximum':
      return field.invalid(
        where,
        value,
        `${where} in body should be less than ${e.keyword === 'maximum' ? 'or equal to ' : ''}${p.limit}`,
      );
    case 'pattern':
      return field.invalid(where, value, `${where} in body should match '${p.pattern}'`);
    case 'minLength':
      return field.invalid(where, value, `${where} in body should be at least ${p.limit} chars long`);
    case 'maxLength':
      return field.tooLong(where, Number(p.limit));
    case 'minItems':
      return field.invalid(where, value, `${where} in body should have at least ${p.limit} items`);
    case 'maxItems':
      return {
        type: 'FieldValueTooMany',
        field: where,
        message: `Too many: ${Array.isArray(value) ? value.length : 0}: must have at most ${p.limit} items`,
      };
    case 'minProperties':
      return field.invalid(where, value, `${where} in body should have at least ${p.limit} properties`);
    case 'maxProperties':
      return field.invalid(where, value, `${where} in body should have at most ${p.limit} properties`);
    case 'uniqueItems':
      return field.duplicate(where, value);
    case 'multipleOf':
      return field.invalid(where, value, `${where} in body should be a multiple of ${p.multipleOf}`);
    case 'format':
      return field.invalid(where, value, `${where} in body must be of type ${p.format}: ${JSON.stringify(value)}`);
    case 'anyOf':
      return field.invalid(where, value, `${where} in body must validate at least one schema (anyOf)`);
    case 'oneOf':
      return field.invalid(where, value, `${where} in body must validate one and only one schema (oneOf)`);
    case 'additionalProperties':
      return field.invalid(join(path, String(p.additionalProperty)), '', 'must not be specified');
    default:
      return field.invalid(where, value, e.message ?? e.keyword);
  }
}

const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DOC =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/**
 * The schema a SchemaNode is built from (unknown-field warnings, managed fields, apply): the version's schema
 * with the implicit apiVersion, kind and metadata of the object (and of embedded resources) spelled out.
 */
export function withImplicitFields(s: Schema, objectMetaRef: string, root = true): Schema {
  const out: Schema = { ...s };
  if (isPlainObject(s.properties)) {
    const props: Record<string, Schema> = {};
    for (const [k, p] of Object.entries(s.properties)) props[k] = withImplicitFields(p as Schema, objectMetaRef, false);
    out.properties = props;
  }
  if (isPlainObject(s.items)) out.items = withImplicitFields(s.items as Schema, objectMetaRef, false);
  if (isPlainObject(s.additionalProperties))
    out.additionalProperties = withImplicitFields(s.additionalProperties as Schema, objectMetaRef, false);
  if (root || isTrue(s, 'x-kubernetes-embedded-resource')) {
    out.type ??= 'object';
    const props = { ...(out.properties as Record<string, Schema> | undefined) };
    out.properties = {
      apiVersion: { type: 'string', description: API_VERSION_DOC, ...props.apiVersion },
      kind: { type: 'string', description: KIND_DOC, ...props.kind },
      ...props,
      metadata: { description: METADATA_DOC, allOf: [{ $ref: objectMetaRef }] } as Schema,
    };
  }
  return out;
}
