// Query parameters decoded as upstream's parameter codec does (k8s.io/apimachinery/pkg/runtime
// conversion.go, used for ListOptions, DeleteOptions, PatchOptions, CreateOptions, UpdateOptions): the first
// value of a parameter counts; a boolean is false only when absent, "0" or "false" in any case, and true
// for anything else (so the Python client's `watch=True` is a watch); an integer is Go's
// strconv.ParseInt(s, 10, 64), and a value it refuses is a 400 with strconv's message.
import { errors } from '../../core/status.js';

/** A boolean query parameter; undefined when absent. */
export function queryBool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** The text of Go's strconv.ParseInt(s, 10, 64) error, or undefined when it parses. */
export function parseIntError(s: string): string | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return `strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    return `strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`;
  }
  return undefined;
}

/** An int64 query parameter; undefined when absent; 400 BadRequest when Go would not parse it. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const err = parseIntError(v);
  if (err) throw errors.badRequest(err);
  return Number(v);
}
