// SPDY/3 header blocks: a name/value list, zlib-compressed with one context per direction for the whole
// connection, primed with the SPDY dictionary. Node exposes no synchronous zlib stream, so:
// - outgoing blocks are sent as stored (uncompressed) deflate blocks after a zlib header, which any inflater
//   (Go's spdystream included) reads; no compression state is needed;
// - incoming blocks are inflated by re-running inflate over everything received so far (blocks are tiny and
//   few per connection) and keeping the new tail of the output.
import { constants, inflateSync } from 'node:zlib';
import { SPDY_DICTIONARY } from './spdy-dictionary.js';

export type SpdyHeaders = Map<string, string[]>;

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(headers.size));
  for (const [name, values] of headers) {
    const n = Buffer.from(name.toLowerCase());
    const v = Buffer.from(values.join('\0'));
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = new Map();
  let off = 0;
  const u32 = () => {
    if (off + 4 > block.length) throw new Error('truncated SPDY header block');
    const v = block.readUInt32BE(off);
    off += 4;
    return v;
  };
  const bytes = (n: number) => {
    if (off + n > block.length) throw new Error('truncated SPDY header block');
    const s = block.subarray(off, off + n).toString();
    off += n;
    return s;
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32()).toLowerCase();
    const value = bytes(u32());
    headers.set(name, [...(headers.get(name) ?? []), ...value.split('\0')]);
  }
  return headers;
}

const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** Produces the compressed form of each outgoing header block of one connection. */
export class HeaderCompressor {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      parts.push(Buffer.from([0x78, 0x01])); // zlib header: deflate, 32K window, no preset dictionary
    }
    for (let off = 0; off < raw.length || off === 0; off += 0xffff) {
      const chunk = raw.subarray(off, off + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL=0, BTYPE=stored; the rest of the byte is padding
      h.writeUInt16LE(chunk.length, 1);
      h.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(h, chunk);
      if (raw.length === 0) break;
    }
    // An empty stored block, as a zlib sync flush ends: Go's inflater hands out the block's bytes only when
    // it reaches one, and would otherwise read past the frame and fail on the next block.
    parts.push(SYNC_FLUSH_MARKER);
    return Buffer.concat(parts);
  }
}

/** Inflates the incoming header blocks of one connection (one zlib stream spread over many frames). */
export class HeaderDecompressor {
  private input: Buffer = Buffer.alloc(0);
  private produced = 0;

  decompress(block: Buffer): SpdyHeaders {
    this.input = Buffer.concat([this.input, block]);
    const all = inflateSync(this.input, { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const fresh = all.subarray(this.produced);
    this.produced = all.length;
    return decodeHeaderBlock(fresh);
  }
}

export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers.get(name.toLowerCase())?.[0];
}
