// Reads a field of a wire-form object as upstream's fields.Set does: absent values become "".
import type { KubeObject } from '../../core/types.js';
import { isPlainObject } from '../../core/json.js';

export function valueAt(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The field as a string; numbers and booleans print like Go's strconv, anything else is "". */
export function fieldText(obj: KubeObject, ...path: string[]): string {
  const v = valueAt(obj, path);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}

/** The first string found among several paths (for kinds served in two shapes). */
export function firstText(obj: KubeObject, ...paths: string[][]): string {
  for (const p of paths) {
    const v = valueAt(obj, p);
    if (typeof v === 'string' && v !== '') return v;
  }
  return '';
}
