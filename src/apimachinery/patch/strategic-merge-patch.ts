// Strategic merge patch (application/strategic-merge-patch+json), following
// k8s.io/apimachinery/pkg/util/strategicpatch with the apiserver's options (parallel lists, unmatched nulls
// ignored). Lists whose schema says patchStrategy=merge merge by patchMergeKey; other lists are replaced.
import type { SchemaNode } from '../schema.js';
import { malformedPatch, patchNotApplicable } from './errors.js';
import { cloneJson, isPlainObject, type JsonMap, jsonEqual } from './json-value.js';
import { childSchema, hasStrategy } from './schema-walk.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVES = '$deleteFromPrimitiveList/';

/**
 * Applies a strategic merge patch to a copy of target. With no schema (an unknown type) every list is
 * replaced, which makes it a JSON merge patch that also understands the `$` directives.
 */
export function applyStrategicMergePatch<T>(target: T, patch: unknown, schema: SchemaNode | undefined): T {
  if (!isPlainObject(patch)) throw malformedPatch('invalid JSON document');
  const base = isPlainObject(target) ? cloneJson(target) : {};
  return mergeMap(base, cloneJson(patch), schema) as T;
}

function mergeMap(original: JsonMap, patch: JsonMap, schema: SchemaNode | undefined): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return stripNulls(patch);
    }
    if (directive === 'delete') return {};
    throw malformedPatch(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  applyRetainKeys(original, patch);
  // Live order of reordered lists, used to place server-only items after merging.
  const serverLists = new Map<string, unknown[]>();
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    const live = original[field];
    serverLists.set(field, Array.isArray(live) ? [...live] : []);
  }

  for (const key of Object.keys(patch)) {
    if (key.startsWith(DELETE_PRIMITIVES)) {
      const field = key.slice(DELETE_PRIMITIVES.length);
      const remove = patch[key];
      if (!Array.isArray(remove)) throw malformedPatch('invalid patch format of primitive list');
      const current = original[field];
      if (Array.isArray(current)) original[field] = current.filter((v) => !remove.some((r) => jsonEqual(r, v)));
    }
  }

  for (const [key, patchValue] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const sub = childSchema(schema, key);
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const current = original[key];
    if (isPlainObject(patchValue)) {
      const replaceWhole = hasStrategy(sub, 'replace') || !isPlainObject(current);
      original[key] = mergeMap(replaceWhole ? {} : current, patchValue, sub);
      continue;
    }
    if (Array.isArray(patchValue)) {
      const base = Array.isArray(current) ? current : [];
      original[key] = hasStrategy(sub, 'merge') ? mergeList(base, patchValue, sub) : stripNulls(patchValue);
      continue;
    }
    original[key] = patchValue;
  }

  // $setElementOrder applies even when the list itself is absent from the patch (a pure reorder).
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ORDER)) continue;
    const field = key.slice(SET_ORDER.length);
    const order = patch[key];
    if (!Array.isArray(order)) throw malformedPatch('invalid patch format of setElementOrder list');
    const merged = original[field];
    if (!Array.isArray(merged)) continue;
    const mergeKey = childSchema(schema, field)?.patchMergeKey;
    original[field] = normalizeElementOrder(merged, order, serverLists.get(field) ?? [], mergeKey);
  }
  return original;
}

function applyRetainKeys(original: JsonMap, patch: JsonMap): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) {
    throw malformedPatch('invalid patch format of retainKeys');
  }
  // Every field the patch sets must be retained (nulls and directives aside).
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && !key.startsWith('$') && !retain.includes(key)) {
      throw malformedPatch('invalid patch format of retainKeys');
    }
  }
  for (const key of Object.keys(original)) {
    if (!retain.includes(key)) delete original[key];
  }
}

function mergeList(original: unknown[], patch: unknown[], schema: SchemaNode | undefined): unknown[] {
  const elementSchema = schema?.items();
  const mergeKey = schema?.patchMergeKey;
  const isMapList = patch.some(isPlainObject) || (patch.length === 0 && original.some(isPlainObject));
  if (!isMapList) {
    // Lists of scalars are merged as a set, keeping first occurrences in order.
    const out: unknown[] = [];
    for (const v of [...original, ...patch]) if (v !== null && !out.some((o) => jsonEqual(o, v))) out.push(v);
    return out;
  }
  if (!mergeKey) throw patchNotApplicable(`merging an object in an array requires a merge key`);

  let result = [...original];
  const plain: JsonMap[] = [];
  for (const item of patch) {
    if (!isPlainObject(item)) throw patchNotApplicable(`unable to find api field in struct for list element`);
    const directive = item[DIRECTIVE];
    if (directive === undefined) {
      plain.push(item);
      continue;
    }
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) {
        throw patchNotApplicable(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
      }
      result = result.filter((o) => !(isPlainObject(o) && jsonEqual(o[mergeKey], item[mergeKey])));
    } else if (directive === 'replace') {
      return patch.filter((p) => !(isPlainObject(p) && Object.hasOwn(p, DIRECTIVE))).map(stripNulls);
    } else if (directive === 'merge') {
      throw patchNotApplicable('merging lists cannot yet be specified in the patch');
    } else {
      throw malformedPatch(`Unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`);
    }
  }
  for (const item of plain) {
    if (!Object.hasOwn(item, mergeKey)) {
      throw patchNotApplicable(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
    }
    const i = result.findIndex((o) => isPlainObject(o) && jsonEqual(o[mergeKey], item[mergeKey]));
    if (i >= 0) {
      result[i] = mergeMap(result[i] as JsonMap, item, elementSchema);
    } else {
      result.push(mergeMap({}, item, elementSchema));
    }
  }
  return result;
}

/** Orders a merged list by a $setElementOrder list, interleaving server-only items by their live order. */
function normalizeElementOrder(
  merged: unknown[],
  order: unknown[],
  serverList: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const identity = (v: unknown): unknown => (mergeKey && isPlainObject(v) ? v[mergeKey] : v);
  const indexIn = (list: unknown[], v: unknown): number => list.findIndex((x) => jsonEqual(identity(x), identity(v)));
  const patchItems = merged.filter((v) => indexIn(order, v) >= 0).sort((a, b) => indexIn(order, a) - indexIn(order, b));
  const serverOnly = merged
    .filter((v) => indexIn(order, v) < 0)
    .sort((a, b) => indexIn(serverList, a) - indexIn(serverList, b));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) out.push(patchItems[j++]);
    else if (j >= patchItems.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(serverList, serverOnly[i]);
      const ri = indexIn(serverList, patchItems[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(patchItems[j++]);
    }
  }
  return out;
}

/** Removes nulls (and directives) from a value taken from the patch without merging, as IgnoreUnmatchedNulls. */
function stripNulls<T>(value: T): T {
  if (Array.isArray(value)) return value.map(stripNulls) as T;
  if (!isPlainObject(value)) return value;
  const out: JsonMap = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || k.startsWith('$')) continue;
    out[k] = stripNulls(v);
  }
  return out as T;
}
