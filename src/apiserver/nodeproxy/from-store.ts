// The node proxy as the API server runs it: pods and nodes read from its store, and each node's agent
// certificate verified against the CA the agent published in the node's annotation.
import type { IncomingMessage } from 'node:http';
import { AGENT_CA_ANNOTATION } from '../../core/well-known.js';
import type { Store } from '../../storage/store.js';
import { ObjectStorage } from '../objects.js';
import { type NodeProxy, createNodeProxy } from './index.js';

export interface StoreNodeProxyOptions {
  store: Store;
  /** Token the agents accept (the cluster's node token). */
  agentToken: string;
  /** The API server's bearer-token check. */
  authenticate(req: IncomingMessage): boolean | Promise<boolean>;
}

export function storeNodeProxy(opts: StoreNodeProxyOptions): NodeProxy {
  const pods = new ObjectStorage(opts.store, { group: '', resource: 'pods', namespaced: true });
  const nodes = new ObjectStorage(opts.store, { group: '', resource: 'nodes', namespaced: false });
  // Filled on each node lookup, which precedes every connection to that node's agent.
  const agentCas = new Map<string, string>();
  return createNodeProxy({
    getPod: (ns, name) => pods.get(ns, name),
    getNode: async (name) => {
      const node = await nodes.get(undefined, name);
      const ca = node?.metadata.annotations?.[AGENT_CA_ANNOTATION];
      if (ca) agentCas.set(name, Buffer.from(ca, 'base64').toString('utf8'));
      return node;
    },
    authenticate: opts.authenticate,
    agentToken: opts.agentToken,
    agentCa: (name) => agentCas.get(name),
  });
}
