// Where a node's agent (kubelet) endpoint listens and which CA verifies it, read from the Node object:
// the InternalIP (else another address) and status.daemonEndpoints.kubeletEndpoint.Port, and the CA the
// agent published in the AGENT_CA_ANNOTATION. The API server's node proxy and the metrics scraper dial it.
import type { Node } from './types.js';
import { AGENT_CA_ANNOTATION } from './well-known.js';

export const DEFAULT_AGENT_PORT = 10250;

export interface AgentEndpoint {
  host: string;
  port: number;
}

interface NodeView {
  metadata?: Node['metadata'];
  status?: {
    addresses?: { type?: string; address?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
}

/** The node's InternalIP (else ExternalIP, Hostname, any address) and agent port; undefined without an address. */
export function agentEndpoint(node: NodeView): AgentEndpoint | undefined {
  const addrs = node.status?.addresses ?? [];
  const pick = (t: string) => addrs.find((a) => a.type === t && a.address)?.address;
  const host = pick('InternalIP') ?? pick('ExternalIP') ?? pick('Hostname') ?? addrs.find((a) => a.address)?.address;
  if (!host) return undefined;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return { host, port: typeof port === 'number' && port > 0 ? port : DEFAULT_AGENT_PORT };
}

/** The PEM the node's agent certificate verifies against, if the agent published one. */
export function agentCaPem(node: NodeView): string | undefined {
  const ca = node.metadata?.annotations?.[AGENT_CA_ANNOTATION];
  return ca ? Buffer.from(ca, 'base64').toString('utf8') : undefined;
}
