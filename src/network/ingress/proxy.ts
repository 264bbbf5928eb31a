// The ingress listeners: HTTP and HTTPS servers that route each request by the current route table
// (`routes.ts`) to an endpoint, round-robin, and stream the reply back. A new table or certificate set is
// swapped in whole (`update`): requests that started keep the endpoint they chose and finish, new ones use
// the new table, and open keep-alive connections stay open, so a reload drops nothing.
import { Agent, createServer as createHttpServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type Server, type Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import { matchRoute, type RouteBackend, type RouteEndpoint, type RouteTable, tlsSecretFor } from './routes.js';

export interface CertificatePem {
  cert: string;
  key: string;
}

export interface IngressListenersOptions {
  /** Listen address. Default 0.0.0.0. */
  address?: string;
  /** HTTP port; 0 picks a free one, null: no HTTP listener. Default 80. */
  httpPort?: number | null;
  /** HTTPS port; 0 picks a free one, null: no HTTPS listener. Default 443. */
  httpsPort?: number | null;
  /** Served when no Ingress TLS Secret matches the SNI name (else those handshakes fail). */
  defaultCertificate?: CertificatePem;
  /** How long a backend may take to accept the connection. Default 5 s. */
  connectTimeoutMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface IngressListeners {
  httpPort?: number;
  httpsPort?: number;
  /** Swaps in a new route table and TLS certificates (by Secret `namespace/name`). */
  update(table: RouteTable, certificates: ReadonlyMap<string, CertificatePem>): void;
  table(): RouteTable;
  /** Stops accepting, lets requests in flight finish (up to `graceMs`), then closes what is left. */
  stop(graceMs?: number): Promise<void>;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const EMPTY: RouteTable = {
  hosts: new Map(),
  wildcards: new Map(),
  anyHost: [],
  tls: [],
  ingresses: [],
  services: new Set(),
};

function listen(server: Server, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

function forwardedHeaders(req: IncomingMessage, proto: 'http' | 'https'): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const connectionTokens = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionTokens.has(name)) continue;
    out[name] = value;
  }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  out['x-forwarded-proto'] = proto;
  if (req.headers.host) out['x-forwarded-host'] = req.headers.host;
  out['x-forwarded-port'] = String(req.socket.localPort ?? '');
  out['x-real-ip'] = client;
  return out;
}

function plain(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startIngressListeners(opts: IngressListenersOptions = {}): Promise<IngressListeners> {
  const address = opts.address ?? '0.0.0.0';
  const log = opts.log ?? (() => {});
  const connectTimeoutMs = opts.connectTimeoutMs ?? 5000;
  let table = EMPTY;
  let contexts = new Map<string, SecureContext>();
  const pemSeen = new Map<string, { pem: CertificatePem; ctx: SecureContext }>();
  const nextIndex = new Map<string, number>();
  const upstreamAgent = new Agent({ keepAlive: true, maxFreeSockets: 16 });
  const sockets = new Set<Socket>();

  const pick = (backend: RouteBackend): RouteEndpoint | undefined => {
    const eps = backend.endpoints;
    if (eps.length === 0) return undefined;
    const k = backend.service ?? backend.ingress;
    const i = nextIndex.get(k) ?? 0;
    nextIndex.set(k, (i + 1) % eps.length);
    return eps[i % eps.length];
  };

  const route = (req: IncomingMessage): { ep?: RouteEndpoint; status?: number; text?: string } => {
    const path = (req.url ?? '/').split('?')[0] || '/';
    const m = matchRoute(table, req.headers.host, path.startsWith('/') ? path : '/');
    if (!m) return { status: 404, text: '404 page not found\n' };
    const ep = pick(m.backend);
    if (!ep) return { status: 503, text: `503 no available endpoint (${m.backend.reason ?? 'none'})\n` };
    return { ep };
  };

  const handle = (proto: 'http' | 'https') => (req: IncomingMessage, res: ServerResponse) => {
    const r = route(req);
    if (!r.ep) {
      plain(res, r.status!, r.text!);
      return;
    }
    const up = request({
      host: r.ep.ip,
      port: r.ep.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, proto),
      agent: upstreamAgent,
      timeout: connectTimeoutMs,
    });
    // The timeout guards the connect only: a slow reply (a long poll, a stream) may take as long as it needs.
    up.on('socket', (s) => {
      if (s.connecting) s.once('connect', () => up.setTimeout(0));
      else up.setTimeout(0);
    });
    up.on('timeout', () => up.destroy(new Error('backend connect timeout')));
    up.on('response', (ur) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(ur.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
      }
      res.writeHead(ur.statusCode ?? 502, ur.statusMessage, headers);
      ur.pipe(res);
      ur.on('error', () => res.destroy());
    });
    up.on('error', (err) => {
      log('ingress: backend error', { level: 'warn', backend: `${r.ep!.ip}:${r.ep!.port}`, error: String(err) });
      plain(res, 502, '502 bad gateway\n');
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  };

  // Upgrade (WebSocket and the like): the request head goes to the endpoint, then bytes flow both ways.
  const upgrade = (proto: 'http' | 'https') => (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const r = route(req);
    if (!r.ep) {
      socket.end(`HTTP/1.1 ${r.status} ${r.status === 404 ? 'Not Found' : 'Service Unavailable'}\r\n\r\n`);
      return;
    }
    const upstream = connect(r.ep.port, r.ep.ip, () => {
      const headers = { ...forwardedHeaders(req, proto), connection: 'Upgrade', upgrade: req.headers.upgrade ?? '' };
      let text = `${req.method} ${req.url} HTTP/1.1\r\n`;
      for (const [k, v] of Object.entries(headers)) for (const one of [v].flat()) text += `${k}: ${one}\r\n`;
      upstream.write(`${text}\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
    socket.on('close', () => upstream.destroy());
  };

  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const servers: Server[] = [];
  let httpPort: number | undefined;
  let httpsPort: number | undefined;
  try {
    if (opts.httpPort !== null) {
      const http = createHttpServer(handle('http'));
      http.on('upgrade', upgrade('http'));
      http.on('connection', track);
      http.on('clientError', (_e, s) => s.destroy());
      httpPort = await listen(http, opts.httpPort ?? 80, address);
      servers.push(http);
    }
    if (opts.httpsPort !== null) {
      const def = opts.defaultCertificate;
      const https = createHttpsServer(
        {
          ...(def ? { cert: def.cert, key: def.key } : {}),
          SNICallback: (name, cb) => {
            const secret = tlsSecretFor(table, name);
            cb(null, secret ? contexts.get(secret) : undefined);
          },
        },
        handle('https'),
      );
      https.on('upgrade', upgrade('https'));
      https.on('connection', track);
      https.on('tlsClientError', () => {});
      httpsPort = await listen(https, opts.httpsPort ?? 443, address);
      servers.push(https);
    }
  } catch (err) {
    for (const s of servers) s.close();
    throw err;
  }

  return {
    httpPort,
    httpsPort,
    table: () => table,
    update(next, certificates) {
      const ctxs = new Map<string, SecureContext>();
      for (const [name, pem] of certificates) {
        const seen = pemSeen.get(name);
        if (seen && seen.pem.cert === pem.cert && seen.pem.key === pem.key) {
          ctxs.set(name, seen.ctx);
          continue;
        }
        try {
          const ctx = createSecureContext({ cert: pem.cert, key: pem.key });
          pemSeen.set(name, { pem, ctx });
          ctxs.set(name, ctx);
        } catch (err) {
          log('ingress: TLS secret not usable', { level: 'warn', secret: name, error: String(err) });
        }
      }
      for (const name of pemSeen.keys()) if (!certificates.has(name)) pemSeen.delete(name);
      // One assignment each: a request or handshake reads either the old or the new value, never a mix.
      contexts = ctxs;
      table = next;
    },
    async stop(graceMs = 5000) {
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers) (s as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      const timer = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
      upstreamAgent.destroy();
    },
  };
}
