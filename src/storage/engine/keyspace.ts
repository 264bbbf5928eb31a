import type { KeyValue } from '../store.js';

export interface KeyspaceRange {
  kvs: KeyValue[];
  count: number;
  more: boolean;
}

/**
 * The latest value of every live key, kept sorted so a range read is a binary search plus a slice.
 * Keys compare as JS strings (UTF-16 code units), which matches byte order for the ASCII keys we store.
 */
export class Keyspace {
  private readonly byKey = new Map<string, KeyValue>();
  private readonly sorted: string[] = [];

  /** Builds from kvs already sorted by key (as loaded from disk). */
  static fromSorted(kvs: readonly KeyValue[]): Keyspace {
    const ks = new Keyspace();
    for (const kv of kvs) {
      ks.byKey.set(kv.key, kv);
      ks.sorted.push(kv.key);
    }
    return ks;
  }

  get size(): number {
    return this.sorted.length;
  }

  get(key: string): KeyValue | undefined {
    return this.byKey.get(key);
  }

  put(kv: KeyValue): void {
    if (!this.byKey.has(kv.key)) this.sorted.splice(lowerBound(this.sorted, kv.key), 0, kv.key);
    this.byKey.set(kv.key, kv);
  }

  delete(key: string): void {
    if (!this.byKey.delete(key)) return;
    this.sorted.splice(lowerBound(this.sorted, key), 1);
  }

  /** Keys in [key, end) (just `key` when end is undefined), at most `limit` of them (0: all). */
  range(key: string, end: string | undefined, limit: number, countOnly: boolean): KeyspaceRange {
    if (end === undefined) {
      const kv = this.byKey.get(key);
      return { kvs: kv && !countOnly ? [kv] : [], count: kv ? 1 : 0, more: false };
    }
    if (end <= key) return { kvs: [], count: 0, more: false };
    const from = lowerBound(this.sorted, key);
    const to = lowerBound(this.sorted, end);
    const count = to - from;
    if (countOnly) return { kvs: [], count, more: false };
    const take = limit > 0 ? Math.min(count, limit) : count;
    const kvs = new Array<KeyValue>(take);
    for (let i = 0; i < take; i++) kvs[i] = this.byKey.get(this.sorted[from + i]!)!;
    return { kvs, count, more: take < count };
  }

  /**
   * The range as of an older revision, given `before`: for each key in the range written since then, its
   * value at that revision (undefined: absent). Merges that into the sorted latest keys without copying them.
   */
  rangeAsOf(
    key: string,
    end: string | undefined,
    limit: number,
    countOnly: boolean,
    before: ReadonlyMap<string, KeyValue | undefined>,
  ): KeyspaceRange {
    if (before.size === 0) return this.range(key, end, limit, countOnly);
    if (end === undefined) {
      const kv = before.has(key) ? before.get(key) : this.byKey.get(key);
      return { kvs: kv && !countOnly ? [kv] : [], count: kv ? 1 : 0, more: false };
    }
    let count = this.range(key, end, 0, true).count;
    const then: KeyValue[] = [];
    for (const [k, kv] of before) {
      if (this.byKey.has(k)) count--;
      if (kv) {
        count++;
        then.push(kv);
      }
    }
    if (countOnly) return { kvs: [], count, more: false };
    then.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const max = limit > 0 ? limit : count;
    const kvs: KeyValue[] = [];
    let i = lowerBound(this.sorted, key);
    const to = lowerBound(this.sorted, end);
    let j = 0;
    while (kvs.length < max && (i < to || j < then.length)) {
      const k = i < to ? this.sorted[i] : undefined;
      if (k !== undefined && before.has(k)) {
        i++; // its value then (if any) comes from `then`
        continue;
      }
      const old = then[j];
      if (old && (k === undefined || old.key < k)) {
        kvs.push(old);
        j++;
      } else {
        kvs.push(this.byKey.get(k!)!);
        i++;
      }
    }
    return { kvs, count, more: kvs.length < count };
  }
}

/** Index of the first element >= key. */
export function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Whether key is in [start, end), or equals start when end is undefined. */
export function inRange(key: string, start: string, end: string | undefined): boolean {
  return end === undefined ? key === start : key >= start && key < end;
}
