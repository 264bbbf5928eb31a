// One DNS query in, one reply out, for both transports: cluster-zone names from the zone's records,
// every other name through the forwarder (and its cache). Never throws: whatever goes wrong while
// answering becomes SERVFAIL, and unreadable queries become FORMERR (or are dropped).
import type { Forwarder } from './forwarder.js';
import { encodeWithin, errorReply, parseQuery, type Query, replyPacket, udpLimit } from './message.js';
import type { ClusterZone } from './zone.js';

export type Transport = 'udp' | 'tcp';

const TCP_LIMIT = 65535;

export class DnsHandler {
  constructor(
    private readonly zone: ClusterZone,
    private readonly forwarder: Forwarder | undefined,
  ) {}

  /** The reply bytes for a query, or undefined when nothing should be sent back. */
  async handle(buf: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const parsed = parseQuery(buf);
    if (!parsed.ok) return parsed.reply;
    const { query } = parsed;
    try {
      return await this.answer(query, transport);
    } catch {
      return errorReply(query, 'SERVFAIL');
    }
  }

  private async answer(query: Query, transport: Transport): Promise<Buffer> {
    const limit = transport === 'udp' ? udpLimit(query) : TCP_LIMIT;
    const q = query.question;
    const klass = q.class ?? 'IN';
    if (klass !== 'IN' && this.zone.owns(q.name)) return errorReply(query, 'REFUSED');
    const local = klass === 'IN' ? this.zone.lookup(q.name, q.type) : undefined;
    if (local) {
      const answers = [...local.answers];
      if (local.chase && this.forwarder) {
        const { target, type, cname } = local.chase;
        const r = await this.forwarder.resolve({ name: target, type, class: 'IN' }, false, transport === 'tcp');
        if (r.ok) answers.push(cname, ...r.reply.answers);
      }
      const authorities = answers.length === 0 && local.rcode === 'NOERROR' ? [this.zone.soa()] : local.authorities;
      const packet = replyPacket(query, {
        rcode: local.rcode,
        authoritative: local.rcode !== 'REFUSED',
        answers,
        authorities,
        additionals: local.additionals,
      });
      return encodeWithin(packet, limit);
    }
    if (!this.forwarder) return errorReply(query, 'REFUSED');
    const r = await this.forwarder.resolve(q, query.edns?.dnssecOk ?? false, transport === 'tcp');
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
    return encodeWithin(packet, limit);
  }
}
