// JSON helpers for conversions: copying, picking present fields, and reading annotations.
import type { KubeObject } from '../../core/types.js';
import { isPlainObject } from '../../core/json.js';

export type Obj = Record<string, unknown>;

export const asObj = (v: unknown): Obj | undefined => (isPlainObject(v) ? v : undefined);
export const present = (v: unknown): boolean => v !== undefined && v !== null;

/** A copy of `src` holding only the listed keys that are present, renamed by `[from, to]` pairs. */
export function pick(src: unknown, keys: (string | [string, string])[]): Obj {
  const o = asObj(src) ?? {};
  const out: Obj = {};
  for (const k of keys) {
    const [from, to] = typeof k === 'string' ? [k, k] : k;
    if (present(o[from])) out[to] = structuredClone(o[from]);
  }
  return out;
}

/** The object's metadata, deep-copied, without the listed annotations (and no empty annotations map). */
export function metadataWithout(o: KubeObject, drop: string[]): KubeObject['metadata'] {
  const meta = structuredClone(o.metadata ?? {});
  if (meta.annotations) {
    for (const k of drop) delete meta.annotations[k];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  return meta;
}

export function setAnnotation(meta: KubeObject['metadata'], key: string, value: unknown): void {
  meta.annotations = { ...meta.annotations, [key]: JSON.stringify(value) };
}

/** Parses a JSON annotation; a malformed one is ignored rather than failing the read. */
export function annotationJson(o: KubeObject, key: string): unknown {
  const raw = o.metadata?.annotations?.[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
