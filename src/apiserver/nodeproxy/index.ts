// The API server side of pods/log, exec, attach and portforward: find the pod's node, then proxy to that
// node's agent endpoint. Logs are a streamed GET; the others are WebSocket upgrades relayed byte for byte
// (like upstream's UpgradeAwareHandler), so the agent speaks the protocols and this layer only routes.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import type { KubeObject } from '../../core/types.js';
import { errors, StatusError } from '../../core/status.js';
import type { RequestContext } from '../http/context.js';
import {
  type AgentEndpoint,
  agentEndpoint,
  agentPath,
  nodeNameOf,
  parsePodSubresourcePath,
  pickContainer,
  type StreamSubresource,
} from './target.js';

export interface NodeProxyDeps {
  getPod(namespace: string, name: string): Promise<KubeObject | undefined>;
  getNode(name: string): Promise<KubeObject | undefined>;
  /** The API server's bearer-token check; false answers 401. */
  authenticate(req: IncomingMessage): boolean | Promise<boolean>;
  /** Token the agents accept. */
  agentToken: string;
  /** CA that verifies a node's agent certificate; without one the certificate is not verified. */
  agentCa?: (nodeName: string) => string | undefined;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface NodeProxy {
  /** The ApiServer `nodeProxy` option: pods/log, and the non-upgrade (SPDY POST) form of the others. */
  serve(ctx: RequestContext): Promise<void>;
  /** For `server.on('upgrade')`: true when the request was a pod streaming path and has been answered. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean>;
}

interface ResolvedTarget {
  endpoint: AgentEndpoint;
  nodeName: string;
  path: string;
}

export function createNodeProxy(deps: NodeProxyDeps): NodeProxy {
  const log = deps.log ?? (() => undefined);

  async function resolve(
    sub: StreamSubresource,
    namespace: string,
    name: string,
    query: URLSearchParams,
  ): Promise<ResolvedTarget> {
    const pod = await deps.getPod(namespace, name);
    if (!pod) throw errors.notFound('', 'pods', name);
    const container = sub === 'portforward' ? undefined : pickContainer(pod, query.get('container'));
    const nodeName = nodeNameOf(pod);
    const node = await deps.getNode(nodeName);
    if (!node) throw errors.notFound('', 'nodes', nodeName);
    return { endpoint: agentEndpoint(node), nodeName, path: agentPath(sub, namespace, name, container, query) };
  }

  function tlsOptions(nodeName: string) {
    const ca = deps.agentCa?.(nodeName);
    return ca ? { ca, rejectUnauthorized: true } : { rejectUnauthorized: false };
  }

  async function serve(ctx: RequestContext): Promise<void> {
    const { info, req, res, query } = ctx;
    const sub = info.subresource as StreamSubresource;
    const method = req.method ?? 'GET';
    if (sub === 'log' && method !== 'GET')
      throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
    const target = await resolve(sub, info.namespace ?? '', info.name ?? '', query);
    if (sub !== 'log') throw errors.badRequest('Upgrade request required');
    await new Promise<void>((done, fail) => {
      const upstream = httpsRequest(
        {
          host: target.endpoint.host,
          port: target.endpoint.port,
          path: target.path,
          method: 'GET',
          headers: { authorization: `Bearer ${deps.agentToken}` },
          ...tlsOptions(target.nodeName),
        },
        (up) => {
          const headers: OutgoingHttpHeaders = { 'Content-Type': up.headers['content-type'] ?? 'text/plain' };
          res.writeHead(up.statusCode ?? 502, headers);
          res.flushHeaders();
          up.pipe(res);
          up.on('end', done);
          up.on('error', done);
        },
      );
      res.on('close', () => {
        upstream.destroy();
        done();
      });
      upstream.on('error', (err) => {
        log('node agent unreachable', { node: target.nodeName, error: err.message });
        if (res.headersSent) done();
        else fail(errors.internal(`error trying to reach the node agent on ${target.nodeName}: ${err.message}`));
      });
      upstream.end();
    });
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'https://apiserver');
    const route = parsePodSubresourcePath(url.pathname);
    if (!route || route.sub === 'log') return false;
    try {
      if (!(await deps.authenticate(req))) throw errors.unauthorized();
      const target = await resolve(route.sub, route.namespace, route.pod, url.searchParams);
      const agent = await connectAgent(target, tlsOptions(target.nodeName));
      agent.write(upgradeRequest(req, target, deps.agentToken));
      if (head.length) agent.write(head);
      socket.on('error', () => agent.destroy());
      agent.on('error', () => socket.destroy());
      socket.on('close', () => agent.destroy());
      agent.on('close', () => socket.destroy());
      agent.pipe(socket);
      socket.pipe(agent);
      log('streaming proxied', { namespace: route.namespace, pod: route.pod, sub: route.sub, node: target.nodeName });
    } catch (err) {
      writeStatusResponse(socket, err);
    }
    return true;
  }

  return { serve, handleUpgrade };
}

function connectAgent(target: ResolvedTarget, tls: { ca?: string; rejectUnauthorized: boolean }): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({
      host: target.endpoint.host,
      port: target.endpoint.port,
      ALPNProtocols: ['http/1.1'],
      ...tls,
    });
    sock.once('secureConnect', () => {
      sock.off('error', reject);
      resolve(sock);
    });
    sock.once('error', (err) =>
      reject(errors.internal(`error trying to reach the node agent on ${target.nodeName}: ${err.message}`)),
    );
  });
}

const HOP_HEADERS = new Set(['authorization', 'host', 'content-length', 'transfer-encoding']);

/** The client's upgrade request re-addressed to the agent: same WebSocket headers, the agent's token. */
function upgradeRequest(req: IncomingMessage, target: ResolvedTarget, token: string): string {
  const lines = [
    `${req.method ?? 'GET'} ${target.path} HTTP/1.1`,
    `Host: ${target.endpoint.host}:${target.endpoint.port}`,
  ];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!HOP_HEADERS.has(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  lines.push(`Authorization: Bearer ${token}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

function writeStatusResponse(socket: Duplex, err: unknown): void {
  const se = err instanceof StatusError ? err : errors.internal(err instanceof Error ? err.message : String(err));
  const body = JSON.stringify(se.toStatus());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${se.code} ${se.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
