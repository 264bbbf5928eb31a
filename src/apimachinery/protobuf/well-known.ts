// apimachinery types whose protobuf message differs from their JSON form (each has a custom MarshalJSON in Go).
import { errors } from '../../core/status.js';
import { int64ToNumber as toNumber } from './int64.js';

export type WellKnownResult = { handled: true; value: unknown } | { handled: false };

const NOT_HANDLED: WellKnownResult = { handled: false };

const META = '.k8s.io.apimachinery.pkg.apis.meta.v1.';

export function wellKnownToJson(fullName: string, msg: Record<string, unknown>): WellKnownResult {
  switch (fullName) {
    case `${META}Time`:
      return { handled: true, value: timeToJson(msg) };
    case '.k8s.io.apimachinery.pkg.util.intstr.IntOrString':
      // type 1 is String; anything else is Int (Go's zero IntOrString marshals as 0).
      return { handled: true, value: toNumber(msg['type']) === 1 ? (msg['strVal'] ?? '') : (msg['intVal'] ?? 0) };
    case '.k8s.io.apimachinery.pkg.api.resource.Quantity':
      // Go writes the canonical string; the zero Quantity marshals as "0".
      return { handled: true, value: msg['string'] || '0' };
    case `${META}FieldsV1`:
      return { handled: true, value: rawJson(msg['Raw'], 'FieldsV1') };
    default:
      return NOT_HANDLED;
  }
}

/** meta/v1 Time: zero (empty message) is null, otherwise RFC 3339 in UTC with whole seconds. */
function timeToJson(msg: Record<string, unknown>): string | null {
  const seconds = toNumber(msg['seconds']);
  const nanos = toNumber(msg['nanos']);
  if (seconds === 0 && nanos === 0) return null;
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) throw errors.badRequest('invalid Time value in protobuf body');
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function rawJson(raw: unknown, what: string): unknown {
  if (!(raw instanceof Uint8Array) || raw.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw errors.badRequest(`invalid JSON in ${what} of protobuf body`);
  }
}
