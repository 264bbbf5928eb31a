// Resolves names outside the cluster zone through upstream resolvers (CoreDNS `forward . /etc/resolv.conf`
// + `cache`): answers come from the reply cache while their TTLs last; otherwise the question goes to each
// upstream in turn over UDP (over TCP when the upstream truncates, or when the client came over TCP).
// Identical questions in flight share one upstream query. Every upstream failing is SERVFAIL.
import { randomInt } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { isIP, Socket } from 'node:net';
import dnsPacket, { type DecodedPacket, type Question } from 'dns-packet';
import { type CacheTimes, type CachedReply, ReplyCache } from './cache.js';
import { optRecord } from './message.js';
import { canonicalIp } from './names.js';

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per upstream attempt. Default 2000 ms. */
  timeoutMs?: number;
  cache?: ReplyCache;
}

export type ForwardResult =
  | {
      ok: true;
      reply: CachedReply;
      truncated: boolean;
      /** From the cache: when it was stored and expires, and the seconds its TTLs were reduced by. */
      cached?: CacheTimes;
    }
  | { ok: false };

interface Pending {
  resolve(p: DecodedPacket | undefined): void;
  question: Question;
  /** Only the upstream asked may answer. */
  from: Upstream;
}

const MAX_TCP_MESSAGE = 65535;

/** Parses `1.2.3.4`, `1.2.3.4:5353`, `::1`, `[::1]:5353`. */
export function parseUpstream(text: string, defaultPort = 53): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed && isIP(bracketed[1]!) === 6) {
    return { host: canonicalIp(bracketed[1]!), port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  }
  if (isIP(text) === 6) return { host: canonicalIp(text), port: defaultPort };
  const m = /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!m || isIP(m[1]!) === 0) throw new Error(`upstream ${JSON.stringify(text)} is not an IP address[:port]`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : defaultPort };
}

export class Forwarder {
  readonly cache: ReplyCache;
  private readonly upstreams: Upstream[];
  private readonly timeoutMs: number;
  private readonly sockets = new Map<4 | 6, UdpSocket>();
  private readonly pending = new Map<number, Pending>();
  private readonly inflight = new Map<string, Promise<ForwardResult>>();
  private closed = false;

  constructor(opts: ForwarderOptions) {
    this.upstreams = opts.upstreams;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.cache = opts.cache ?? new ReplyCache();
  }

  /** Resolves one question; `tcp` when the client asked over TCP (it can take a whole answer). */
  resolve(question: Question, dnssecOk: boolean, tcp: boolean): Promise<ForwardResult> {
    const hit = this.cached(question, dnssecOk);
    if (hit) return Promise.resolve(hit);
    const key = ReplyCache.key(question.name, question.type, question.class ?? 'IN', dnssecOk);
    const flightKey = `${tcp ? 't' : 'u'}|${key}`;
    const running = this.inflight.get(flightKey);
    if (running) return running;
    const p = this.query(question, dnssecOk, tcp).then((r) => {
      this.inflight.delete(flightKey);
      if (r.ok && !r.truncated) this.cache.set(key, r.reply);
      return r;
    });
    this.inflight.set(flightKey, p);
    return p;
  }

  /** The cached answer, if there is one. */
  cached(question: Question, dnssecOk: boolean): ForwardResult | undefined {
    const hit = this.cache.get(ReplyCache.key(question.name, question.type, question.class ?? 'IN', dnssecOk));
    if (!hit) return undefined;
    const { storedAt, expiresAt, elapsed, ...reply } = hit;
    return { ok: true, reply, truncated: false, cached: { storedAt, expiresAt, elapsed } };
  }

  close(): void {
    this.closed = true;
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
    for (const p of this.pending.values()) p.resolve(undefined);
    this.pending.clear();
  }

