// A bounded cache of upstream answers that honours their TTLs (as CoreDNS's cache plugin): positive
// answers live for their smallest TTL (capped at 1 h), negative ones (NXDOMAIN, NODATA) for their SOA's
// negative TTL (capped at 30 min, RFC 2308), and SERVFAIL is never kept. TTLs count down while cached.
// Least recently used entries go first when it is full.
import type { Answer } from 'dns-packet';

export interface CachedReply {
  rcode: 'NOERROR' | 'NXDOMAIN';
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  authenticData: boolean;
}

/** When a cached reply was stored and expires (ms), and the whole seconds its TTLs were reduced by. */
export interface CacheTimes {
  storedAt: number;
  expiresAt: number;
  elapsed: number;
}

interface Entry {
  reply: CachedReply;
  storedAt: number;
  expiresAt: number;
}

export interface ReplyCacheOptions {
  maxEntries?: number;
  maxTtlSeconds?: number;
  maxNegativeTtlSeconds?: number;
  now?: () => number;
}

function ttlOf(a: Answer): number {
  return 'ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0;
}

/** Seconds a reply may be kept, or 0 for "do not cache". */
export function cacheSeconds(reply: CachedReply, maxTtl = 3600, maxNegativeTtl = 1800): number {
  const records = reply.answers.filter((a) => a.type !== 'OPT');
  if (reply.rcode === 'NOERROR' && records.length > 0) {
    return Math.min(maxTtl, ...records.map(ttlOf));
  }
  const soa = reply.authorities.find((a) => a.type === 'SOA');
  if (!soa || soa.type !== 'SOA') return 0;
  return Math.min(maxNegativeTtl, ttlOf(soa), soa.data.minimum ?? 0);
}

function withTtlLess(records: Answer[], elapsed: number): Answer[] {
  if (elapsed === 0) return records;
  return records.map((a) => (a.type === 'OPT' ? a : { ...a, ttl: Math.max(0, ttlOf(a) - elapsed) }) as Answer);
}

export class ReplyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;
  private readonly now: () => number;

  constructor(opts: ReplyCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxTtl = opts.maxTtlSeconds ?? 3600;
    this.maxNegativeTtl = opts.maxNegativeTtlSeconds ?? 1800;
    this.now = opts.now ?? Date.now;
  }

  static key(name: string, type: string, klass: string, dnssecOk: boolean): string {
    return `${type}|${klass}|${dnssecOk ? 1 : 0}|${name.toLowerCase()}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The reply with its TTLs reduced by the whole seconds it has been cached (`elapsed`), or undefined;
   * with when it was stored and when it expires, so that an encoded copy may be reused until then with
   * its TTLs counted down in place.
   */
  get(key: string): (CachedReply & CacheTimes) | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (now >= e.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    // Re-insert: Map order is the LRU order.
    this.entries.delete(key);
    this.entries.set(key, e);
    const elapsed = Math.floor((now - e.storedAt) / 1000);
    return {
      ...e.reply,
      storedAt: e.storedAt,
      expiresAt: e.expiresAt,
      elapsed,
      answers: withTtlLess(e.reply.answers, elapsed),
      authorities: withTtlLess(e.reply.authorities, elapsed),
      additionals: withTtlLess(e.reply.additionals, elapsed),
    };
  }

  /** Stores a reply if its TTLs allow; returns the seconds it will be kept (0: not stored). */
  set(key: string, reply: CachedReply): number {
    const seconds = cacheSeconds(reply, this.maxTtl, this.maxNegativeTtl);
    if (seconds <= 0) return 0;
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { reply, storedAt: now, expiresAt: now + seconds * 1000 });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return seconds;
  }

  clear(): void {
    this.entries.clear();
  }
}
