// Connection hygiene of the HTTPS listener: malformed requests get an HTTP answer (400, 414, 431, 505)
// before the socket closes, as Go's server gives one, and only after the answers to the valid requests
// pipelined before them are out; a request line without an HTTP version (HTTP/0.9) is refused at once
// instead of holding the socket; header and request timeouts bound slow clients.
import { markBodyBroken } from './body.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface HygieneOptions {
  /** Time a client has to send the request headers (Go's ReadHeaderTimeout in kube-apiserver: 32 s). */
  headersTimeoutMs?: number;
  /** Time a client has to send the whole request, body included (not the response: watches are unaffected). */
  requestTimeoutMs?: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  505: 'HTTP Version Not Supported',
};

/** The raw response Go's server writes for a request it cannot parse. */
export function errorResponse(code: number): string {
  const text = `${code} ${REASONS[code] ?? 'Bad Request'}`;
  return `HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
}

/** The status a parse error of node's HTTP parser deserves. */
export function statusOfParseError(err: Error & { code?: string }, longRequestLine = false): number {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      // A long request line is a long URI; otherwise the headers are too large.
      return longRequestLine ? 414 : 431;
    case 'HPE_INVALID_VERSION':
      return 505;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

/** A request line as HTTP/1.x has it: METHOD SP target SP HTTP/1.x. */
const REQUEST_LINE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^ ]+ HTTP\/\d\.\d$/;

/** A request line longer than this that overflows the header limit is a 414 URI Too Long. */
const LONG_URI = 8 * 1024;

function endWith(socket: Duplex, code: number): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(errorResponse(code));
  // A client that never reads or closes must not keep the socket.
  setTimeout(() => socket.destroy(), 2000).unref();
}

/** Options of `createServer`: the timeouts, checked often enough to matter. */
export function serverTimeouts(opts: HygieneOptions = {}): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  const headersTimeout = opts.headersTimeoutMs ?? 32_000;
  const requestTimeout = Math.max(opts.requestTimeoutMs ?? 60_000, headersTimeout);
  return { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(5000, headersTimeout / 2) };
}

/** Installs the hygiene on a server: clientError answers, HTTP/0.9 refusal. */
export function guardConnections(server: Server): void {
  // Responses still to be written per socket (pipelined requests are answered in order).
  const inFlight = new WeakMap<Duplex, number>();
  // Requests whose body is still being read, per socket: a parse error means it will never come.
  const reading = new WeakMap<Duplex, Set<IncomingMessage>>();
  const afterInFlight = new WeakMap<Duplex, () => void>();
  const longLines = new WeakSet<Duplex>();

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    if (!req.complete) {
      const set = reading.get(socket) ?? new Set<IncomingMessage>();
      reading.set(socket, set);
      set.add(req);
      req.once('end', () => set.delete(req));
    }
    res.once('close', () => {
      const n = (inFlight.get(socket) ?? 1) - 1;
      inFlight.set(socket, n);
      if (n === 0) afterInFlight.get(socket)?.();
    });
  });

  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const code = statusOfParseError(err, longLines.has(socket));
    if ((inFlight.get(socket) ?? 0) > 0) {
      afterInFlight.set(socket, () => endWith(socket, code));
      for (const req of reading.get(socket) ?? []) {
        // Only a reader waiting for the body hears of it (an unheard 'error' would throw); one that has not
        // started reading yet finds the request marked.
        if (req.complete) continue;
        if (req.listenerCount('error') > 0) req.emit('error', new Error(`malformed request (${err.code})`));
        else markBodyBroken(req, `malformed request (${err.code})`);
      }
      // A handler that never answers must not keep the socket.
      setTimeout(() => socket.destroy(), 30_000).unref();
    } else endWith(socket, code);
  });

  // CONNECT is no verb of this API: answer it as Go's mux does instead of dropping the socket.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => endWith(socket, 405));

  // Node's parser waits for headers after a request line without a version (HTTP/0.9), until the header
  // timeout; Go answers 400 at once. Look at the first request line of each connection.
  server.on('secureConnection', (socket: Socket) => {
    let head = '';
    const look = (chunk: Buffer) => {
      head += chunk.toString('latin1', 0, Math.min(chunk.length, 16 * 1024));
      const nl = head.indexOf('\n');
      if (nl === -1 && head.length < 16 * 1024) return;
      socket.removeListener('data', look);
      if (nl === -1 || nl > LONG_URI) longLines.add(socket);
      const line = (nl === -1 ? head : head.slice(0, nl)).replace(/\r$/, '');
      if (nl !== -1 && !REQUEST_LINE.test(line)) endWith(socket, 400);
    };
    socket.on('data', look);
  });
}

/** A request that came as anything but HTTP/1.x (HTTP/0.9 with headers, HTTP/2.0 as text) gets Go's 505. */
export function refuseHttpVersion(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.httpVersionMajor === 1) return false;
  const text = `505 ${REASONS[505]}`;
  res.shouldKeepAlive = false;
  res.writeHead(505, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': text.length,
    Connection: 'close',
  });
  res.end(text);
  return true;
}
