// A SPDY/3.1 connection over any byte transport: streams as Node Duplexes, SYN_REPLY/FIN/RST handling and
// ping echo. It implements what Kubernetes streaming needs (as moby/spdystream does): no flow control
// (WINDOW_UPDATE is ignored by both sides), no server push, no priorities.
import { Duplex } from 'node:stream';
import {
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  encodeSynStream,
  FLAG_FIN,
  RstStatus,
  type SpdyFrame,
  SpdyFrameParser,
} from './spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './spdy-headers.js';

export interface ByteTransport {
  write(data: Buffer): void;
  close(): void;
}

const MAX_DATA_FRAME = 32 * 1024;

export class SpdyStream extends Duplex {
  replyHeaders?: SpdyHeaders;
  private localFinished = false;
  private remoteFinished = false;
  private replied = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  /** Accepts a stream the peer opened; spdystream peers wait for this before sending data. */
  reply(headers: SpdyHeaders = new Map(), fin = false): void {
    if (this.replied) return;
    this.replied = true;
    this.session.send(encodeSynReply(this.id, this.session.compressHeaders(headers), fin ? FLAG_FIN : 0));
    if (fin) this.finishLocal();
  }

  /** Aborts the stream in both directions. */
  reset(status: number = RstStatus.Cancel): void {
    if (this.session.forget(this)) this.session.send(encodeRstStream(this.id, status));
    this.destroy();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    for (let off = 0; off < chunk.length; off += MAX_DATA_FRAME) {
      this.session.send(encodeData(this.id, chunk.subarray(off, off + MAX_DATA_FRAME)));
    }
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.localFinished && !this.destroyed) this.session.send(encodeData(this.id, Buffer.alloc(0), true));
    this.finishLocal();
    cb();
  }

  override _read(): void {
    // data is pushed as frames arrive (no flow control)
  }

  /** @internal */
  remoteData(data: Buffer, fin: boolean): void {
    if (data.length) this.push(data);
    if (fin) this.remoteFin();
  }

  /** @internal */
  remoteFin(): void {
    if (this.remoteFinished) return;
    this.remoteFinished = true;
    this.push(null);
    if (this.localFinished) this.session.forget(this);
  }

  /** @internal */
  remoteReset(): void {
    this.session.forget(this);
    this.destroy();
  }

  private finishLocal(): void {
    this.localFinished = true;
    if (this.remoteFinished) this.session.forget(this);
  }
}

export interface SpdySessionOptions {
  /** Client sessions open odd stream ids, servers even ones (SPDY/3 2.3.2). */
  role: 'client' | 'server';
  onStream?: (stream: SpdyStream) => void;
  onError?: (err: Error) => void;
}

export class SpdySession {
  private readonly parser = new SpdyFrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly pendingReplies = new Map<number, (s: SpdyStream) => void>();
  private nextStreamId: number;
  private lastRemoteId = 0;
  private closed = false;

  constructor(
    private readonly transport: ByteTransport,
    private readonly opts: SpdySessionOptions,
  ) {
    this.nextStreamId = opts.role === 'client' ? 1 : 2;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** Feeds bytes read from the transport. */
  receive(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
      for (const f of frames) this.handle(f);
    } catch (err) {
      this.opts.onError?.(err as Error);
      this.close();
    }
  }

  /** Opens a stream; resolves when the peer replies. */
  openStream(headers: SpdyHeaders, fin = false): Promise<SpdyStream> {
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    const replied = new Promise<SpdyStream>((resolve) => this.pendingReplies.set(id, resolve));
    this.send(encodeSynStream(id, this.compressHeaders(headers), fin ? FLAG_FIN : 0));
    if (fin) stream.end();
    return replied;
  }

  ping(id: number): void {
    this.send(encodePing(id));
  }

  /** Sends GOAWAY and closes the transport. */
  close(): void {
    if (this.closed) return;
    this.send(encodeGoAway(this.lastRemoteId));
    this.transportClosed();
    this.transport.close();
  }

  /** The transport went away: every stream ends. */
  transportClosed(): void {
    this.closed = true;
    for (const s of [...this.streams.values()]) s.remoteReset();
    this.streams.clear();
  }

  /** @internal */
  send(frame: Buffer): void {
    if (!this.closed) this.transport.write(frame);
  }

  /** @internal */
  compressHeaders(h: SpdyHeaders): Buffer {
    return this.compressor.compress(h);
  }

  /** @internal: true when the stream was still open. */
  forget(stream: SpdyStream): boolean {
    if (this.streams.get(stream.id) !== stream) return false;
    this.streams.delete(stream.id);
    return true;
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case 'synStream': {
        const headers = this.decompressor.decompress(f.headerBlock);
        if (f.streamId <= this.lastRemoteId || this.streams.has(f.streamId)) {
          this.send(encodeRstStream(f.streamId, RstStatus.ProtocolError));
          return;
        }
        this.lastRemoteId = f.streamId;
        const stream = new SpdyStream(this, f.streamId, headers);
        this.streams.set(f.streamId, stream);
        if (f.flags & FLAG_FIN) stream.remoteFin();
        if (this.opts.onStream) this.opts.onStream(stream);
        else stream.reset(RstStatus.RefusedStream);
        return;
      }
      case 'synReply': {
        const headers = this.decompressor.decompress(f.headerBlock);
        const stream = this.streams.get(f.streamId);
        if (!stream) return;
        stream.replyHeaders = headers;
        this.pendingReplies.get(f.streamId)?.(stream);
        this.pendingReplies.delete(f.streamId);
        if (f.flags & FLAG_FIN) stream.remoteFin();
        return;
      }
      case 'headers':
        // Decompress anyway: the zlib context spans every header block of the connection.
        this.decompressor.decompress(f.headerBlock);
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.remoteFin();
        return;
      case 'data':
        this.streams.get(f.streamId)?.remoteData(f.data, (f.flags & FLAG_FIN) !== 0);
        return;
      case 'rstStream':
        this.streams.get(f.streamId)?.remoteReset();
        return;
      case 'ping':
        // Echo the peer's pings (their parity differs from ours); ours coming back need no answer.
        if ((f.id & 1) !== (this.opts.role === 'client' ? 1 : 0)) this.send(encodePing(f.id));
        return;
      case 'goAway':
        this.closed = true;
        this.transport.close();
        this.transportClosed();
        return;
      default:
        return; // settings, window updates, unknown frames
    }
  }
}
