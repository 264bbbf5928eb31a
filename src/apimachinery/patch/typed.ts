// Schema-aware walks over JSON objects for server-side apply (the typed package of structured-merge-diff):
// the field set of an object, the difference of two objects, merging an applied config into a live object,
// and removing a set of fields. Unknown / free-form parts are "deduced": objects are granular maps, lists
// are atomic.
import type { SchemaNode } from '../schema.js';
import { FieldSet, type FieldPath, fieldPE, keyPE, type PathElement, valuePE } from './fieldpath.js';
import { cloneJson, isPlainObject, type JsonMap, jsonEqual } from './json-value.js';
import { childSchema, listSemantics } from './schema-walk.js';

type Shape =
  | { kind: 'leaf' }
  | { kind: 'struct'; schema: SchemaNode }
  | { kind: 'map'; schema: SchemaNode | undefined }
  | { kind: 'list'; keys: string[] | undefined; elem: SchemaNode | undefined };

function shapeOf(schema: SchemaNode | undefined, value: unknown): Shape {
  if (isPlainObject(value)) {
    if (!schema || schema.type === 'any') return { kind: 'map', schema: undefined };
    if (schema.mapType === 'atomic') return { kind: 'leaf' };
    if (schema.type === 'object') return { kind: 'struct', schema };
    if (schema.type === 'map') return { kind: 'map', schema };
    return { kind: 'leaf' };
  }
  if (Array.isArray(value) && schema?.type === 'array') {
    const sem = listSemantics(schema);
    if (sem.kind === 'atomic') return { kind: 'leaf' };
    return { kind: 'list', keys: sem.kind === 'map' ? sem.keys : undefined, elem: schema.items() };
  }
  return { kind: 'leaf' };
}

// Key fields with a schema default that clients routinely omit; upstream fills them from the OpenAPI default.
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** The path element naming a list item: its key for list-maps, its value for sets. */
function itemPE(keys: string[] | undefined, item: unknown): PathElement {
  if (!keys || !isPlainObject(item)) return valuePE(item);
  const key: JsonMap = {};
  for (const k of keys) {
    const v = item[k] ?? KEY_DEFAULTS[k];
    if (v !== undefined) key[k] = v;
  }
  return keyPE(key);
}

function isStructField(shape: Shape, name: string): boolean {
  return shape.kind === 'struct' && shape.schema.field(name) !== undefined;
}

function childOf(shape: Shape, name: string): SchemaNode | undefined {
  if (shape.kind === 'struct') return childSchema(shape.schema, name);
  if (shape.kind === 'map') return shape.schema?.items();
  return undefined;
}

/** The fields an object sets (typed.ToFieldSet): leaves, list items and map entries are members. */
export function toFieldSet(value: unknown, schema: SchemaNode | undefined): FieldSet {
  const out = new FieldSet();
  collect(value, schema, [], out);
  return out;
}

function collect(value: unknown, schema: SchemaNode | undefined, path: FieldPath, out: FieldSet): void {
  const shape = shapeOf(schema, value);
  if (shape.kind === 'leaf') {
    out.insert(path);
    return;
  }
  if (shape.kind === 'list') {
    for (const item of value as unknown[]) {
      const p = [...path, itemPE(shape.keys, item)];
      collect(item, shape.elem, p, out);
      out.insert(p);
    }
    return;
  }
  for (const [k, v] of Object.entries(value as JsonMap)) {
    if (v === undefined) continue;
    const p = [...path, fieldPE(k)];
    collect(v, childOf(shape, k), p, out);
    const emptyMap = isPlainObject(v) && Object.keys(v).length === 0;
    if (v === null || emptyMap || !isStructField(shape, k)) out.insert(p);
  }
}

export interface Comparison {
  modified: FieldSet;
  added: FieldSet;
  removed: FieldSet;
}

/** What changed from lhs to rhs (typed.Compare); containers present on one side only count as added/removed. */
export function compare(lhs: unknown, rhs: unknown, schema: SchemaNode | undefined): Comparison {
  const res: Comparison = { modified: new FieldSet(), added: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, schema, [], res);
  return res;
}

