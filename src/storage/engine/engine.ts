import {
  CompactedError,
  type Compare,
  type KeyValue,
  type RangeOptions,
  type RangeResult,
  type Store,
  type TxnOp,
  type TxnResult,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../store.js';
import type { CommitBatch, CommitLog, HistoryReader, InitialState } from './commit-log.js';
import { FutureRevisionError, StoreClosedError } from './errors.js';
import { EventRing } from './event-ring.js';
import { inRange, Keyspace } from './keyspace.js';
import { planTxn } from './txn-plan.js';
import { type Watcher, WatchHub } from './watch-hub.js';

/** Revisions read from history per step of a watch replay. */
const REPLAY_PAGE = 5000;

export interface EngineOptions {
  log: CommitLog;
  /** Serves reads and watches older than the event ring; without it the ring must keep everything. */
  history?: HistoryReader;
  initial: InitialState;
  /** Most events the in-memory ring holds (Infinity: all until compaction). */
  ringCapacity: number;
  /**
   * An old read within this many revisions of the current one undoes later writes on the latest state;
   * further back, undoing costs more than reading the whole old range from history (default 20,000).
   */
  undoLimit?: number;
}

export interface EngineStats {
  /** Commit batches made durable (one fsync each for SQLite). */
  batches: number;
  /** Write transactions made durable. */
  writeTxns: number;
  keys: number;
  watchers: number;
  ringEvents: number;
}

interface Waiter {
  result: TxnResult;
  resolve: (r: TxnResult) => void;
  reject: (err: Error) => void;
}

interface Batch extends CommitBatch {
  /** Callers to answer once this batch is durable (its writers, and read-only txns that saw it). */
  waiters: Waiter[];
}

/** The newest state of a key written by a txn that is not yet durable (kv undefined: deleted). */
interface PendingWrite {
  kv: KeyValue | undefined;
  revision: number;
}

/**
 * The Store on top of any CommitLog. Latest state lives in memory; revisions are assigned here, on the main
 * thread; writes are grouped into batches and made durable one batch at a time (group commit).
 * Compares see pending writes (so CAS stays correct), while reads and watches see only durable ones.
 */
export class StoreEngine implements Store {
  private readonly log: CommitLog;
  private readonly history: HistoryReader | undefined;
  private readonly committed: Keyspace;
  private readonly pending = new Map<string, PendingWrite>();
  private readonly ring: EventRing;
  private readonly undoLimit: number;
  private readonly hub = new WatchHub();
  private committedRev: number;
  private assignedRev: number;
  private compactedRev: number;
  /** Collecting txns; sent to the log when the batch in flight is durable. */
  private openBatch: Batch | undefined;
  private inFlight: Batch | undefined;
  private flushScheduled = false;
  private failure: Error | undefined;
  private closing = false;
  private batches = 0;
  private writeTxns = 0;

  constructor(opts: EngineOptions) {
    this.log = opts.log;
    this.history = opts.history;
    this.committed = Keyspace.fromSorted(opts.initial.latest);
    this.committedRev = opts.initial.revision;
    this.assignedRev = opts.initial.revision;
    this.compactedRev = opts.initial.compacted;
    this.undoLimit = opts.undoLimit ?? 20_000;
    // Without a history reader the ring is the whole history since the last compaction.
    const floor = opts.history ? opts.initial.revision + 1 : Math.max(1, opts.initial.compacted);
    this.ring = new EventRing(opts.history ? opts.ringCapacity : Number.POSITIVE_INFINITY, floor);
  }

  currentRevision(): number {
    return this.committedRev;
  }

  compactedRevision(): number {
    return this.compactedRev;
  }

  stats(): EngineStats {
    return {
      batches: this.batches,
      writeTxns: this.writeTxns,
      keys: this.committed.size,
      watchers: this.hub.size,
      ringEvents: this.ring.eventCount,
    };
  }

  async range(opts: RangeOptions): Promise<RangeResult> {
    if (this.closing) throw new StoreClosedError();
    const revision = opts.revision && opts.revision > 0 ? opts.revision : this.committedRev;
    if (revision > this.committedRev) throw new FutureRevisionError(revision, this.committedRev);
    if (revision < this.compactedRev) throw new CompactedError(revision, this.compactedRev);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const countOnly = opts.countOnly === true;
    const r = this.rangeAt(opts.key, opts.end, revision, limit, countOnly);
    return { kvs: r.kvs, count: r.count, more: r.more, revision };
  }

  txn(compare: Compare[], success: TxnOp[], failure: TxnOp[] = []): Promise<TxnResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new StoreClosedError());
    let plan: ReturnType<typeof planTxn>;
    try {
      plan = planTxn(this.lookupNewest, this.assignedRev + 1, compare, success, failure);
    } catch (err) {
      return Promise.reject(err);
    }
    const record = plan.record;
    if (!record) {
      // Nothing written; but what it compared and read may be pending, so answer once that is durable.
      const result: TxnResult = { succeeded: plan.succeeded, revision: this.assignedRev, results: plan.results };
      const last = this.openBatch ?? this.inFlight;
      if (!last) return Promise.resolve(result);
      return new Promise((resolve, reject) => last.waiters.push({ result, resolve, reject }));
    }
    this.assignedRev = record.revision;
    for (const e of record.events) {
      this.pending.set(e.kv.key, { kv: e.type === 'put' ? e.kv : undefined, revision: record.revision });
    }
    const batch = this.batchToJoin();
    batch.records.push(record);
    const result: TxnResult = { succeeded: plan.succeeded, revision: record.revision, results: plan.results };
    return new Promise((resolve, reject) => batch.waiters.push({ result, resolve, reject }));
  }

  watch(opts: WatchOptions, onEvents: (events: WatchEvent[]) => void, onError: (err: Error) => void): Watch {
    const start = opts.startRevision && opts.startRevision > 0 ? opts.startRevision : 0;
    const w: Watcher = { key: opts.key, end: opts.end, minRevision: start, onEvents, onError, active: true };
    const handle: Watch = { cancel: () => this.hub.remove(w) };
    if (this.closing) {
      w.active = false;
      queueMicrotask(() => onError(new StoreClosedError()));
    } else if (start === 0 || start > this.committedRev) {
      if (start === 0) w.minRevision = this.committedRev + 1;
      this.hub.add(w);
    } else {
      // Deliver asynchronously so the caller holds the handle first; replay and registration are one
      // synchronous step, so no commit can fall between them.
      queueMicrotask(() => this.catchUp(w, start));
    }
    return handle;
  }

  async compact(revision: number): Promise<void> {
    if (this.closing) throw new StoreClosedError();
    if (revision <= this.compactedRev) return;
    if (revision > this.committedRev) throw new FutureRevisionError(revision, this.committedRev);
    // Stop serving the old history first; the log then deletes it at its own pace.
    this.compactedRev = revision;
    this.ring.dropBefore(revision);
    await this.log.compact(revision);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const last = this.openBatch ?? this.inFlight;
    if (last) await new Promise<void>((resolve) => last.waiters.push(drainWaiter(resolve)));
    this.hub.closeAll(new StoreClosedError());
    await this.log.close();
  }

  /**
   * An old revision is the latest state with later writes undone, found in the ring or in SQLite; only when
   * too much was written since does the whole range come from SQLite.
   */
  private rangeAt(key: string, end: string | undefined, revision: number, limit: number, countOnly: boolean) {
    if (revision === this.committedRev) return this.committed.range(key, end, limit, countOnly);
    let before: Map<string, KeyValue | undefined>;
    if (revision + 1 >= this.ring.floor) before = this.valuesBeforeFromRing(revision, key, end);
    else if (!this.history) throw new Error(`revision ${revision} is neither in memory nor in a history reader`);
    else if (this.committedRev - revision > this.undoLimit)
      return this.history.rangeAt({ key, end, limit, countOnly }, revision);
    else before = this.history.valuesBefore(revision, this.committedRev, key, end);
    return this.committed.rangeAsOf(key, end, limit, countOnly, before);
  }

  private readonly lookupNewest = (key: string): KeyValue | undefined => {
    const p = this.pending.get(key);
    return p ? p.kv : this.committed.get(key);
  };

  private batchToJoin(): Batch {
    if (this.openBatch) return this.openBatch;
    const batch: Batch = { records: [], waiters: [] };
    this.openBatch = batch;
    if (!this.inFlight) this.scheduleFlush();
    return batch;
  }

  /** setImmediate rather than now: lets every txn issued in this turn of the event loop join the batch. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const batch = this.openBatch;
    if (this.inFlight || !batch || this.failure) return;
    this.openBatch = undefined;
    this.inFlight = batch;
    this.log.append(batch).then(
      () => this.onDurable(batch),
      (err: unknown) => this.onFailed(err instanceof Error ? err : new Error(String(err))),
    );
  }

  private onDurable(batch: Batch): void {
    for (const record of batch.records) {
      for (const e of record.events) {
        if (e.type === 'put') this.committed.put(e.kv);
        else this.committed.delete(e.kv.key);
        const p = this.pending.get(e.kv.key);
        if (p && p.revision === record.revision) this.pending.delete(e.kv.key);
      }
      this.ring.push(record);
    }
    if (batch.records.length > 0) this.committedRev = batch.records[batch.records.length - 1]!.revision;
    this.batches++;
    this.writeTxns += batch.records.length;
    this.inFlight = undefined;
    this.hub.deliver(batch.records);
    for (const w of batch.waiters) w.resolve(w.result);
    if (this.openBatch) this.scheduleFlush();
  }

  /** A failed durable write leaves memory ahead of disk: refuse everything from now on (etcd would panic). */
  private onFailed(err: Error): void {
    this.failure = new StoreClosedError(`store failed to persist a write: ${err.message}`);
    for (const batch of [this.inFlight, this.openBatch]) for (const w of batch?.waiters ?? []) w.reject(this.failure);
    this.inFlight = undefined;
    this.openBatch = undefined;
    this.hub.closeAll(this.failure);
  }

  private catchUp(w: Watcher, start: number): void {
    if (!w.active) return;
    if (start < this.compactedRev) {
      w.active = false;
      w.onError(new CompactedError(start, this.compactedRev));
      return;
    }
    try {
      if (start >= this.ring.floor) this.hub.replay(w, this.ring.since(start));
      else if (!this.history) throw new Error(`revision ${start} is neither in memory nor in a history reader`);
      else {
        // Page through history so a replay from far back never holds all of it in memory.
        for (let from = start; from <= this.committedRev && w.active; from += REPLAY_PAGE) {
          const to = Math.min(from + REPLAY_PAGE - 1, this.committedRev);
          this.hub.replay(w, this.history.transactions(from, to, w.key, w.end));
        }
      }
    } catch (err) {
      w.active = false;
      w.onError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    w.minRevision = this.committedRev + 1;
    this.hub.add(w);
  }

  /** For each key in range written after `revision`, its value at `revision`: undo the ring's later events. */
  private valuesBeforeFromRing(
    revision: number,
    key: string,
    end: string | undefined,
  ): Map<string, KeyValue | undefined> {
    const before = new Map<string, KeyValue | undefined>();
    for (const rec of this.ring.since(revision + 1)) {
      for (const e of rec.events) {
        const k = e.kv.key;
        if (inRange(k, key, end) && !before.has(k)) before.set(k, e.prevKv);
      }
    }
    return before;
  }
}

function drainWaiter(done: () => void): Waiter {
  return { result: { succeeded: true, revision: 0, results: [] }, resolve: done, reject: done };
}
