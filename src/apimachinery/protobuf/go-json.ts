// Turns a decoded protobuf message into the JSON that Go's encoding/json would write for the same Go struct.
// The .proto files carry each field's Go json tag as option (json) and mark Go pointers with (nullable),
// which is what omitempty needs: a pointer is written whenever set (even to 0), a plain value only when
// non-zero, a value without omitempty always; structs are always written (omitempty ignores them).
import protobuf from 'protobufjs';
import { isLongLike } from './int64.js';
import { wellKnownToJson } from './well-known.js';

interface GoFieldTag {
  jsonName: string;
  omitEmpty: boolean;
  inline: boolean;
  skip: boolean;
  pointer: boolean;
}

const tagCache = new WeakMap<protobuf.FieldBase, GoFieldTag>();

function goTag(f: protobuf.FieldBase): GoFieldTag {
  let tag = tagCache.get(f);
  if (!tag) {
    const json = f.options?.['(json)'];
    const [name, ...flags] = typeof json === 'string' ? json.split(',') : [f.name, 'omitempty'];
    tag = {
      jsonName: name || f.name,
      omitEmpty: flags.includes('omitempty'),
      inline: flags.includes('inline'),
      skip: name === '-',
      pointer: f.options?.['(nullable)'] === true,
    };
    tagCache.set(f, tag);
  }
  return tag;
}

type Decoded = Record<string, unknown>;

/** JSON form of one message value (already decoded), honouring well-known k8s types. */
export function messageToJson(type: protobuf.Type, msg: Decoded): unknown {
  const special = wellKnownToJson(type.fullName, msg);
  if (special.handled) return special.value;
  const out: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    const tag = goTag(f);
    if (tag.skip) continue;
    const raw = msg[f.name];
    if (f instanceof protobuf.MapField) {
      const entries = Object.entries((raw ?? {}) as Decoded);
      if (entries.length === 0) {
        if (!tag.omitEmpty) out[tag.jsonName] = null;
        continue;
      }
      const obj: Record<string, unknown> = {};
      for (const [k, v] of entries) obj[k] = valueToJson(f, v);
      out[tag.jsonName] = obj;
      continue;
    }
    if (f.repeated) {
      const items = (raw ?? []) as unknown[];
      if (items.length === 0) {
        if (!tag.omitEmpty) out[tag.jsonName] = null;
        continue;
      }
      out[tag.jsonName] = items.map((v) => valueToJson(f, v));
      continue;
    }
    const present = Object.hasOwn(msg, f.name);
    if (f.resolvedType instanceof protobuf.Type) {
      if (tag.pointer && !present) continue;
      // A Go struct value is written even when absent on the wire: its zero value still marshals.
      const value = messageToJson(f.resolvedType, present ? (raw as Decoded) : {});
      if (tag.inline && isRecord(value)) Object.assign(out, value);
      else out[tag.jsonName] = value;
      continue;
    }
    if (tag.pointer) {
      if (present) out[tag.jsonName] = scalarToJson(raw);
      continue;
    }
    // An absent []byte is Go's nil (null); protobufjs' default for bytes is an empty array.
    const value = scalarToJson(present ? raw : f.type === 'bytes' ? null : f.typeDefault);
    if (tag.omitEmpty && isZeroScalar(value)) continue;
    out[tag.jsonName] = value;
  }
  return out;
}

function valueToJson(f: protobuf.FieldBase, v: unknown): unknown {
  return f.resolvedType instanceof protobuf.Type ? messageToJson(f.resolvedType, v as Decoded) : scalarToJson(v);
}

/** int64 arrives as a Long, bytes as a Uint8Array (JSON: base64, as Go writes []byte). */
function scalarToJson(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (isLongLike(v)) return v.toNumber();
  return v ?? null;
}

function isZeroScalar(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
