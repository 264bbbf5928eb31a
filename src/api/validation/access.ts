// Narrow readers over untyped JSON, and the few field errors status.ts does not construct.
import { type FieldError, field } from '../../core/status.js';
import { isPlainObject } from '../../core/json.js';

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
export const strMap = (v: unknown): Record<string, string> => {
  const o = obj(v);
  if (!o) return {};
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) if (typeof x === 'string') out[k] = x;
  return out;
};

/** field.NotFound, as upstream: `Not found: "x"`. */
export const notFound = (path: string, value: unknown): FieldError => ({
  type: 'FieldValueNotFound',
  field: path,
  message: `Not found: ${JSON.stringify(value)}`,
});

/** Each message of a syntax check becomes one Invalid error on the same path. */
export const invalidEach = (path: string, value: unknown, msgs: string[]): FieldError[] =>
  msgs.map((m) => field.invalid(path, value, m));

export function nonNegative(path: string, v: unknown): FieldError[] {
  const n = num(v);
  return n !== undefined && n < 0 ? [field.invalid(path, n, 'must be greater than or equal to 0')] : [];
}

export function immutable(path: string, now: unknown, before: unknown): FieldError[] {
  return deepEqual(now, before) ? [] : [field.invalid(path, now ?? null, 'field is immutable')];
}

/** Structural equality of JSON values; absent and undefined are the same. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const oa = obj(a);
  const ob = obj(b);
  if (!oa || !ob) return false;
  const keys = new Set([...Object.keys(oa), ...Object.keys(ob)]);
  for (const k of keys) if (!deepEqual(oa[k], ob[k])) return false;
  return true;
}

/** `path[key]` as upstream prints map keys. */
export const key = (path: string, k: string) => `${path}[${k}]`;
