// The state store contract: etcd v3 semantics (one cluster-wide revision counter, per-key create/mod
// revisions and versions, transactions with compare-and-swap, watch from a revision, compaction).
// Every backend (SQLite, etcd, memory) implements this and passes src/storage/contract.ts.

export interface KeyValue {
  key: string;
  /** The stored document; the API server stores JSON text. */
  value: string;
  /** Revision at which this key was (last) created. */
  createRevision: number;
  /** Revision of the last write to this key. */
  modRevision: number;
  /** Number of writes since creation (1 after create). */
  version: number;
}

export interface RangeOptions {
  /** Start key (inclusive). With no `end`, only this exact key. */
  key: string;
  /** End key (exclusive). Use prefixEnd(key) for a prefix scan. */
  end?: string;
  /** Read as of this revision (0 or absent: current). Older than the compacted revision: CompactedError. */
  revision?: number;
  /** At most this many keys (0 or absent: no limit); `more` tells whether more remain. */
  limit?: number;
  /** Only count, return no kvs. */
  countOnly?: boolean;
}

export interface RangeResult {
  kvs: KeyValue[];
  /** Number of keys in the whole range (ignores limit). */
  count: number;
  more: boolean;
  /** The revision the read was served at. */
  revision: number;
}

export interface Compare {
  key: string;
  target: 'mod' | 'create' | 'version' | 'value';
  result: '=' | '!=' | '<' | '>';
  /** A revision/version number, or the value text for target 'value'. A missing key has mod/create/version 0. */
  value: number | string;
}

export type TxnOp =
  | { type: 'put'; key: string; value: string }
  | { type: 'delete'; key: string }
  | { type: 'get'; key: string };

export interface TxnResult {
  succeeded: boolean;
  /** Store revision after the transaction (unchanged if it wrote nothing). */
  revision: number;
  /**
   * One entry per op of the branch taken: for put, the kv as written; for delete, the kv as it was
   * (undefined if absent); for get, the current kv (undefined if absent).
   */
  results: (KeyValue | undefined)[];
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put, the new kv; for delete, key with modRevision = the delete's revision and value ''. */
  kv: KeyValue;
  /** The previous kv (always provided for delete; for put, when the key existed before). */
  prevKv?: KeyValue;
}

export interface WatchOptions {
  key: string;
  end?: string;
  /** Deliver every event with revision >= startRevision (0 or absent: only new events). */
  startRevision?: number;
}

export interface Watch {
  cancel(): void;
}

/** Raised when asked for history older than the compacted revision (maps to HTTP 410 Expired). */
export class CompactedError extends Error {
  constructor(
    readonly requested: number,
    readonly compacted: number,
  ) {
    super(`required revision ${requested} has been compacted (compacted revision ${compacted})`);
    this.name = 'CompactedError';
  }
}

export interface Store {
  /** Highest revision that is durably committed and visible to reads. */
  currentRevision(): number;
  /** Revision up to which history has been compacted (0: none). */
  compactedRevision(): number;
  range(opts: RangeOptions): Promise<RangeResult>;
  /**
   * Atomically: if every compare holds, run `success`, else `failure`. Resolves only after the write is
   * durable (fsync); concurrent transactions may share one commit (group commit).
   */
  txn(compare: Compare[], success: TxnOp[], failure?: TxnOp[]): Promise<TxnResult>;
  /**
   * Events for keys in [key, end) in revision order, each exactly once. Events of one transaction come in
   * one call. onError gets CompactedError if startRevision is already compacted; the watch then ends.
   */
  watch(opts: WatchOptions, onEvents: (events: WatchEvent[]) => void, onError: (err: Error) => void): Watch;
  /** Drop history older than `revision` (the latest value of every live key is always kept). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** The first key after every key with this prefix: range(prefix, prefixEnd(prefix)) is a prefix scan. */
export function prefixEnd(prefix: string): string {
  if (prefix.length === 0) return '\u{10FFFF}';
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
