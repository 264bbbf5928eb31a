// The node agent's HTTPS endpoint (the kubelet's port 10250): container logs, and exec / attach /
// port-forward as WebSocket endpoints bridged to the runtime's stream server. Every request is authenticated
// and authorized as the kubelet's are (`auth.ts`: bearer token -> user, path + method -> nodes/<subresource>).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer } from 'ws';
import { errors, StatusError } from '../../core/status.js';
import type { ContainerRuntime } from '../runtime/runtime.js';
import {
  EXEC_PROTOCOLS,
  PORTFORWARD_CHANNELS,
  PORTFORWARD_PROTOCOLS,
  PORTFORWARD_SPDY_TUNNEL,
  pickProtocol,
} from '../streaming/channel.js';
import { directPortDialer, runtimePortDialer } from '../streaming/dialers.js';
import { connectRuntimeStream, relayExecStreams } from '../streaming/exec-bridge.js';
import { connectRuntimeSpdy, relayExecToSpdy } from '../streaming/exec-spdy.js';
import { parsePorts, servePortForwardChannels } from '../streaming/portforward-channels.js';
import { type PortDialer, servePortForwardSpdy } from '../streaming/portforward-spdy.js';
import { serveReplayingAttach } from './attach-replay.js';
import { type AgentAuth, checkAccess, type PeerCertificate, requestAttributes, userFromCertificate } from './auth.js';
import type { PodLocation, PodLocator } from './locator.js';
import { logOptionsFromQuery } from './log-query.js';
import { streamCriLogs } from './log-reader.js';
import { generateServingCert } from './serving-cert.js';

export const DEFAULT_AGENT_PORT = 10250;

export type StreamingRuntime = Pick<ContainerRuntime, 'exec' | 'attach' | 'portForward' | 'containerStatus'>;

export interface AgentServerOptions {
  runtime: StreamingRuntime;
  locator: PodLocator;
  /**
   * Authentication (bearer token -> user) and authorization (user + nodes/<subresource> attributes) of every
   * request; `sharedTokenAuth(token)` for a single trusted caller.
   */
  auth: AgentAuth;
  /**
   * Client certificates this CA issued authenticate too (user = CN, groups = O; before the bearer token), as the
   * kubelet's --client-ca-file. Without it no client certificate is asked for.
   */
  clientCaPem?: string;
  /** Default 10250; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Serving certificate; generated (with its own CA) when absent. */
  tls?: { cert: string; key: string; caPem?: string };
  nodeName?: string;
  /** Addresses put in a generated certificate. */
  addresses?: string[];
  /** Reach pod ports by pod IP when the runtime cannot forward (default true). */
  directPortForwardFallback?: boolean;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /**
   * Authenticated GET endpoints answered with a document, by path: `/metrics/resource`, `/stats/summary`,
   * `/metrics` (the agent wires them to its stats collector and Prometheus registry).
   */
  documents?: Record<string, () => Promise<{ contentType: string; body: string }>>;
}

export interface AgentServer {
  readonly port: number;
  /** CA that verifies the serving certificate (pin it on the API server side). */
  readonly caPem?: string;
  stop(): Promise<void>;
}

type Route =
  | { kind: 'logs'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; namespace: string; pod: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string }
  | { kind: 'healthz' };

export function parseAgentPath(pathname: string): Route | undefined {
  const p = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (p.length === 1 && p[0] === 'healthz') return { kind: 'healthz' };
  if (p.length === 4 && p[0] === 'containerLogs')
    return { kind: 'logs', namespace: p[1]!, pod: p[2]!, container: p[3]! };
  if (p.length === 4 && (p[0] === 'exec' || p[0] === 'attach')) {
    return { kind: p[0], namespace: p[1]!, pod: p[2]!, container: p[3]! };
  }
  if (p.length === 3 && p[0] === 'portForward') return { kind: 'portForward', namespace: p[1]!, pod: p[2]! };
  return undefined;
}

function isTrue(v: string | null): boolean {
  return v === '1' || v === 'true' || v === 'True';
}

