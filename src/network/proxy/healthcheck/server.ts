// Health-check node ports for LoadBalancer Services with externalTrafficPolicy: Local, as upstream's
// service health server: one HTTP listener per service on its healthCheckNodePort; every path answers
// 200 when the node has a ready local endpoint and the proxy is healthy, else 503, with upstream's JSON body
// and headers, so an external load balancer sends traffic only to nodes that can serve it locally.
import { createServer, type Server } from 'node:http';
import type { HealthCheck } from '../model/types.js';

export type HealthLog = (msg: string, fields: Record<string, unknown>) => void;

interface Instance {
  port: number;
  server: Server;
  namespace: string;
  name: string;
  localEndpoints: number;
}

export class ServiceHealthServer {
  private readonly instances = new Map<string, Instance>();

  constructor(
    private readonly opts: {
      /** Address to listen on (default all: upstream listens on every node address). */
      host?: string;
      /** Whether the proxy's last sync succeeded; reported as serviceProxyHealthy. */
      proxyHealthy: () => boolean;
      log?: HealthLog;
    },
  ) {}

  /** Opens listeners for new health checks, closes ones no longer wanted, updates the endpoint counts. */
  async sync(checks: ReadonlyMap<string, HealthCheck>): Promise<void> {
    for (const [key, inst] of this.instances) {
      const want = checks.get(key);
      if (!want || want.port !== inst.port) {
        this.instances.delete(key);
        await close(inst.server);
      }
    }
    for (const [key, hc] of checks) {
      const inst = this.instances.get(key);
      if (inst) {
        inst.localEndpoints = hc.localEndpoints;
        continue;
      }
      const created: Instance = { ...hc, server: createServer(), localEndpoints: hc.localEndpoints };
      created.server.on('request', (_req, res) => {
        const count = created.localEndpoints;
        const healthy = this.opts.proxyHealthy();
        res.writeHead(count > 0 && healthy ? 200 : 503, {
          'Content-Type': 'application/json',
          'X-Content-Type-Options': 'nosniff',
          'X-Load-Balancing-Endpoint-Weight': String(count),
        });
        res.end(
          JSON.stringify(
            {
              service: { namespace: created.namespace, name: created.name },
              localEndpoints: count,
              serviceProxyHealthy: healthy,
            },
            null,
            '\t',
          ),
        );
      });
      try {
        await listen(created.server, hc.port, this.opts.host);
        this.instances.set(key, created);
      } catch (err) {
        // Upstream logs and retries on the next sync; a taken port must not stop the proxy.
        this.opts.log?.('health check listen failed', { service: key, port: hc.port, error: String(err) });
      }
    }
  }

  async close(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(all.map((i) => close(i.server)));
  }
}

function listen(server: Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
