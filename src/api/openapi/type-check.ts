// Typed decoding of a JSON object against its kind's schema, as the API server's Go decoder does before
// any defaulting or validation: a value of the wrong JSON type, an integer out of its Go type's range, a
// fraction where an integer belongs, a malformed quantity or time. The message is Go's
// `json.UnmarshalTypeError` text (innermost struct name, then the dotted field path without list indexes
// or map keys), e.g. `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of
// type int32`; the API server wraps it in upstream's 400 ("<Kind> in version ... cannot be handled as").
// Unknown fields are not this walk's business (fieldValidation handles them); null fits every type.
import type { SchemaNode } from '../../apimachinery/schema.js';
import { isPlainObject } from '../../core/json.js';
import { isQuantity } from '../../core/quantity/index.js';

// Ranges as [min, max): 2^63 is exact in a double, 2^63 - 1 is not.
const INT32 = { min: -(2 ** 31), maxExclusive: 2 ** 31 };
const INT64 = { min: -(2 ** 63), maxExclusive: 2 ** 63 };
const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const QUANTITY_DEF = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIME_DEFS = new Set([
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
]);

/** Go's name of a definition: its package's last element and the type, e.g. `v1.Container`. */
function goName(definition: string): string {
  const parts = definition.split('.');
  return parts.slice(-2).join('.');
}

function goType(node: SchemaNode): string {
  switch (node.type) {
    case 'string':
      if (node.definition) return goName(node.definition);
      return node.format === 'byte' ? '[]uint8' : 'string';
    case 'integer':
      return node.format === 'int64' ? 'int64' : 'int32';
    case 'number':
      return 'float64';
    case 'boolean':
      return 'bool';
    case 'map': {
      const items = node.items();
      return `map[string]${items ? goType(items) : 'interface {}'}`;
    }
    case 'array': {
      const items = node.items();
      return `[]${items ? goType(items) : 'interface {}'}`;
    }
    case 'object':
    case 'int-or-string':
      return node.definition ? goName(node.definition) : 'struct';
    default:
      return 'interface {}';
  }
}

/** The JSON kind as Go names it in UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // 'string' | 'number'
}

/** Where a value sits: its field in the innermost Go struct, and the field above (the path is made only for an error). */
interface Place {
  /** The innermost Go struct the field belongs to (e.g. DeploymentSpec). */
  struct: string;
  /** The JSON field name; '' at the root. */
  key: string;
  parent: Place | undefined;
}

const ROOT: Place = { struct: '', key: '', parent: undefined };

/** Dotted JSON field path from the object's root. */
function pathOf(at: Place): string {
  const keys: string[] = [];
  for (let p: Place | undefined = at; p?.key; p = p.parent) keys.push(p.key);
  return keys.reverse().join('.');
}

function fieldError(value: string, at: Place, type: string): string {
  const path = pathOf(at);
  if (!path) return `json: cannot unmarshal ${value} into Go value of type ${type}`;
  return `json: cannot unmarshal ${value} into Go struct field ${at.struct}.${path} of type ${type}`;
}

const structNames = new WeakMap<SchemaNode, string>();

/** The Go struct name of an object node with a definition (`DeploymentSpec`), remembered per node. */
function structOf(node: SchemaNode, outer: string): string {
  if (!node.definition) return outer;
  let name = structNames.get(node);
  if (name === undefined) {
    name = goName(node.definition).split('.').pop()!;
    structNames.set(node, name);
  }
  return name;
}

function integerError(v: unknown, node: SchemaNode, at: Place): string | undefined {
  const type = goType(node);
  if (typeof v !== 'number') return fieldError(jsonKind(v), at, type);
  const range = node.format === 'int64' ? INT64 : INT32;
  if (!Number.isInteger(v) || v < range.min || v >= range.maxExclusive) return fieldError(`number ${v}`, at, type);
  return undefined;
}

function check(v: unknown, node: SchemaNode, at: Place): string | undefined {
  if (v === null || v === undefined) return undefined;
  switch (node.type) {
    case 'any':
      return undefined;
    case 'string':
      if (typeof v !== 'string') return fieldError(jsonKind(v), at, goType(node));
      if (node.definition && TIME_DEFS.has(node.definition) && v !== '' && !RFC3339.test(v)) {
        return `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`;
      }
      return undefined;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : fieldError(jsonKind(v), at, 'bool');
    case 'number':
      return typeof v === 'number' ? undefined : fieldError(jsonKind(v), at, 'float64');
    case 'integer':
      return integerError(v, node, at);
    case 'int-or-string':
      if (node.definition === QUANTITY_DEF) {
        if (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && isQuantity(v.trim()))
          return undefined;
        return QUANTITY_ERROR;
      }
      if (typeof v === 'string') return undefined;
      // IntOrString decodes a non-string into an int32, outside any struct.
      return integerError(v, { type: 'integer', format: 'int32' } as SchemaNode, ROOT);
    case 'array': {
      if (!Array.isArray(v)) return fieldError(jsonKind(v), at, goType(node));
      const items = node.items();
      if (!items) return undefined;
      for (const item of v) {
        const e = check(item, items, at);
        if (e) return e;
      }
      return undefined;
    }
    case 'map': {
      if (!isPlainObject(v)) return fieldError(jsonKind(v), at, goType(node));
      const items = node.items();
      if (!items) return undefined;
      for (const item of Object.values(v)) {
        const e = check(item, items, at);
        if (e) return e;
      }
      return undefined;
    }
    case 'object': {
      if (!isPlainObject(v)) return fieldError(jsonKind(v), at, goType(node));
      const struct = structOf(node, at.struct);
      for (const key in v) {
        const child = v[key];
        if (child === null || child === undefined) continue;
        const field = node.field(key);
        if (!field) continue;
        const e = check(child, field, { struct, key, parent: at });
        if (e) return e;
      }
      return undefined;
    }
  }
}

/** The first type error in `obj` as Go's decoder would report it, or undefined when every value fits. */
export function decodeTypeError(obj: unknown, schema: SchemaNode): string | undefined {
  return check(obj, schema, ROOT);
}