export async function startAgentServer(opts: AgentServerOptions): Promise<AgentServer> {
  const tls = opts.tls ?? (await generateServingCert(opts.nodeName ?? 'tutti-node', opts.addresses ?? []));
  const log = opts.log ?? (() => undefined);
  const wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered, req) => {
      const supported = req.url?.startsWith('/portForward/') ? PORTFORWARD_PROTOCOLS : EXEC_PROTOCOLS;
      return pickProtocol([...offered].map(unescapeProtocol), supported) ?? false;
    },
  });
  // Containers whose first attach (the one a stdinOnce container was started for) has happened.
  const attachedOnce = new Set<string>();
  const nodeName = opts.nodeName ?? 'tutti-node';
  /** 401 without valid credentials, 403 with the kubelet's message when denied, 500 when the authorizer failed. */
  async function authorize(req: IncomingMessage, pathname: string, upgrade: boolean): Promise<void> {
    const attrs = requestAttributes(req.method, pathname, nodeName, upgrade);
    const socket = req.socket as TLSSocket;
    const certUser = opts.clientCaPem
      ? userFromCertificate(socket.getPeerCertificate?.() as PeerCertificate | undefined, socket.authorized === true)
      : undefined;
    const r = await checkAccess(opts.auth, req.headers.authorization, attrs, certUser);
    if (r.outcome === 'allowed') return;
    if (r.outcome === 'unauthenticated') {
      if (r.error) log('unable to authenticate the request', { error: r.error });
      throw errors.unauthorized();
    }
    log(r.outcome === 'forbidden' ? 'forbidden' : 'authorization error', { user: r.user.name, path: pathname });
    throw r.outcome === 'forbidden' ? errors.forbidden(r.message) : new StatusError(500, 'InternalError', r.message);
  }

  async function locate(namespace: string, pod: string, container?: string): Promise<PodLocation> {
    const loc = await opts.locator.locate(namespace, pod, container);
    if (!loc) throw errors.notFound('', 'pods', pod);
    if (container !== undefined && !loc.container) {
      throw errors.badRequest(`container ${container} is not valid for pod ${pod}`);
    }
    return loc;
  }

  async function serveLogs(route: Extract<Route, { kind: 'logs' }>, query: URLSearchParams, res: ServerResponse) {
    const logOpts = logOptionsFromQuery(query, new Date());
    const loc = await locate(route.namespace, route.pod, route.container);
    const c = loc.container!;
    let path = c.logPath;
    if (isTrue(query.get('previous'))) {
      if (!c.previousLogPath) {
        throw errors.badRequest(`previous terminated container "${route.container}" in pod "${route.pod}" not found`);
      }
      path = c.previousLogPath;
      logOpts.follow = false;
    }
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    await streamCriLogs(path, logOpts, res, {
      signal: ac.signal,
      isRunning: async () => (await opts.runtime.containerStatus(c.id)).state === 'running',
    });
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    const route = parseAgentPath(url.pathname);
    // Everything, /healthz included, as on the kubelet's authenticated port (nodes/healthz or nodes/proxy).
    await authorize(req, url.pathname, false);
    if (route?.kind === 'healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    const document = Object.hasOwn(opts.documents ?? {}, url.pathname) ? opts.documents![url.pathname] : undefined;
    if (document) {
      if (req.method !== 'GET') throw errors.methodNotAllowed(`the server does not allow the method ${req.method}`);
      const { contentType, body } = await document();
      res.writeHead(200, { 'Content-Type': contentType });
      res.end(body);
      return;
    }
    if (!route) throw errors.notFoundPath();
    if (route.kind === 'logs' && req.method === 'GET') return serveLogs(route, url.searchParams, res);
    if (route.kind !== 'logs') throw errors.badRequest('Upgrade request required');
    throw errors.methodNotAllowed(`the server does not allow the method ${req.method}`);
  }

  function portDialer(loc: PodLocation): PortDialer {
    const viaRuntime = runtimePortDialer((port) => opts.runtime.portForward(loc.sandboxId, [port]));
    if (opts.directPortForwardFallback === false || !loc.podIp) return viaRuntime;
    const direct = directPortDialer(loc.podIp);
    return async (port) => {
      try {
        return await viaRuntime(port);
      } catch (err) {
        log('runtime port-forward failed, dialing the pod IP', { sandbox: loc.sandboxId, port, error: String(err) });
        return direct(port);
      }
    };
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://agent');
    const route = parseAgentPath(url.pathname);
    await authorize(req, url.pathname, true);
    if (!route || route.kind === 'logs' || route.kind === 'healthz') throw errors.notFoundPath();
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    // `ws` rejects subprotocols that are not RFC 7230 tokens, and kubectl's has a '/': hide it from the parser.
    if (req.headers['sec-websocket-protocol']) {
      req.headers['sec-websocket-protocol'] = offered.map(escapeProtocol).join(', ');
    }
    const q = url.searchParams;
    if (route.kind === 'portForward') {
      const protocol = pickProtocol(offered, PORTFORWARD_PROTOCOLS);
      if (!protocol)
        throw errors.badRequest(`port-forward needs one of the subprotocols ${PORTFORWARD_PROTOCOLS.join(', ')}`);
      const ports = protocol === PORTFORWARD_CHANNELS ? parsePorts(q.getAll('ports')) : [];
      if (!ports) throw errors.badRequest('query parameter "ports" must be a list of ports between 1 and 65535');
      const dial = portDialer(await locate(route.namespace, route.pod));
      wss.handleUpgrade(req, socket, head, (ws) => {
        log('port-forward started', { namespace: route.namespace, pod: route.pod, protocol });
        if (protocol === PORTFORWARD_SPDY_TUNNEL) {
          const session = servePortForwardSpdy({ write: (b) => ws.send(b), close: () => ws.close(1000) }, dial, log);
          ws.on('message', (data: Buffer) => session.receive(data));
          ws.on('close', () => session.transportClosed());
        } else {
          servePortForwardChannels(ws, ports, dial);
        }
      });
      return;
    }
    if (!pickProtocol(offered, EXEC_PROTOCOLS)) {
      throw errors.badRequest(`${route.kind} needs one of the subprotocols ${EXEC_PROTOCOLS.join(', ')}`);
    }
    const loc = await locate(route.namespace, route.pod, route.container);
    const streams = { stdin: isTrue(q.get('stdin')), stdout: isTrue(q.get('stdout')), stderr: isTrue(q.get('stderr')) };
    if (!streams.stdin && !streams.stdout && !streams.stderr) {
      throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
    }
    const tty = isTrue(q.get('tty'));
    const located = loc.container!;
    if (route.kind === 'attach' && located.stdinOnce && !attachedOnce.has(located.id)) {
      attachedOnce.add(located.id);
      wss.handleUpgrade(req, socket, head, (client) => {
        serveReplayingAttach({ client, container: located, streams, tty, runtime: opts.runtime, log }).catch((err) => {
          log('attach failed', { container: located.id, error: String(err) });
          client.terminate();
        });
      });
      return;
    }
    let streamUrl: string;
    if (route.kind === 'exec') {
      const cmd = q.getAll('command');
      if (cmd.length === 0) throw errors.badRequest('you must specify at least one command for the container');
      streamUrl = await opts.runtime.exec({ containerId: loc.container!.id, cmd, tty, ...streams });
    } else {
      streamUrl = await opts.runtime.attach({ containerId: loc.container!.id, tty, ...streams });
    }
    if (streams.stdin) {
      // SPDY lets stdin be half-closed (the runtime's WebSocket v4 cannot say "stdin ended").
      const upstream = await connectRuntimeSpdy(streamUrl, { ...streams, tty });
      wss.handleUpgrade(req, socket, head, (client) => relayExecToSpdy(client, upstream));
      return;
    }
    const upstream = await connectRuntimeStream(streamUrl);
    wss.handleUpgrade(req, socket, head, (client) => relayExecStreams(client, upstream));
  }

  // Idle connections stay open past a scrape period (metrics-server's 15 s), so scrapes reuse them (no TLS
  // handshake per scrape), as the kubelet's Go server keeps them.
  // With a client CA, a certificate is asked for but not required: authentication decides (a bad or missing
  // one leaves the bearer token), so the handshake never fails on it.
  const clientCerts = opts.clientCaPem ? { requestCert: true, rejectUnauthorized: false, ca: [opts.clientCaPem] } : {};
  const serverOpts = { cert: tls.cert, key: tls.key, keepAliveTimeout: 120_000, ...clientCerts };
  const server: Server = createServer(serverOpts, (req, res) => {
    handle(req, res).catch((err) => sendStatus(res, err));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrade(req, socket, head).catch((err) => rejectUpgrade(socket, err));
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_AGENT_PORT, opts.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log('agent endpoint listening', { port });
  return {
    port,
    caPem: tls.caPem,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function escapeProtocol(p: string): string {
  return p.replaceAll('/', '~');
}

function unescapeProtocol(p: string): string {
  return p.replaceAll('~', '/');
}

function statusOf(err: unknown): StatusError {
  if (err instanceof StatusError) return err;
  return errors.internal(err instanceof Error ? err.message : String(err));
}

function sendStatus(res: ServerResponse, err: unknown): void {
  const se = statusOf(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(se.toStatus());
  res.writeHead(se.code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Answers a failed upgrade with a plain HTTP response carrying a Status, then closes the socket. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const se = statusOf(err);
  const body = JSON.stringify(se.toStatus());
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${se.code} ${se.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.destroy();
  }
}
