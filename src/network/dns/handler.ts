// One DNS query in, one reply out, for both transports: cluster-zone names from the zone's records,
// every other name through the forwarder (and its cache). Never throws: whatever goes wrong while
// answering becomes SERVFAIL, and unreadable queries become FORMERR (or are dropped).
//
// Encoded replies are kept and reused (with the query's ID) while they cannot change: zone replies until
// the record store changes, cached upstream replies until they expire, their TTLs counted down in the
// bytes (re-encoding every cached name each second made a burst of work once a second). They are keyed by
// the query's bytes after its ID (flags, question, EDNS: everything the reply depends on), so a repeated
// query is answered synchronously without being decoded or a reply encoded.
import type { Forwarder, ForwardResult } from './forwarder.js';
import { encodeWithin, errorReply, parseQuery, type Query, replyPacket, ttlOffsets, udpLimit } from './message.js';
import type { RecordStore } from './store.js';
import type { ClusterZone } from './zone.js';

export type Transport = 'udp' | 'tcp';

const TCP_LIMIT = 65535;
const MAX_ENCODED = 20_000;
const MAX_KEYED_QUERY = 512;

interface Encoded {
  bytes: Buffer;
  /** Zone replies: the store generation they were built from. */
  generation?: number;
  /** Forwarded replies: valid until (ms). */
  until?: number;
  /** Forwarded replies: the TTLs in `bytes` (at `offsets`) are those of `elapsed` whole seconds after `storedAt`. */
  ttls?: { storedAt: number; elapsed: number; offsets: number[]; values: number[] };
}

export class DnsHandler {
  private readonly encoded = new Map<string, Encoded>();

  constructor(
    private readonly zone: ClusterZone,
    private readonly store: RecordStore,
    private readonly forwarder: Forwarder | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The reply bytes for a query (a promise when it has to wait for upstream), or undefined for none. */
  handle(buf: Buffer, transport: Transport): Buffer | undefined | Promise<Buffer | undefined> {
    const key = buf.length >= 12 && buf.length <= MAX_KEYED_QUERY ? transport + buf.toString('latin1', 2) : '';
    const hit = key ? this.encoded.get(key) : undefined;
    if (hit) {
      const now = hit.generation === undefined ? this.now() : 0;
      const fresh = hit.generation !== undefined ? hit.generation === this.generation() : now < hit.until!;
      if (fresh) return withId(hit.bytes, buf.readUInt16BE(0), hit.ttls, now);
      this.encoded.delete(key);
    }
    const parsed = parseQuery(buf);
    if (!parsed.ok) return parsed.reply;
    const { query } = parsed;
    const limit = transport === 'udp' ? udpLimit(query) : TCP_LIMIT;
    try {
      const r = this.answer(query, limit, transport, key);
      return r instanceof Promise ? r.catch(() => errorReply(query, 'SERVFAIL')) : r;
    } catch {
      return errorReply(query, 'SERVFAIL');
    }
  }

  private generation(): number {
    return this.store.generation * 2 + (this.zone.synced ? 1 : 0);
  }

  private remember(key: string, bytes: Buffer, e: Omit<Encoded, 'bytes'>): void {
    if (!key) return;
    if (this.encoded.size >= MAX_ENCODED) this.encoded.delete(this.encoded.keys().next().value as string);
    this.encoded.set(key, { bytes, ...e });
  }

  private answer(query: Query, limit: number, transport: Transport, key: string): Buffer | Promise<Buffer> {
    const q = query.question;
    const klass = q.class ?? 'IN';
    if (klass !== 'IN' && this.zone.owns(q.name)) return errorReply(query, 'REFUSED');
    const generation = this.generation();
    const local = klass === 'IN' ? this.zone.lookup(q.name, q.type) : undefined;
    if (local) {
      const finish = (answers: typeof local.answers): Buffer => {
        const authorities = answers.length === 0 && local.rcode === 'NOERROR' ? [this.zone.soa()] : local.authorities;
        const packet = replyPacket(query, {
          rcode: local.rcode,
          authoritative: local.rcode !== 'REFUSED',
          answers,
          authorities,
          additionals: local.additionals,
        });
        return encodeWithin(packet, limit);
      };
      if (!local.chase) {
        const bytes = finish(local.answers);
        this.remember(key, bytes, { generation });
        return bytes;
      }
      if (!this.forwarder) return finish(local.answers);
      const { target, type, cname } = local.chase;
      return this.forwarder
        .resolve({ name: target, type, class: 'IN' }, false, transport === 'tcp')
        .then((r) => finish(r.ok ? [...local.answers, cname, ...r.reply.answers] : local.answers));
    }
    if (!this.forwarder) return errorReply(query, 'REFUSED');
    const dnssecOk = query.edns?.dnssecOk ?? false;
    const cached = this.forwarder.cached(q, dnssecOk);
    if (cached) return this.forwarded(query, limit, cached, key);
    return this.forwarder.resolve(q, dnssecOk, transport === 'tcp').then((r) => this.forwarded(query, limit, r));
  }

  private forwarded(query: Query, limit: number, r: ForwardResult, key?: string): Buffer {
    if (!r.ok) return errorReply(query, 'SERVFAIL');
    const packet = replyPacket(query, {
      rcode: r.reply.rcode,
      authoritative: false,
      answers: r.reply.answers,
      authorities: r.reply.authorities,
      additionals: r.reply.additionals,
      truncated: r.truncated,
      authenticData: r.reply.authenticData,
    });
    const bytes = encodeWithin(packet, limit);
    if (key && r.cached) {
      const offsets = ttlOffsets(bytes);
      const { storedAt, elapsed, expiresAt } = r.cached;
      const values = offsets.map((at) => bytes.readUInt32BE(at));
      this.remember(key, bytes, { until: expiresAt, ttls: { storedAt, elapsed, offsets, values } });
    }
    return bytes;
  }
}

function withId(bytes: Buffer, id: number, ttls: Encoded['ttls'], now: number): Buffer {
  const copy = Buffer.allocUnsafe(bytes.length);
  bytes.copy(copy);
  copy.writeUInt16BE(id, 0);
  if (ttls) {
    // As the cache counts them: the whole seconds since the reply was stored, less those already taken off.
    const less = Math.floor((now - ttls.storedAt) / 1000) - ttls.elapsed;
    if (less > 0) {
      for (let i = 0; i < ttls.offsets.length; i++)
        copy.writeUInt32BE(Math.max(0, ttls.values[i]! - less), ttls.offsets[i]!);
    }
  }
  return copy;
}
