import type { TxnRecord } from './txn-plan.js';

/**
 * The most recent committed transactions, bounded by a total event count, so watches and reads at a recent
 * revision are served from memory. Whole transactions are evicted, never part of one.
 */
export class EventRing {
  private records: TxnRecord[] = [];
  private head = 0;
  private held = 0;

  /**
   * @param capacity most events to keep (Infinity: keep all until compaction)
   * @param floor lowest revision from which every committed transaction is held
   */
  constructor(
    private readonly capacity: number,
    private floorRevision: number,
  ) {}

  /** Every committed transaction with revision >= floor is in the ring. */
  get floor(): number {
    return this.floorRevision;
  }

  get eventCount(): number {
    return this.held;
  }

  push(record: TxnRecord): void {
    this.records.push(record);
    this.held += record.events.length;
    // Keep at least the newest transaction even if it alone exceeds the capacity.
    while (this.held > this.capacity && this.records.length - this.head > 1) this.evictOldest();
    this.shrink();
  }

  /** Held transactions with revision >= from, oldest first. Callers check `from >= floor` first. */
  since(from: number): TxnRecord[] {
    let lo = this.head;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid]!.revision < from) lo = mid + 1;
      else hi = mid;
    }
    return this.records.slice(lo);
  }

  /** Compaction: forget transactions below `revision`. */
  dropBefore(revision: number): void {
    while (this.head < this.records.length && this.records[this.head]!.revision < revision) this.evictOldest();
    if (revision > this.floorRevision) this.floorRevision = revision;
    this.shrink();
  }

  private evictOldest(): void {
    const oldest = this.records[this.head]!;
    this.records[this.head] = undefined as unknown as TxnRecord;
    this.head++;
    this.held -= oldest.events.length;
    this.floorRevision = oldest.revision + 1;
  }

  /** Reclaims the evicted prefix now and then, so eviction stays O(1) amortised. */
  private shrink(): void {
    if (this.head > 1024 && this.head * 2 > this.records.length) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }
}
