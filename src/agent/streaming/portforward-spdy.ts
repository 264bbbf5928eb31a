// kubectl's port-forward protocol (portforward.k8s.io over SPDY): each forwarded connection is a pair of
// streams sharing a `requestID` header, an `error` stream (server -> client text, then FIN) and a `data`
// stream bridged to a TCP connection to `port` inside the pod.
import type { Duplex } from 'node:stream';
import { RstStatus } from './spdy-frames.js';
import { headerValue } from './spdy-headers.js';
import { type ByteTransport, SpdySession, type SpdyStream } from './spdy-session.js';

/** Opens a byte stream to `port` inside the pod (through the runtime, or straight to the pod IP). */
export type PortDialer = (port: number) => Promise<Duplex>;

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
}

export type PortForwardLog = (msg: string, fields?: Record<string, unknown>) => void;

/** Serves port-forward on a SPDY connection; feed transport bytes to the returned session's `receive`. */
export function servePortForwardSpdy(transport: ByteTransport, dial: PortDialer, log?: PortForwardLog): SpdySession {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(transport, {
    role: 'server',
    onError: (err) => log?.('port-forward protocol error', { error: err.message }),
    onStream: (stream) => {
      const type = headerValue(stream.headers, 'streamType');
      const requestId = headerValue(stream.headers, 'requestID') ?? '';
      if (type !== 'data' && type !== 'error') {
        stream.reset(RstStatus.ProtocolError);
        return;
      }
      stream.reply();
      const pair = pairs.get(requestId) ?? {};
      pairs.set(requestId, pair);
      pair[type] = stream;
      if (pair.data && pair.error) {
        pairs.delete(requestId);
        void forward(pair.data, pair.error, dial, log);
      }
    },
  });
  return session;
}

async function forward(data: SpdyStream, error: SpdyStream, dial: PortDialer, log?: PortForwardLog) {
  error.resume(); // the client sends nothing on its error stream but its FIN
  const portText = headerValue(data.headers, 'port') ?? '';
  const port = Number(portText);
  const fail = (message: string) => {
    log?.('port-forward failed', { port: portText, error: message });
    if (!error.writableEnded) error.end(message);
    if (!data.writableEnded) data.end();
  };
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return fail(`invalid port "${portText}"`);
  let target: Duplex;
  try {
    target = await dial(port);
  } catch (err) {
    return fail(`error forwarding port ${port} to pod: ${(err as Error).message}`);
  }
  let failed = false;
  target.on('error', (err) => {
    failed = true;
    fail(`error forwarding port ${port} to pod: ${err.message}`);
    data.destroy();
  });
  data.on('error', () => target.destroy());
  data.on('close', () => {
    // A reset from the client (kubectl removes streams when done) tears the connection down.
    if (!data.readableEnded) target.destroy();
  });
  data.pipe(target); // client FIN -> half-close towards the pod
  target.on('data', (chunk: Buffer) => data.write(chunk));
  target.on('end', () => {
    if (failed) return;
    if (!data.writableEnded && !data.destroyed) data.end();
    if (!error.writableEnded && !error.destroyed) error.end();
  });
}
