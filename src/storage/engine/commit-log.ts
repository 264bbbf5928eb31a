import type { KeyValue, RangeOptions } from '../store.js';
import type { KeyspaceRange } from './keyspace.js';
import type { TxnRecord } from './txn-plan.js';

/** Transactions made durable together: one SQLite transaction, one fsync. */
export interface CommitBatch {
  records: TxnRecord[];
}

/** Where a backend makes writes durable. Batches arrive in revision order, one at a time. */
export interface CommitLog {
  /** Resolves once the batch is durable. A rejection is fatal: the store stops accepting writes. */
  append(batch: CommitBatch): Promise<void>;
  /** Drop history below `revision` (the engine has already stopped serving it). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/** History older than the in-memory event ring (SQLite keeps every revision since the last compaction). */
export interface HistoryReader {
  /** The range as it was at `revision` (committed, not compacted). */
  rangeAt(opts: RangeOptions, revision: number): KeyspaceRange;
  /**
   * For each key in [key, end) written in (revision, upTo]: its value at `revision` (undefined: absent).
   * Cheap when few writes happened since `revision`.
   */
  valuesBefore(revision: number, upTo: number, key: string, end: string | undefined): Map<string, KeyValue | undefined>;
  /** Committed transactions with from <= revision <= to, with only their events in [key, end). */
  transactions(from: number, to: number, key: string, end: string | undefined): TxnRecord[];
}

/** What a backend found on disk when it opened. */
export interface InitialState {
  /** Live keys at `revision`, sorted by key. */
  latest: KeyValue[];
  revision: number;
  compacted: number;
}
