// The real fetch of a node's /metrics/resource: HTTPS to the node's InternalIP and agent port
// (status.daemonEndpoints.kubeletEndpoint), verified against the CA the agent published in the
// tutti.io/agent-ca annotation (unverified when it published none, as the node proxy does), with the
// bearer token the agents accept.
import { Agent, type RequestOptions, request } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { agentCaPem, agentEndpoint } from '../core/agent-endpoint.js';
import type { Node } from '../core/types.js';
import { RESOURCE_METRICS_PATH } from './resource-metrics.js';
import type { NodeMetricsFetch } from './scraper.js';

export interface AgentFetchOptions {
  /** The token agents accept (the cluster's node token). */
  token: string;
  /** Default /metrics/resource. */
  path?: string;
  /** Largest body accepted; default 64 MiB. */
  maxBytes?: number;
}

export function agentResourceMetricsFetch(opts: AgentFetchOptions): NodeMetricsFetch & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  // One TLS context per CA (and one unverified), not one per connection: a scrape of 1,000 nodes opens
  // 1,000 connections, and building a context costs as much as the request.
  const contexts = new Map<string, SecureContext>();
  const contextFor = (ca: string | undefined): SecureContext => {
    const key = ca ?? '';
    let c = contexts.get(key);
    if (!c) {
      c = createSecureContext(ca ? { ca } : {});
      if (contexts.size >= 256) contexts.delete(contexts.keys().next().value!);
      contexts.set(key, c);
    }
    return c;
  };
  const path = opts.path ?? RESOURCE_METRICS_PATH;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const fetch = (node: Node, signal: AbortSignal): Promise<string> =>
    new Promise((resolve, reject) => {
      const endpoint = agentEndpoint(node);
      if (!endpoint) {
        reject(new Error(`node ${node.metadata.name ?? ''} has no address to reach its agent`));
        return;
      }
      const ca = agentCaPem(node);
      // tls.connect takes a ready secureContext; https.RequestOptions' type does not name it.
      const tlsOptions = { secureContext: contextFor(ca), rejectUnauthorized: !!ca } as RequestOptions;
      const req = request(
        {
          ...tlsOptions,
          host: endpoint.host,
          port: endpoint.port,
          path,
          method: 'GET',
          agent,
          signal,
          headers: { authorization: `Bearer ${opts.token}`, accept: 'text/plain' },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) req.destroy(new Error(`response larger than ${maxBytes} bytes`));
            else chunks.push(c);
          });
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${body.slice(0, 200)}`));
            else resolve(body);
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  return Object.assign(fetch, { close: () => agent.destroy() });
}
