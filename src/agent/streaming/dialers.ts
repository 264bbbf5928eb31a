// Ways to reach a port inside a pod: the runtime's port-forward URL (enters the pod's network namespace, so
// servers bound to localhost work) or a TCP connection to the pod IP.
import { connect } from 'node:net';
import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { channelMessage, EXEC_V4, PORTFORWARD_CHANNELS } from './channel.js';
import type { PortDialer } from './portforward-spdy.js';

export function directPortDialer(podIp: string): PortDialer {
  return (port) =>
    new Promise((resolve, reject) => {
      const sock = connect({ host: podIp, port });
      sock.once('connect', () => {
        sock.off('error', reject);
        resolve(sock);
      });
      sock.once('error', reject);
    });
}

/** Dials through a runtime stream server: `urlFor(port)` returns a fresh one-shot port-forward URL. */
export function runtimePortDialer(urlFor: (port: number) => Promise<string>): PortDialer {
  return async (port) => {
    const base = new URL(await urlFor(port));
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    base.searchParams.set('ports', String(port));
    // The kubelet-style stream server accepts port-forward under the v4 channel subprotocol (or none).
    const ws = new WebSocket(base, [EXEC_V4]);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        ws.off('error', reject);
        resolve();
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`runtime port-forward: HTTP ${res.statusCode}`)));
    });
    return new WebSocketPortStream(ws, port);
  };
}

/** One forwarded port over the channel protocol as a Duplex (channel 0 data, 1 error, 2-byte port prefixes). */
class WebSocketPortStream extends Duplex {
  // containerd 1.6 under `v4.channel.k8s.io` sends no port prefix; servers on `portforward.k8s.io` do.
  private readonly prefixLeft: number[];
  private errorText = '';

  constructor(
    private readonly ws: WebSocket,
    port: number,
  ) {
    super();
    const prefix = ws.protocol === PORTFORWARD_CHANNELS ? 2 : 0;
    this.prefixLeft = [prefix, prefix];
    // Some stream servers send the 2-byte port as its own first message even under v4: drop exactly that.
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    const firstSeen = [false, false];
    ws.on('message', (raw: Buffer) => {
      if (raw.length === 0) return;
      const ch = raw[0]!;
      if (ch > 1) return;
      let data = raw.subarray(1);
      const first = !firstSeen[ch];
      firstSeen[ch] = true;
      if (first && this.prefixLeft[ch] === 0 && data.equals(portBytes)) return;
      const skip = Math.min(this.prefixLeft[ch]!, data.length);
      this.prefixLeft[ch]! -= skip;
      data = data.subarray(skip);
      if (data.length === 0) return;
      if (ch === 0) this.push(Buffer.from(data));
      else this.errorText += data.toString();
    });
    ws.on('close', () => {
      if (this.errorText) this.destroy(new Error(this.errorText));
      else this.push(null);
    });
    ws.on('error', (err) => this.destroy(err));
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) {
      cb(new Error('port-forward connection closed'));
      return;
    }
    this.ws.send(channelMessage(0, chunk), cb);
  }

  // The channel protocol cannot half-close: the client finishing means the connection is done.
  override _final(cb: (err?: Error | null) => void): void {
    this.ws.close(1000);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    cb(err);
  }
}
