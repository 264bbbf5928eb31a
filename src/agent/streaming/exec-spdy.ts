// Exec/attach to the runtime's stream server over SPDY/3.1 (remotecommand v4, as the kubelet's own clients
// do). Used when the client sends stdin: a SPDY stream can be half-closed, so v5's "stdin closed" message
// becomes a FIN on the stdin stream and the command sees EOF (the runtime's WebSocket v4 has no such signal).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { CLOSE, channelMessage, ERROR, EXEC_V4, RESIZE, STDERR, STDIN, STDOUT } from './channel.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';

export interface ExecStreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface RuntimeSpdyExec {
  readonly session: SpdySession;
  readonly socket: Socket;
  /** Streams by remotecommand stream type: error, stdin, stdout, stderr, resize. */
  readonly streams: Map<string, SpdyStream>;
}

/** Upgrades to SPDY and opens the streams the runtime waits for before it starts the command. */
export async function connectRuntimeSpdy(url: string, flags: ExecStreamFlags): Promise<RuntimeSpdyExec> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  const { socket, head } = await new Promise<{ socket: Socket; head: Buffer }>((resolve, reject) => {
    const req = request(u, {
      method: 'POST',
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': EXEC_V4 },
      // the runtime's stream server is local; its certificate (if any) is self-signed
      rejectUnauthorized: false,
    });
    req.on('upgrade', (_res: IncomingMessage, sock: Socket, h: Buffer) => resolve({ socket: sock, head: h }));
    req.on('response', (res: IncomingMessage) => {
      res.resume();
      reject(new Error(`runtime stream: HTTP ${res.statusCode} (no SPDY upgrade)`));
    });
    req.on('error', reject);
    req.end();
  });
  socket.setNoDelay(true);
  const session = new SpdySession(
    { write: (b) => socket.write(b), close: () => socket.end() },
    { role: 'client', onError: () => socket.destroy() },
  );
  socket.on('data', (d: Buffer) => session.receive(d));
  socket.on('close', () => session.transportClosed());
  socket.on('error', () => socket.destroy());
  if (head.length > 0) session.receive(head);

  const types = ['error'];
  if (flags.stdin) types.push('stdin');
  if (flags.stdout) types.push('stdout');
  if (flags.stderr && !flags.tty) types.push('stderr');
  if (flags.tty) types.push('resize');
  const streams = new Map<string, SpdyStream>();
  const timeout = setTimeout(() => socket.destroy(new Error('runtime stream: no SPDY reply')), 10_000);
  try {
    // All streams first (as client-go does): the runtime starts the command once it has every one.
    const opened = await Promise.all(types.map((t) => session.openStream(new Map([['streamtype', [t]]]))));
    for (const [i, s] of opened.entries()) streams.set(types[i]!, s);
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timeout);
  }
  return { session, socket, streams };
}

/** Relays a client's channel WebSocket (v5 or v4) to the runtime's SPDY streams. */
export function relayExecToSpdy(client: WebSocket, runtime: RuntimeSpdyExec): void {
  const { streams, socket } = runtime;
  const pending = new Set<SpdyStream>();
  let closed = false;
  const closeClient = () => {
    if (closed) return;
    closed = true;
    if (client.readyState === WebSocket.OPEN) client.close(1000);
    socket.end();
  };
  const forward = (type: string, channel: number) => {
    const s = streams.get(type);
    if (!s) return;
    pending.add(s);
    s.on('data', (d: Buffer) => {
      if (client.readyState === WebSocket.OPEN) client.send(channelMessage(channel, d), { binary: true });
    });
    const done = () => {
      pending.delete(s);
      // The error stream carries the exit status last; everything is relayed once every output stream ended.
      if (pending.size === 0) closeClient();
    };
    s.once('end', done);
    s.once('close', done);
  };
  forward('stdout', STDOUT);
  forward('stderr', STDERR);
  forward('error', ERROR);
  socket.once('close', () => setImmediate(closeClient));

  client.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const channel = data[0]!;
    const body = data.subarray(1);
    if (channel === STDIN) streams.get('stdin')?.write(body);
    else if (channel === RESIZE) streams.get('resize')?.write(body);
    else if (channel === CLOSE && body[0] === STDIN) streams.get('stdin')?.end();
  });
  client.on('close', () => {
    if (!closed) {
      closed = true;
      socket.destroy();
    }
  });
  client.on('error', () => socket.destroy());
}
