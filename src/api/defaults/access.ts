// Small helpers for filling defaults into untyped JSON objects in place.
import { isPlainObject } from '../../core/json.js';

export type Obj = Record<string, unknown>;

/** The object at `o[key]`, created empty when absent. */
export function child(o: Obj, key: string): Obj {
  const v = o[key];
  if (isPlainObject(v)) return v;
  const created: Obj = {};
  o[key] = created;
  return created;
}

/** Sets `o[key]` when it is absent or null (Go's nil pointer / empty value). */
export function setDefault(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

export function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isPlainObject) : [];
}

export function asObj(v: unknown): Obj | undefined {
  return isPlainObject(v) ? v : undefined;
}