function compareAt(l: unknown, r: unknown, schema: SchemaNode | undefined, path: FieldPath, res: Comparison): void {
  // The same value on both sides (a part a write kept from the old object) has no differences.
  if (l === r) return;
  if (l === undefined || r === undefined) {
    // Present on one side only: every path of the subtree is added (or removed), marked in one walk below
    // its parent's node rather than inserted path by path from the root.
    const target = l === undefined ? res.added : res.removed;
    const value = l === undefined ? r : l;
    if (path.length === 0) {
      const shape = shapeOf(schema, value);
      if (shape.kind !== 'leaf') markChildren(value, shape, target);
      return;
    }
    let parent = target;
    for (let i = 0; i < path.length - 1; i++) parent = parent.childOrCreate(path[i]!);
    markAt(value, schema, parent, path[path.length - 1]!);
    return;
  }
  // Both sides present from here on.
  const sl = shapeOf(schema, l);
  const sr = shapeOf(schema, r);
  if (sl.kind === 'leaf' || sl.kind !== sr.kind) {
    if (!jsonEqual(l, r)) res.modified.insert(path);
    return;
  }
  if (sl.kind === 'list') {
    const li = indexList(l, sl.keys);
    const ri = indexList(r, sl.keys);
    for (const pe of new Set([...li.keys(), ...ri.keys()])) {
      compareAt(li.get(pe), ri.get(pe), sl.elem, [...path, pe], res);
    }
  } else {
    const lm = l as JsonMap;
    const rm = r as JsonMap;
    for (const k of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
      compareAt(lm[k], rm[k], childOf(sl, k), [...path, fieldPE(k)], res);
    }
  }
}

/** Marks `value` at `parent`/`pe` and everything below it (what compareAt finds on a one-sided subtree). */
function markAt(value: unknown, schema: SchemaNode | undefined, parent: FieldSet, pe: PathElement): void {
  parent.members.add(pe);
  const shape = shapeOf(schema, value);
  if (shape.kind === 'leaf') return;
  const node = parent.childOrCreate(pe);
  markChildren(value, shape, node);
  if (node.isEmpty()) parent.children.delete(pe);
}

function markChildren(value: unknown, shape: Shape, node: FieldSet): void {
  if (shape.kind === 'list') {
    const seen = new Set<PathElement>();
    for (const item of value as unknown[]) {
      const pe = itemPE(shape.keys, item);
      if (seen.has(pe)) continue; // as indexList: the first item of a duplicated key counts
      seen.add(pe);
      markAt(item, shape.elem, node, pe);
    }
    return;
  }
  const m = value as JsonMap;
  for (const k of Object.keys(m)) {
    const v = m[k];
    if (v === undefined) continue;
    markAt(v, childOf(shape, k), node, fieldPE(k));
  }
}

function indexList(list: unknown, keys: string[] | undefined): Map<PathElement, unknown> {
  const out = new Map<PathElement, unknown>();
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const pe = itemPE(keys, item);
    if (!out.has(pe)) out.set(pe, item);
  }
  return out;
}

/**
 * Merges an applied configuration into a live object (typed.Merge): maps merge, list-maps and sets merge by
 * item identity keeping the applied order for shared items, leaves and atomic values take the applied value.
 * Null-valued map entries are dropped, as decoding into a typed object would.
 */
export function mergeApplied(live: unknown, applied: unknown, schema: SchemaNode | undefined): unknown {
  return dropNullEntries(mergeAt(live, applied, schema));
}

function mergeAt(l: unknown, r: unknown, schema: SchemaNode | undefined): unknown {
  if (r === undefined) return cloneJson(l);
  if (l === undefined) return cloneJson(r);
  const sl = shapeOf(schema, l);
  const sr = shapeOf(schema, r);
  if (sl.kind !== sr.kind || sr.kind === 'leaf') return cloneJson(r);
  if (sr.kind === 'list') return mergeList(l as unknown[], r as unknown[], sr.keys, sr.elem);
  const out: JsonMap = {};
  const lm = l as JsonMap;
  const rm = r as JsonMap;
  for (const k of Object.keys(lm))
    out[k] = Object.hasOwn(rm, k) ? mergeAt(lm[k], rm[k], childOf(sr, k)) : cloneJson(lm[k]);
  for (const k of Object.keys(rm)) if (!Object.hasOwn(lm, k)) out[k] = cloneJson(rm[k]);
  return out;
}

