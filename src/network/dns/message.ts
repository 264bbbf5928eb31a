// DNS messages in and out, on the dns-packet codec: reading a query defensively (anything malformed is
// a FORMERR or is dropped, never a crash), building replies, and fitting a reply into the client's UDP
// size (RFC 1035 512 bytes, or its EDNS0 payload size), setting TC when answers had to go.
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question } from 'dns-packet';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type RcodeName = keyof typeof RCODE;

const QR = 1 << 15;
const AA = dnsPacket.AUTHORITATIVE_ANSWER;
const TC = dnsPacket.TRUNCATED_RESPONSE;
const RD = dnsPacket.RECURSION_DESIRED;
const RA = dnsPacket.RECURSION_AVAILABLE;
const CD = dnsPacket.CHECKING_DISABLED;
const OPCODE_MASK = 0xf << 11;

/** Classic DNS over UDP; with EDNS0 the client's advertised size, capped (fragments are fragile). */
export const MIN_UDP_SIZE = 512;
export const MAX_UDP_SIZE = 4096;

export interface Edns {
  udpSize: number;
  dnssecOk: boolean;
}

export interface Query {
  id: number;
  /** Flags of the query (opcode, RD, CD) to echo. */
  flags: number;
  question: Question;
  edns?: Edns;
}

export type ParsedQuery =
  | { ok: true; query: Query }
  /** A reply to send without a question (the query could not be read past its header). */
  | { ok: false; reply: Buffer }
  /** Nothing to answer: too short for a header, or itself a response. */
  | { ok: false; reply: undefined };

function headerOnlyReply(buf: Buffer, rcode: number): Buffer {
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  return dnsPacket.encode({ type: 'response', id, flags: (flags & (OPCODE_MASK | RD | CD)) | rcode, questions: [] });
}

export function parseQuery(buf: Buffer): ParsedQuery {
  if (buf.length < 12) return { ok: false, reply: undefined };
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return { ok: false, reply: undefined };
  const opcode = (flags & OPCODE_MASK) >> 11;
  if (opcode !== 0) return { ok: false, reply: headerOnlyReply(buf, RCODE.NOTIMP) };
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(buf);
  } catch {
    return { ok: false, reply: headerOnlyReply(buf, RCODE.FORMERR) };
  }
  const questions = packet.questions ?? [];
  if (questions.length !== 1 || (packet.answers?.length ?? 0) > 0) {
    return { ok: false, reply: headerOnlyReply(buf, RCODE.FORMERR) };
  }
  const query: Query = { id: packet.id ?? 0, flags: flags & (OPCODE_MASK | RD | CD), question: questions[0]! };
  const opt = packet.additionals?.find((a): a is OptAnswer => a.type === 'OPT');
  if (opt) {
    query.edns = {
      udpSize: Math.min(MAX_UDP_SIZE, Math.max(MIN_UDP_SIZE, opt.udpPayloadSize || 0)),
      dnssecOk: opt.flag_do === true,
    };
  }
  return { ok: true, query };
}

export interface ReplyParts {
  rcode: RcodeName;
  authoritative: boolean;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  /** Keep an upstream's TC bit. */
  truncated?: boolean;
  /** RA as the server reports it (always true here: every name outside the zone is resolved for the client). */
  recursionAvailable?: boolean;
  /** Upstream's AD bit, passed through. */
  authenticData?: boolean;
}

export function optRecord(edns: Edns): OptAnswer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: MAX_UDP_SIZE,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: edns.dnssecOk ? dnsPacket.DNSSEC_OK : 0,
    flag_do: edns.dnssecOk,
    options: [],
  };
}

export function replyPacket(query: Query, parts: ReplyParts): Packet {
  let flags = query.flags | RCODE[parts.rcode];
  if (parts.authoritative) flags |= AA;
  if (parts.recursionAvailable !== false) flags |= RA;
  if (parts.truncated) flags |= TC;
  if (parts.authenticData) flags |= dnsPacket.AUTHENTIC_DATA;
  const additionals: Answer[] = parts.additionals.filter((a) => a.type !== 'OPT');
  if (query.edns) additionals.push(optRecord(query.edns));
  return {
    type: 'response',
    id: query.id,
    flags,
    questions: [query.question],
    answers: parts.answers,
    authorities: parts.authorities,
    additionals,
  };
}

/** The reply for a question that must not be answered from data (SERVFAIL, REFUSED, ...). */
export function errorReply(query: Query, rcode: RcodeName): Buffer {
  return dnsPacket.encode(
    replyPacket(query, { rcode, authoritative: false, answers: [], authorities: [], additionals: [] }),
  );
}

/** The UDP payload a reply to this query may use. */
export function udpLimit(query: Query): number {
  return query.edns ? query.edns.udpSize : MIN_UDP_SIZE;
}

/**
 * Encodes `packet` within `limit` bytes. Additional records go first (no TC: they are optional, RFC 2181
 * §9); if the answer still does not fit, as many answer records as fit are kept, the authority section
 * goes, and TC tells the client to ask again over TCP.
 */
export function encodeWithin(packet: Packet, limit: number): Buffer {
  const full = dnsPacket.encode(packet);
  if (full.length <= limit) return full;
  const opt = (packet.additionals ?? []).filter((a) => a.type === 'OPT');
  const lean: Packet = { ...packet, additionals: opt };
  const withoutExtra = dnsPacket.encode(lean);
  if (withoutExtra.length <= limit) return withoutExtra;
  const answers = packet.answers ?? [];
  const truncated: Packet = { ...lean, flags: (packet.flags ?? 0) | TC, authorities: [], answers: [] };
  // Binary search for the longest prefix of the answers that fits.
  let lo = 0;
  let hi = answers.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    truncated.answers = answers.slice(0, mid);
    if (dnsPacket.encodingLength(truncated) <= limit) lo = mid;
    else hi = mid - 1;
  }
  truncated.answers = answers.slice(0, lo);
  return dnsPacket.encode(truncated);
}

/** dns-packet's per-part decoders (untyped in @types/dns-packet): each leaves its length in `.bytes`. */
interface PartDecoder {
  decode: { bytes: number } & ((buf: Buffer, offset: number) => unknown);
}
const parts = dnsPacket as unknown as { name: PartDecoder; question: PartDecoder; answer: PartDecoder };
const TYPE_OPT = 41;

/**
 * Where the TTL of each resource record (not OPT) sits in an encoded message, found with dns-packet's own
 * decoders: a reply kept encoded can count its TTLs down in place.
 */
export function ttlOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  let at = 12;
  for (let i = bytes.readUInt16BE(4); i > 0; i--) {
    parts.question.decode(bytes, at);
    at += parts.question.decode.bytes;
  }
  const records = bytes.readUInt16BE(6) + bytes.readUInt16BE(8) + bytes.readUInt16BE(10);
  for (let i = 0; i < records; i++) {
    parts.name.decode(bytes, at);
    const header = at + parts.name.decode.bytes;
    if (bytes.readUInt16BE(header) !== TYPE_OPT) offsets.push(header + 4);
    parts.answer.decode(bytes, at);
    at += parts.answer.decode.bytes;
  }
  return offsets;
}
