// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 + 3.1): an incremental parser for a byte stream and
// encoders. Header blocks stay compressed here; spdy-headers.ts owns the zlib contexts.

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  Cancel: 5,
  InternalError: 6,
} as const;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'synStream'; streamId: number; associatedId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'synReply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastGoodStreamId: number; status: number }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {}

const STREAM_ID_MASK = 0x7fffffff;
const MAX_FRAME = 0xffffff;

/** Accumulates bytes and yields whole frames; frames may arrive split over or packed into any chunks. */
export class SpdyFrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & MAX_FRAME;
      if (this.buf.length < 8 + len) break;
      frames.push(decodeFrame(this.buf.subarray(0, 8 + len)));
      this.buf = this.buf.subarray(8 + len);
    }
    if (this.buf.length === 0) this.buf = Buffer.alloc(0);
    return frames;
  }
}

function decodeFrame(f: Buffer): SpdyFrame {
  const flags = f[4]!;
  const payload = f.subarray(8);
  if ((f[0]! & 0x80) === 0) {
    return { type: 'data', streamId: f.readUInt32BE(0) & STREAM_ID_MASK, flags, data: payload };
  }
  const version = f.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = f.readUInt16BE(2);
  const need = (n: number) => {
    if (payload.length < n) throw new SpdyProtocolError(`short control frame of type ${type}`);
  };
  switch (type) {
    case FrameType.SynStream:
      need(10);
      return {
        type: 'synStream',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        associatedId: payload.readUInt32BE(4) & STREAM_ID_MASK,
        priority: payload[8]! >> 5,
        flags,
        headerBlock: payload.subarray(10),
      };
    case FrameType.SynReply:
      need(4);
      return {
        type: 'synReply',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        flags,
        headerBlock: payload.subarray(4),
      };
    case FrameType.Headers:
      need(4);
      return {
        type: 'headers',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        flags,
        headerBlock: payload.subarray(4),
      };
    case FrameType.RstStream:
      need(8);
      return { type: 'rstStream', streamId: payload.readUInt32BE(0) & STREAM_ID_MASK, status: payload.readUInt32BE(4) };
    case FrameType.Settings: {
      need(4);
      const n = payload.readUInt32BE(0);
      need(4 + n * 8);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const idf = payload.readUInt32BE(4 + i * 8);
        entries.push({ flags: idf >>> 24, id: idf & 0xffffff, value: payload.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      need(4);
      return { type: 'ping', id: payload.readUInt32BE(0) };
    case FrameType.GoAway:
      need(8);
      return {
        type: 'goAway',
        lastGoodStreamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        status: payload.readUInt32BE(4),
      };
    case FrameType.WindowUpdate:
      need(8);
      return {
        type: 'windowUpdate',
        streamId: payload.readUInt32BE(0) & STREAM_ID_MASK,
        delta: payload.readUInt32BE(4) & STREAM_ID_MASK,
      };
    default:
      return { type: 'unknown', frameType: type, flags, payload };
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_FRAME) throw new SpdyProtocolError('control frame too large');
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE((((flags & 0xff) << 24) >>> 0) + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24) + data.length, 4);
  return Buffer.concat([h, data]);
}

export function encodeSynStream(
  streamId: number,
  headerBlock: Buffer,
  flags = 0,
  associatedId = 0,
  priority = 0,
): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  p.writeUInt32BE(associatedId & STREAM_ID_MASK, 4);
  p[8] = (priority & 7) << 5;
  return controlFrame(FrameType.SynStream, flags, Buffer.concat([p, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  return controlFrame(FrameType.SynReply, flags, Buffer.concat([p, headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RstStream, 0, p);
}

export function encodePing(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0, 0);
  return controlFrame(FrameType.Ping, 0, p);
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & STREAM_ID_MASK, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GoAway, 0, p);
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & STREAM_ID_MASK, 0);
  p.writeUInt32BE(delta & STREAM_ID_MASK, 4);
  return controlFrame(FrameType.WindowUpdate, 0, p);
}