/** Port of the merging walker's list algorithm: live-only items stay in place, shared items follow rhs order. */
function mergeList(lhs: unknown[], rhs: unknown[], keys: string[] | undefined, elem: SchemaNode | undefined) {
  const lPE = lhs.map((v) => itemPE(keys, v));
  const rPE = rhs.map((v) => itemPE(keys, v));
  const lBy = indexList(lhs, keys);
  const rBy = indexList(rhs, keys);
  const shared = rPE.filter((pe) => lBy.has(pe));
  let nextShared = 0;
  const done = new Set<PathElement>();
  const out: unknown[] = [];
  const takeRhs = (pe: PathElement) => {
    if (done.has(pe)) return;
    done.add(pe);
    out.push(mergeAt(lBy.get(pe), rBy.get(pe), elem));
    if (shared[nextShared] === pe) nextShared++;
  };
  let li = 0;
  let ri = 0;
  while (li < lPE.length || ri < rPE.length) {
    if (li < lPE.length && ri < rPE.length) {
      const pe = lPE[li]!;
      if (pe === rPE[ri]) {
        takeRhs(pe);
        li++;
        ri++;
        continue;
      }
      if (rBy.has(pe) && shared[nextShared] !== undefined && shared[nextShared] !== pe) {
        li++;
        continue;
      }
    }
    if (li < lPE.length) {
      const pe = lPE[li]!;
      if (!rBy.has(pe)) {
        out.push(cloneJson(lhs[li]));
        li++;
        continue;
      }
      if (done.has(pe)) {
        li++;
        continue;
      }
    }
    if (ri < rPE.length) {
      takeRhs(rPE[ri]!);
      ri++;
    }
  }
  return out;
}

function dropNullEntries(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNullEntries);
  if (!isPlainObject(v)) return v;
  const out: JsonMap = {};
  for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = dropNullEntries(x);
  return out;
}

/** A copy of value without the members of set (typed.RemoveItems); children of set are descended into. */
export function removeItems(value: unknown, set: FieldSet, schema: SchemaNode | undefined): unknown {
  const shape = shapeOf(schema, value);
  if (shape.kind === 'leaf') return cloneJson(value);
  if (shape.kind === 'list') {
    const out: unknown[] = [];
    for (const item of value as unknown[]) {
      const pe = itemPE(shape.keys, item);
      if (set.members.has(pe)) continue;
      const sub = set.child(pe);
      out.push(sub ? removeItems(item, sub, shape.elem) : cloneJson(item));
    }
    return out;
  }
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value as JsonMap)) {
    const pe = fieldPE(k);
    if (set.members.has(pe)) continue;
    const sub = set.child(pe);
    out[k] = sub ? removeItems(v, sub, childOf(shape, k)) : cloneJson(v);
  }
  return out;
}

/**
 * The set plus, as members, every named field of a struct that it has children under
 * (fieldpath.Set.EnsureNamedFieldsAreMembers), so that pruning can drop a whole struct field.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, schema: SchemaNode | undefined): FieldSet {
  const out = new FieldSet();
  for (const m of set.members) out.members.add(m);
  for (const [pe, child] of set.children) {
    let sub: SchemaNode | undefined;
    if (pe.startsWith('f:')) {
      const name = pe.slice(2);
      sub = childSchema(schema, name);
      if (schema?.type === 'object' && schema.field(name) !== undefined) out.members.add(pe);
    } else {
      sub = schema?.type === 'array' ? schema.items() : undefined;
    }
    out.children.set(pe, ensureNamedFieldsAreMembers(child, sub));
  }
  return out;
}
