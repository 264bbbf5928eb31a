// The pod network across nodes (src/network/podnet) and NetworkPolicy (src/network/policy) beside a
// running node agent, and their flags on `tutti server` and `tutti agent` (k3s's names: --flannel-backend,
// --disable-network-policy). The agent does not import src/network: this file wires them, as k3s runs
// flannel and its policy controller beside the kubelet.
import { readAgentRecord, writeAgentRecord } from '../agent/host/agent-record.js';
import type { ApiClient } from '../client/index.js';
import { BACKENDS, type Backend, removePodNetworkRoutes, startPodNetwork } from '../network/podnet/index.js';
import { startNetworkPolicy } from '../network/policy/index.js';
import { type FlagSpec, type ParsedArgs, UsageError, boolFlag, stringFlag } from './flags.js';

export const PODNET_FLAGS: FlagSpec = { 'flannel-backend': 'string', 'disable-network-policy': 'boolean' };

export const PODNET_HELP = `  --flannel-backend B          pod network across nodes: auto (host-gw to nodes on a shared link, else vxlan), host-gw, vxlan, none (default auto)
  --disable-network-policy     do not enforce NetworkPolicy on this node (nftables table inet tutti-policy)
`;

export interface PodNetConfig {
  backend: Backend | 'none';
  disablePolicy: boolean;
  /** The whole pod network, when the command knows it (never masqueraded as a destination). */
  clusterCidr?: string;
  /** The Service ClusterIP range (never masqueraded as a destination either). */
  serviceCidr?: string;
}

export function podNetConfig(args: ParsedArgs, clusterCidr?: string, serviceCidr?: string): PodNetConfig {
  const backend = stringFlag(args, 'flannel-backend', 'auto');
  if (backend !== 'none' && !(BACKENDS as readonly string[]).includes(backend)) {
    throw new UsageError(`flag --flannel-backend must be auto, host-gw, vxlan or none, got ${JSON.stringify(backend)}`);
  }
  return {
    backend: backend as Backend | 'none',
    disablePolicy: boolFlag(args, 'disable-network-policy'),
    clusterCidr,
    serviceCidr,
  };
}

/**
 * Whether the pod network will masquerade this node's pod → outside traffic (it runs as root unless the
 * backend is `none`). Then the agent's CNI bridge must not (its `ipMasq` also rewrites pod → pod on other
 * nodes to the node's address, which NetworkPolicy on the other node then cannot match).
 */
export function podNetMasquerades(c: PodNetConfig): boolean {
  return c.backend !== 'none' && process.getuid?.() === 0;
}

/** The tables, recorded in the agent's agent.json so that `tutti killall` deletes them after a crash. */
export const PODNET_NFT_TABLES = ['ip tutti-podnet', 'inet tutti-policy'];

function recordTables(agentDataDir: string, tables: string[]): void {
  const record = readAgentRecord(agentDataDir);
  const missing = tables.filter((t) => !record?.nftTables?.includes(t));
  if (!record || missing.length === 0) return;
  writeAgentRecord(agentDataDir, { ...record, nftTables: [...(record.nftTables ?? []), ...missing] });
}

const log = (component: string) => (msg: string, fields: Record<string, unknown>) =>
  console.error(JSON.stringify({ level: 'info', component, msg, ...fields }));

/**
 * Starts the pod network and NetworkPolicy enforcement for a registered agent whose node has a pod CIDR
 * (as root only: routes and nftables). `stop()` removes their tables but leaves the routes to other nodes
 * (and the vxlan device), as the agent leaves its containers: pods keep talking across nodes while the
 * agent restarts, and the next one adopts them. `tutti killall` removes those (removePodNetworkLeftovers).
 */
export async function startAgentPodNetwork(
  agent: { nodeName: string; podCidr: string },
  /** The node's credential (its client certificate, renewed): makes the pod network's API client. */
  credential: { client(options: { userAgent: string }): ApiClient },
  c: PodNetConfig,
  agentDataDir?: string,
): Promise<{ stop(): Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  const none = { stop: async () => {} };
  if (!agent.podCidr || (c.backend === 'none' && c.disablePolicy)) return none;
  if (process.getuid?.() !== 0) {
    log('podnet')('not root: no pod routes across nodes and no NetworkPolicy', {});
    return none;
  }
  const client = credential.client({ userAgent: `tutti-podnet/${agent.nodeName}` });
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    client.close();
  };
  try {
    if (agentDataDir) {
      recordTables(
        agentDataDir,
        PODNET_NFT_TABLES.filter((t) => (t.startsWith('ip ') ? c.backend !== 'none' : !c.disablePolicy)),
      );
    }
    if (c.backend !== 'none') {
      const net = await startPodNetwork({
        client,
        nodeName: agent.nodeName,
        podCidr: agent.podCidr,
        clusterCidr: c.clusterCidr,
        serviceCidr: c.serviceCidr,
        backend: c.backend,
        log: log('podnet'),
      });
      stops.push(() => net.stop({ keepRoutes: true }));
    }
    if (!c.disablePolicy) {
      const policy = await startNetworkPolicy({ client, nodeName: agent.nodeName, log: log('network-policy') });
      stops.push(() => policy.stop());
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { stop: stopAll };
}

/**
 * For `tutti killall`, once the agent is gone: the routes to other nodes (proto 117) and the vxlan device
 * that the pod network leaves for a restart. They belong to the machine's one pod network (its table names
 * are fixed too), so they go whichever data dir is killed; as non-root there is nothing to remove.
 */
export async function removePodNetworkLeftovers(): Promise<void> {
  if (process.getuid?.() === 0) await removePodNetworkRoutes();
}