  private async query(question: Question, dnssecOk: boolean, tcp: boolean): Promise<ForwardResult> {
    for (const upstream of this.upstreams) {
      if (this.closed) break;
      let reply = tcp ? undefined : await this.viaUdp(upstream, question, dnssecOk);
      if (tcp || reply?.flag_tc) reply = (await this.viaTcp(upstream, question, dnssecOk)) ?? reply;
      if (!reply) continue;
      const rcode = (reply as DecodedPacket & { rcode?: string }).rcode;
      if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') continue; // SERVFAIL, REFUSED: try the next one
      return {
        ok: true,
        truncated: reply.flag_tc,
        reply: {
          rcode,
          answers: reply.answers ?? [],
          authorities: reply.authorities ?? [],
          additionals: (reply.additionals ?? []).filter((a) => a.type !== 'OPT'),
          authenticData: reply.flag_ad,
        },
      };
    }
    return { ok: false };
  }

  private encodeQuery(id: number, question: Question, dnssecOk: boolean): Buffer {
    return dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: question.name, type: question.type, class: question.class ?? 'IN' }],
      additionals: [optRecord({ udpSize: 1232, dnssecOk })],
    });
  }

  private matches(reply: DecodedPacket, question: Question): boolean {
    const q = reply.questions?.[0];
    return (
      reply.type === 'response' &&
      q !== undefined &&
      q.type === question.type &&
      q.name.toLowerCase() === question.name.toLowerCase()
    );
  }

  private socketFor(family: 4 | 6): UdpSocket {
    let s = this.sockets.get(family);
    if (s) return s;
    s = createSocket(family === 4 ? 'udp4' : 'udp6');
    s.on('message', (msg, rinfo) => {
      if (msg.length < 12) return;
      const p = this.pending.get(msg.readUInt16BE(0));
      if (!p || rinfo.port !== p.from.port || rinfo.address !== p.from.host) return;
      let reply: DecodedPacket;
      try {
        reply = dnsPacket.decode(msg);
      } catch {
        return;
      }
      if (!this.matches(reply, p.question)) return; // not the answer to our question: keep waiting
      this.pending.delete(reply.id ?? 0);
      p.resolve(reply);
    });
    s.on('error', () => {});
    s.unref();
    this.sockets.set(family, s);
    return s;
  }

  private freeId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  private viaUdp(upstream: Upstream, question: Question, dnssecOk: boolean): Promise<DecodedPacket | undefined> {
    const family = isIP(upstream.host) === 6 ? 6 : 4;
    const socket = this.socketFor(family);
    const id = this.freeId();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(undefined);
      }, this.timeoutMs);
      this.pending.set(id, {
        question,
        from: upstream,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
      });
      socket.send(this.encodeQuery(id, question, dnssecOk), upstream.port, upstream.host, (err) => {
        if (err) this.pending.get(id)?.resolve(undefined);
      });
    });
  }

  private viaTcp(upstream: Upstream, question: Question, dnssecOk: boolean): Promise<DecodedPacket | undefined> {
    const id = randomInt(0, 65536);
    const query = this.encodeQuery(id, question, dnssecOk);
    return new Promise((resolve) => {
      const socket = new Socket();
      let buffered = Buffer.alloc(0);
      let done = false;
      const finish = (p: DecodedPacket | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        resolve(p);
      };
      const timer = setTimeout(() => finish(undefined), this.timeoutMs);
      socket.on('error', () => finish(undefined));
      socket.on('close', () => finish(undefined));
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length > MAX_TCP_MESSAGE + 2) return finish(undefined);
        if (buffered.length < 2) return;
        const len = buffered.readUInt16BE(0);
        if (buffered.length < len + 2) return;
        try {
          const reply = dnsPacket.decode(buffered.subarray(2, len + 2));
          finish(reply.id === id && this.matches(reply, question) ? reply : undefined);
        } catch {
          finish(undefined);
        }
      });
      socket.connect(upstream.port, upstream.host, () => {
        const framed = Buffer.alloc(query.length + 2);
        framed.writeUInt16BE(query.length, 0);
        query.copy(framed, 2);
        socket.write(framed);
      });
    });
  }
}
