/** A read or compaction asked for a revision the store has not reached (etcd ErrFutureRev). */
export class FutureRevisionError extends Error {
  constructor(
    readonly requested: number,
    readonly current: number,
  ) {
    super(`required revision ${requested} is a future revision (current revision ${current})`);
    this.name = 'FutureRevisionError';
  }
}

/** The store was closed, or a durable write failed and it refuses further writes. */
export class StoreClosedError extends Error {
  constructor(reason = 'store is closed') {
    super(reason);
    this.name = 'StoreClosedError';
  }
}
