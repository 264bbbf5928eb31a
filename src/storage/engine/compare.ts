import type { Compare, KeyValue } from '../store.js';

/** etcd's applyCompare: a missing key has mod/create/version 0, and a value compare on it always fails. */
export function compareHolds(c: Compare, kv: KeyValue | undefined): boolean {
  if (c.target === 'value') {
    if (kv === undefined) return false;
    return holds(cmpString(kv.value, String(c.value)), c.result);
  }
  const actual =
    kv === undefined ? 0 : c.target === 'mod' ? kv.modRevision : c.target === 'create' ? kv.createRevision : kv.version;
  const expected = Number(c.value);
  return holds(actual < expected ? -1 : actual > expected ? 1 : 0, c.result);
}

function cmpString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(order: number, result: Compare['result']): boolean {
  switch (result) {
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
  }
}
