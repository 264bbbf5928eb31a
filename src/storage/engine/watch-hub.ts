import type { WatchEvent } from '../store.js';
import { inRange } from './keyspace.js';
import type { TxnRecord } from './txn-plan.js';

export interface Watcher {
  key: string;
  end: string | undefined;
  /** Events below this revision were already delivered (or predate the watch). */
  minRevision: number;
  onEvents: (events: WatchEvent[]) => void;
  onError: (err: Error) => void;
  active: boolean;
}

/** A history catch-up is handed over in calls of at most about this many events (whole transactions). */
const CATCH_UP_CHUNK = 1000;

/** Live watchers; fans committed transactions out to the ones whose range they touch. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  add(w: Watcher): void {
    if (w.active) this.watchers.add(w);
  }

  remove(w: Watcher): void {
    w.active = false;
    this.watchers.delete(w);
  }

  /** One call per watcher per commit batch; a batch only ever holds whole transactions. */
  deliver(records: readonly TxnRecord[]): void {
    for (const w of this.watchers) {
      const events = selectEvents(records, w.key, w.end, w.minRevision);
      if (events.length > 0) this.call(w, events);
    }
  }

  /** Replays committed history to a new watcher, in chunks of whole transactions. */
  replay(w: Watcher, records: readonly TxnRecord[]): void {
    let chunk: WatchEvent[] = [];
    for (const rec of records) {
      if (!w.active) return;
      if (rec.revision < w.minRevision) continue;
      for (const e of rec.events) if (inRange(e.kv.key, w.key, w.end)) chunk.push(e);
      if (chunk.length >= CATCH_UP_CHUNK) {
        this.call(w, chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0 && w.active) this.call(w, chunk);
  }

  /** Ends every watch (store closing). */
  closeAll(err: Error): void {
    for (const w of [...this.watchers]) {
      this.remove(w);
      w.onError(err);
    }
  }

  /** A throwing consumer must not break the commit path: it loses its watch instead. */
  private call(w: Watcher, events: WatchEvent[]): void {
    try {
      w.onEvents(events);
    } catch (err) {
      this.remove(w);
      w.onError(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

export function selectEvents(
  records: readonly TxnRecord[],
  key: string,
  end: string | undefined,
  minRevision: number,
): WatchEvent[] {
  const out: WatchEvent[] = [];
  for (const rec of records) {
    if (rec.revision < minRevision) continue;
    for (const e of rec.events) if (inRange(e.kv.key, key, end)) out.push(e);
  }
  return out;
}
