// The simulated nodes' agent endpoint, for the metrics scraper: each node listens on its own loopback
// InternalIP (127.x.y.z, same port for all), so the API server's scraper reaches it as it reaches a real
// agent. One HTTPS server behind all the listeners answers by the address the connection came in on:
// GET /metrics/resource and /stats/summary from the SimulatedUsageMeter (the pods' tutti.io/simulated-usage
// annotation). Callers are authenticated and authorized as by a kubelet (`auth`, the API server's TokenReview
// and SubjectAccessReview on nodes/metrics or nodes/stats of the node dialled): none -> 401, denied -> 403. The certificate is a throwaway one; no CA is published, so the
// scraper does not verify it (as for agents that publish none).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { DelegatedAuth } from '../client/index.js';
import type { Pod } from '../core/types.js';
import {
  PROMETHEUS_TEXT_TYPE,
  RESOURCE_METRICS_PATH,
  type SimulatedUsageMeter,
  summaryFromSnapshot,
} from '../metrics/index.js';
import { createCertificateAuthority, createServingCertificate } from '../pki/certificates.js';

export interface SimulatedMetricsEndpointOptions {
  /** InternalIP -> node name. */
  nodes: ReadonlyMap<string, string>;
  /** Who the caller is and whether it may (`delegatedAuth(client)` of the simulated nodes' client). */
  auth: Pick<DelegatedAuth, 'authenticate' | 'authorize'>;
  /** 0 (default) picks a free port on the first address, then uses it on every other. */
  port?: number;
  meter: SimulatedUsageMeter;
  podsOf(nodeName: string): readonly Pod[];
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface SimulatedMetricsEndpoint {
  readonly port: number;
  /** Nodes whose address could not be bound (they report no metrics). */
  readonly unbound: string[];
  stop(): Promise<void>;
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });

export async function startSimulatedMetricsEndpoint(
  opts: SimulatedMetricsEndpointOptions,
): Promise<SimulatedMetricsEndpoint> {
  const ca = await createCertificateAuthority('tutti-simulated-agent-ca');
  const serving = await createServingCertificate(ca, 'tutti-simulated-agent', {
    dnsNames: ['localhost'],
    ips: ['127.0.0.1'],
  });
  const plain = (res: ServerResponse, code: number, text: string) => {
    res.writeHead(code, { 'Content-Type': 'text/plain' });
    res.end(text);
  };
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const node = opts.nodes.get((req.socket.localAddress ?? '').replace(/^::ffff:/, ''));
    const path = new URL(req.url ?? '/', 'https://sim').pathname;
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const user = m ? await opts.auth.authenticate(m[1]!).catch(() => undefined) : undefined;
    if (!user) return plain(res, 401, 'Unauthorized');
    // The kubelet's attributes for the two paths served (everything else is nodes/proxy).
    const subresource = path.startsWith('/metrics') ? 'metrics' : path.startsWith('/stats') ? 'stats' : 'proxy';
    const verbs: Record<string, string> = {
      GET: 'get',
      POST: 'create',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: 'delete',
    };
    const verb = verbs[req.method ?? ''] ?? '';
    const attrs = { verb, resource: 'nodes', subresource, name: node ?? '' };
    let allowed: boolean;
    try {
      allowed = (await opts.auth.authorize(user, attrs)).allowed;
    } catch {
      const msg = `Authorization error (user=${user.name}, verb=${verb}, resource=nodes, subresource(s)=[${subresource}])`;
      return plain(res, 500, msg);
    }
    if (!allowed) {
      return plain(
        res,
        403,
        `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource(s)=[${subresource}])`,
      );
    }
    serve(node, path, req, res);
  }
  function serve(node: string | undefined, path: string, req: IncomingMessage, res: ServerResponse): void {
    if (!node || req.method !== 'GET' || (path !== RESOURCE_METRICS_PATH && path !== '/stats/summary')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
      return;
    }
    const now = Date.now();
    if (path === RESOURCE_METRICS_PATH) {
      res.writeHead(200, { 'Content-Type': PROMETHEUS_TEXT_TYPE });
      res.end(opts.meter.render(node, opts.podsOf(node), now));
      return;
    }
    const pods = opts.podsOf(node);
    const podUids = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p.metadata.uid ?? '']));
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(summaryFromSnapshot(opts.meter.snapshot(node, pods, now), { nodeName: node, podUids })));
  }
  // Idle connections outlive a scrape period, so each scrape reuses its TLS connection (as real agents do).
  const https = createHttpsServer(
    { cert: serving.certPem, key: serving.keyPem, keepAliveTimeout: 120_000 },
    (req, res) => {
      handle(req, res).catch((err) => {
        if (!res.headersSent) plain(res, 500, String(err));
        else res.destroy();
      });
    },
  );
  const listeners: Server[] = [];
  const sockets = new Set<Socket>();
  const unbound: string[] = [];
  let port = opts.port ?? 0;
  for (const [ip, node] of opts.nodes) {
    const l = createNetServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      https.emit('connection', socket);
    });
    try {
      port = await listen(l, port, ip);
      listeners.push(l);
    } catch (err) {
      unbound.push(node);
      opts.log?.('simulated node metrics endpoint not bound', { node, ip, port, error: String(err) });
      if (port === 0) throw err;
    }
  }
  return {
    port,
    unbound,
    async stop() {
      const closed = Promise.all(listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
      https.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
