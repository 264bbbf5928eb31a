// JSON values as they travel over the wire, and the two helpers every component needs on them.

/** A JSON value, for code that walks arbitrary documents (patches, schemas). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * JSON with object keys sorted (UTF-16 order) and undefined members dropped: equal documents print alike
 * whatever their key order, so the text serves for comparison and hashing. A lone undefined prints `null`.
 */
export function stableJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * Structural equality of JSON documents: key order does not matter and undefined members count as absent
 * (what stableJson prints alike), found by walking both rather than printing them.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b) || Array.isArray(b)) return false;
    let na = 0;
    for (const k in a) {
      if (!Object.hasOwn(a, k) || a[k] === undefined) continue;
      na++;
      if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
    }
    let nb = 0;
    for (const k in b) if (Object.hasOwn(b, k) && b[k] !== undefined) nb++;
    return na === nb;
  }
  return false;
}

/** Freezes a JSON value and everything in it, for values many readers share and none may change. */
export function deepFreeze(v: unknown): void {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/** Deep copy of a JSON value (objects from JSON.parse, Kubernetes objects). */
export function cloneJson<T>(v: T): T {
  // A plain recursive copy: far cheaper than structuredClone for the many small values written and patched.
  if (Array.isArray(v)) return v.map(cloneJson) as T;
  if (!isPlainObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = cloneJson(v[k]);
  return out as T;
}
