import type { Compare, KeyValue, TxnOp, WatchEvent } from '../store.js';
import { compareHolds } from './compare.js';

/** The writes of one transaction: one revision, its events in op order. */
export interface TxnRecord {
  revision: number;
  events: WatchEvent[];
}

export interface TxnPlan {
  succeeded: boolean;
  results: (KeyValue | undefined)[];
  /** Undefined when the branch taken changed nothing (no revision is consumed). */
  record?: TxnRecord;
}

/** Reads the newest state of a key, including writes that are not yet durable. */
export type KeyLookup = (key: string) => KeyValue | undefined;

/**
 * Evaluates a transaction against the newest state. Pure: it returns what to write; the caller applies it.
 * Ops run in order, so a get after a put of the same key sees the put (as in etcd).
 */
export function planTxn(
  lookup: KeyLookup,
  revision: number,
  compare: readonly Compare[],
  success: readonly TxnOp[],
  failure: readonly TxnOp[],
): TxnPlan {
  const succeeded = compare.every((c) => compareHolds(c, lookup(c.key)));
  const ops = succeeded ? success : failure;
  rejectDuplicateWrites(ops);
  const written = new Map<string, KeyValue | undefined>();
  const current = (key: string) => (written.has(key) ? written.get(key) : lookup(key));
  const events: WatchEvent[] = [];
  const results: (KeyValue | undefined)[] = [];
  for (const op of ops) {
    const prev = current(op.key);
    if (op.type === 'get') {
      results.push(prev);
    } else if (op.type === 'put') {
      const kv: KeyValue = {
        key: op.key,
        value: op.value,
        createRevision: prev ? prev.createRevision : revision,
        modRevision: revision,
        version: prev ? prev.version + 1 : 1,
      };
      written.set(op.key, kv);
      events.push(prev ? { type: 'put', kv, prevKv: prev } : { type: 'put', kv });
      results.push(kv);
    } else {
      results.push(prev);
      if (prev) {
        written.set(op.key, undefined);
        const tombstone: KeyValue = { key: op.key, value: '', createRevision: 0, modRevision: revision, version: 0 };
        events.push({ type: 'delete', kv: tombstone, prevKv: prev });
      }
    }
  }
  return events.length > 0 ? { succeeded, results, record: { revision, events } } : { succeeded, results };
}

/** etcd refuses a txn that writes one key twice ("duplicate key given in txn request"); so do we. */
function rejectDuplicateWrites(ops: readonly TxnOp[]): void {
  if (ops.length < 2) return;
  const seen = new Set<string>();
  for (const op of ops) {
    if (op.type === 'get') continue;
    if (seen.has(op.key)) throw new Error(`duplicate key given in txn request: ${op.key}`);
    seen.add(op.key);
  }
}
