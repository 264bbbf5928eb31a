// Patch application for the fake server: RFC 7386 merge patch (also used for strategic merge, which
// differs only for lists of objects with merge keys) and a small RFC 6902 subset (add, replace, remove).

import { isPlainObject } from '../../core/json.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

type Container = Record<string, unknown> | unknown[];

export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Error('json patch must be an array');
  const root = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    if (!isPlainObject(op) || typeof op['path'] !== 'string') throw new Error('json patch: bad operation');
    const parts = op['path']
      .split('/')
      .slice(1)
      .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop();
    if (last === undefined) throw new Error('json patch: empty path');
    let parent: Container = root;
    for (const p of parts) {
      const next: unknown = Array.isArray(parent) ? parent[Number(p)] : parent[p];
      if (!isPlainObject(next) && !Array.isArray(next)) throw new Error(`json patch: missing ${op['path']}`);
      parent = next;
    }
    const kind = op['op'];
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (kind === 'add') parent.splice(i, 0, op['value']);
      else if (kind === 'replace') parent[i] = op['value'];
      else if (kind === 'remove') parent.splice(i, 1);
      else throw new Error(`json patch: unsupported op ${String(kind)}`);
    } else if (kind === 'add' || kind === 'replace') parent[last] = op['value'];
    else if (kind === 'remove') delete parent[last];
    else throw new Error(`json patch: unsupported op ${String(kind)}`);
  }
  return root;
}
