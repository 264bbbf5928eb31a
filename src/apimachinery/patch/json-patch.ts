// RFC 6902 JSON patch (application/json-patch+json), with evanphx/json-patch (v4) error wording, which is
// what the apiserver returns inside its 422.
import { malformedPatch, patchNotApplicable } from './errors.js';
import { cloneJson, isPlainObject, type JsonMap, jsonEqual } from './json-value.js';

export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a decoded JSON patch document; a malformed one is a 400. */
export function parseJsonPatch(doc: unknown): JsonPatchOp[] {
  if (!Array.isArray(doc)) throw malformedPatch('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  return doc.map((op) => {
    if (!isPlainObject(op) || typeof op.op !== 'string' || !OPS.has(op.op)) {
      throw malformedPatch(`Unexpected kind: ${isPlainObject(op) ? String(op.op) : 'unknown'}`);
    }
    if (typeof op.path !== 'string') throw malformedPatch(`${op.op} operation failed to decode path`);
    if ((op.op === 'move' || op.op === 'copy') && typeof op.from !== 'string') {
      throw malformedPatch(`${op.op} operation failed to decode from`);
    }
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !Object.hasOwn(op, 'value')) {
      throw malformedPatch(`${op.op} operation missing value`);
    }
    return op as JsonPatchOp;
  });
}

/** Splits a JSON pointer into unescaped tokens ('~1' is '/', '~0' is '~'). */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw patchNotApplicable(`JSON pointer must be empty or start with a "/": ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = JsonMap | unknown[];

/** Applies the operations in order to a copy of target; the first failing operation aborts with a 422. */
export function applyJsonPatch<T>(target: T, ops: unknown): T {
  const patch = parseJsonPatch(ops);
  // The root sits in a holder so that operations on "" replace the whole document.
  const holder: JsonMap = { root: cloneJson(target) };
  for (const op of patch) applyOne(holder, op);
  return holder.root as T;
}

function applyOne(holder: JsonMap, op: JsonPatchOp): void {
  switch (op.op) {
    case 'add':
      add(holder, op.path, cloneJson(op.value), 'add');
      return;
    case 'remove':
      remove(holder, op.path);
      return;
    case 'replace':
      replace(holder, op.path, cloneJson(op.value));
      return;
    case 'test':
      test(holder, op.path, op.value);
      return;
    case 'move': {
      if (op.path.startsWith(`${op.from}/`)) {
        throw patchNotApplicable(`Unable to move ${op.from} into one of its children ${op.path}`);
      }
      if (!lookup(holder, op.from).found) {
        throw patchNotApplicable(`move operation does not apply: doc is missing from path: ${op.from}: missing value`);
      }
      const value = remove(holder, op.from);
      add(holder, op.path, value, 'move');
      return;
    }
    case 'copy': {
      const found = lookup(holder, op.from);
      if (!found.found) {
        throw patchNotApplicable(`copy operation does not apply: doc is missing from path: ${op.from}: missing value`);
      }
      add(holder, op.path, cloneJson(found.value), 'copy');
      return;
    }
  }
}

/** Resolves the container holding the last token of a pointer, or undefined if a parent is missing. */
function parentOf(holder: JsonMap, pointer: string): { parent: Container; key: string } | undefined {
  const tokens = ['root', ...parsePointer(pointer)];
  let node: unknown = holder;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) {
      const i = arrayIndex(token, node.length - 1);
      node = node[i];
    } else if (isPlainObject(node)) {
      node = node[token];
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(node) && !isPlainObject(node)) return undefined;
  return { parent: node, key: tokens[tokens.length - 1]! };
}

function arrayIndex(token: string, max: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) throw patchNotApplicable(`strconv.Atoi: parsing "${token}": invalid syntax`);
  const i = Number(token);
  if (i > max) throw patchNotApplicable(`Unable to access invalid index: ${i}: invalid index referenced`);
  return i;
}

function lookup(holder: JsonMap, pointer: string): { found: boolean; value?: unknown } {
  const loc = parentOf(holder, pointer);
  if (!loc) return { found: false };
  if (Array.isArray(loc.parent)) {
    if (!/^(0|[1-9][0-9]*)$/.test(loc.key) || Number(loc.key) >= loc.parent.length) return { found: false };
    return { found: true, value: loc.parent[Number(loc.key)] };
  }
  if (!Object.hasOwn(loc.parent, loc.key)) return { found: false };
  return { found: true, value: loc.parent[loc.key] };
}

function add(holder: JsonMap, pointer: string, value: unknown, verb: string): void {
  const loc = parentOf(holder, pointer);
  if (!loc)
    throw patchNotApplicable(`${verb} operation does not apply: doc is missing path: "${pointer}": missing value`);
  if (Array.isArray(loc.parent)) {
    const i = loc.key === '-' ? loc.parent.length : arrayIndex(loc.key, loc.parent.length);
    loc.parent.splice(i, 0, value);
  } else {
    loc.parent[loc.key] = value;
  }
}

function remove(holder: JsonMap, pointer: string): unknown {
  const loc = parentOf(holder, pointer);
  if (!loc)
    throw patchNotApplicable(`remove operation does not apply: doc is missing path: "${pointer}": missing value`);
  if (Array.isArray(loc.parent)) {
    const i = arrayIndex(loc.key, loc.parent.length - 1);
    return loc.parent.splice(i, 1)[0];
  }
  if (!Object.hasOwn(loc.parent, loc.key)) {
    throw patchNotApplicable(
      `error in remove for path: '${pointer}': Unable to remove nonexistent key: ${loc.key}: missing value`,
    );
  }
  const old = loc.parent[loc.key];
  delete loc.parent[loc.key];
  return old;
}

function replace(holder: JsonMap, pointer: string, value: unknown): void {
  const loc = parentOf(holder, pointer);
  if (!loc)
    throw patchNotApplicable(`replace operation does not apply: doc is missing path: ${pointer}: missing value`);
  if (Array.isArray(loc.parent)) {
    const i = arrayIndex(loc.key, loc.parent.length - 1);
    loc.parent[i] = value;
    return;
  }
  if (!Object.hasOwn(loc.parent, loc.key)) {
    throw patchNotApplicable(`replace operation does not apply: doc is missing key: ${pointer}: missing value`);
  }
  loc.parent[loc.key] = value;
}

function test(holder: JsonMap, pointer: string, expected: unknown): void {
  const found = lookup(holder, pointer);
  // A missing path equals a null test value, as evanphx does.
  const actual = found.found ? found.value : null;
  if (!jsonEqual(actual, expected)) throw patchNotApplicable(`testing value ${pointer} failed: test failed`);
}
