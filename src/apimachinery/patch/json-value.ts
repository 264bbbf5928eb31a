// Small helpers over plain JSON values shared by the patch algorithms.
import { isPlainObject } from '../../core/json.js';

export type JsonMap = Record<string, unknown>;

export { isPlainObject };

/** Deep copy of a JSON value (objects from JSON.parse or KubeObjects). */
export function cloneJson<T>(v: T): T {
  // A plain recursive copy: far cheaper than structuredClone for the many small values patching copies.
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (!isPlainObject(v)) return v;
  const out: JsonMap = {};
  for (const k of Object.keys(v)) out[k] = cloneJson(v[k]);
  return out as T;
}

/** Structural equality of JSON values; key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
